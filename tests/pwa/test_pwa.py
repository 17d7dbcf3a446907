"""The app installs: manifests, the service worker and the offline page."""
import json

from webapp.pwa import shell_version


def test_the_staff_app_manifest_says_how_to_install(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert (manifest["start_url"], manifest["display"], manifest["name"]) == ("/", "standalone", "货通 Huotong")
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_till_installs_as_its_own_landscape_app(client):
    manifest = json.loads(client.get("/pos/manifest.webmanifest").get_data(as_text=True))
    assert (manifest["start_url"], manifest["scope"], manifest["orientation"]) == ("/pos/", "/pos/", "landscape")


def test_pages_link_the_manifest_of_their_surface(client):
    assert 'href="/manifest.webmanifest"' in client.get("/login").get_data(as_text=True)


def test_the_service_worker_precaches_the_shell_under_its_version(app, client):
    response = client.get("/sw.js")
    script = response.get_data(as_text=True)
    assert response.headers["Service-Worker-Allowed"] == "/" and response.headers["Cache-Control"] == "no-cache"
    assert f"huotong-shell-{shell_version()}" in script
    assert '"/offline"' in script and "/static/vendor/htmx-2.0.11.min.js" in script
    assert "__VERSION__" not in script and "__PRECACHE__" not in script


def test_every_precached_file_exists(client):
    script = client.get("/sw.js").get_data(as_text=True)
    urls = json.loads(script.split("const PRECACHE = ")[1].split(";")[0])
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_offline_page_speaks_the_users_language(client):
    page = client.get("/offline", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "你已离线" in page
