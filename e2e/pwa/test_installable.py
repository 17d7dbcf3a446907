"""The installed app in Chromium: the till installs as its own app; without a network the
user is told so, in their language, and the page comes back by itself.

(The staff app's installability on /login and the offline page are in e2e/test_pwa.py.)
"""
import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import ADMIN

OFFLINE_EN = "You are offline. The page will work again when the connection returns."


def wait_for_worker(page: Page) -> None:
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the worker
    page.wait_for_function("navigator.serviceWorker.controller !== null")


@pytest.fixture
def installable_context(browser_type, browser_type_launch_args, tmp_path):
    # A profile on disk: Chromium never offers to install from an incognito window.
    context = browser_type.launch_persistent_context(str(tmp_path / "profile"), locale="zh-CN",
                                                     viewport={"width": 1024, "height": 768},
                                                     **browser_type_launch_args)
    yield context
    context.close()


def test_the_till_installs_as_its_own_landscape_app(installable_context, base_url):
    page = installable_context.new_page()
    page.goto(f"{base_url}/login?next=/pos/")
    page.get_by_label("用户名").fill(ADMIN[0])
    page.get_by_label("密码").fill(ADMIN[1])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/pos/")
    wait_for_worker(page)

    session = installable_context.new_cdp_session(page)
    assert session.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = session.send("Page.getAppManifest")
    assert manifest["url"] == f"{base_url}/pos/manifest.webmanifest"
    assert not manifest["errors"]
    assert '"orientation": "landscape"' in manifest["data"]


def test_the_offline_page_follows_the_users_language_and_comes_back_online(page: Page, base_url):
    page.goto(f"{base_url}/login")
    wait_for_worker(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The page told the worker its language; the worker fetches the offline page again in English.
    page.wait_for_function("""caches.match('/offline').then(r => r && r.headers.get('Content-Language') === 'en')""")

    page.context.set_offline(True)
    page.goto(f"{base_url}/stock/")
    expect(page.get_by_role("heading", name="Offline")).to_be_visible()
    expect(page.get_by_text(OFFLINE_EN)).to_be_visible()
    assert page.url == f"{base_url}/stock/"

    page.context.set_offline(False)  # the page loads what was asked for by itself, within seconds
    expect(page.get_by_role("heading", name="Offline")).to_have_count(0, timeout=12_000)


def test_an_htmx_request_that_cannot_reach_the_server_says_so(page: Page, base_url):
    page.goto(f"{base_url}/login")
    page.wait_for_function("window.htmx !== undefined")
    page.context.set_offline(True)
    page.evaluate("void htmx.ajax('GET', '/login', {target: 'main', swap: 'none'})")
    expect(page.get_by_role("alert")).to_have_text("你已离线。网络恢复后页面即可继续使用。")
    page.context.set_offline(False)
    expect(page.get_by_role("alert")).to_have_count(0)
