"""The app installs: manifests, the service worker and the offline page."""
import json
import os
import re
import shutil

from webapp.pwa.views import SHELL, SURFACES, shell_version, surface_of


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
    assert "huotong-staff-" in script and shell_version() in script
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


def test_the_manifest_is_in_the_language_it_is_written_in(client):
    response = client.get("/manifest.webmanifest", headers={"Accept-Language": "en"})
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["lang"] == "en" and manifest["description"].startswith("One catalogue")
    chinese = json.loads(client.get("/manifest.webmanifest", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True))
    assert chinese["lang"] == "zh-CN" and chinese["name"] == "货通 Huotong"


def test_every_surface_has_its_manifest_and_its_pages_link_it():
    assert (surface_of("/pos/"), surface_of("/pos/registers/3/sale"), surface_of("/stock/"), surface_of("/")) == \
        ("pos", "pos", "app", "app")
    for name, surface in SURFACES.items():
        assert surface.scope.startswith("/") and surface.scope.endswith("/"), name


def test_the_service_worker_is_javascript(client):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert '"/static/"' in response.get_data(as_text=True)


def test_a_deploy_that_changes_a_shell_file_gives_the_worker_a_new_version(app, tmp_path, monkeypatch):
    static = tmp_path / "static"
    for name in [*SHELL, "sw.js"]:
        (static / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(os.path.join(app.static_folder, name), static / name)
    monkeypatch.setattr(app, "static_folder", str(static))
    before = shell_version()
    assert shell_version() == before
    with open(static / "css/app.css", "a") as f:
        f.write("\n.new-rule { color: red; }\n")
    assert shell_version() != before


def test_the_offline_page_says_its_language_so_the_worker_can_keep_it_in_the_users(client):
    assert client.get("/offline", headers={"Accept-Language": "en"}).headers["Content-Language"] == "en"
    response = client.get("/offline", headers={"Accept-Language": "zh-CN"})
    assert response.headers["Content-Language"] == "zh-CN"
    assert '<html lang="zh-CN">' in response.get_data(as_text=True)


def test_pages_tell_the_app_script_where_the_worker_is_and_what_to_say_offline(client):
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-worker="/sw.js"' in page
    assert 'data-offline="You are offline. The page will work again when the connection returns."' in page


def test_the_till_links_its_own_manifest_and_the_stock_screens_the_staff_apps(make_store, make_user, login, client):
    store = make_store()
    login(make_user(stores=[store]))
    assert 'rel="manifest" href="/pos/manifest.webmanifest"' in client.get("/pos/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in client.get("/stock/", follow_redirects=True).get_data(as_text=True)


def test_a_shoppers_phone_gets_the_shops_worker_which_precaches_only_the_shops_files(client):
    page = client.get("/shop/").get_data(as_text=True)
    assert 'data-worker="/shop/sw.js" data-scope="/shop/"' in page
    response = client.get("/shop/sw.js")
    assert response.headers["Service-Worker-Allowed"] == "/shop/"
    urls = json.loads(response.get_data(as_text=True).split("const PRECACHE = ")[1].split(";")[0])
    assert any("css/shop.css" in url for url in urls) and any("js/shop.js" in url for url in urls)
    assert not [url for url in urls if "pos.css" in url or "till.js" in url or "bridge.js" in url or "icons/" in url]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_staff_worker_precaches_the_till_but_not_the_icons(client):
    urls = json.loads(client.get("/sw.js").get_data(as_text=True).split("const PRECACHE = ")[1].split(";")[0])
    assert any("js/till.js" in url for url in urls) and not [url for url in urls if "icons/" in url]
    assert 'data-worker="/sw.js" data-scope="/"' in client.get("/login").get_data(as_text=True)


def test_static_files_carry_their_contents_hash_and_are_cached_forever(client):
    page = client.get("/login").get_data(as_text=True)
    url = re.search(r'src="(/static/vendor/htmx-2\.0\.11\.min\.js\?v=[0-9a-f]{10})"', page).group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert {"immutable", "public", "max-age=31536000"} <= set(response.headers["Cache-Control"].replace(" ", "").split(","))
    unversioned = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert unversioned.headers["Cache-Control"] == "max-age=300"
    stale = client.get("/static/vendor/htmx-2.0.11.min.js?v=0000000000")
    assert stale.headers["Cache-Control"] == "max-age=300"  # not the hash of these bytes: not kept forever


def test_pages_and_files_are_compressed_for_browsers_that_ask(client):
    page = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.headers["Vary"]
    script = client.get("/static/vendor/htmx-2.0.11.min.js", headers={"Accept-Encoding": "br, gzip"})
    assert script.headers["Content-Encoding"] == "br"
    assert len(script.get_data()) < os.path.getsize(os.path.join(client.application.static_folder,
                                                                  "vendor/htmx-2.0.11.min.js")) / 2
    assert "Content-Encoding" not in client.get("/login").headers  # a client that does not ask gets it plain
