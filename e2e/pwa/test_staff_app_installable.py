"""Chromium says the app can be installed, and a lost connection shows the offline page."""
from playwright.sync_api import expect


def test_chromium_reports_the_app_installable_and_it_works_offline(browser_type, browser_type_launch_args,
                                                                   base_url, tmp_path):
    # A profile on disk: Chromium never offers to install from an incognito window.
    context = browser_type.launch_persistent_context(str(tmp_path / "profile"), locale="zh-CN",
                                                     **browser_type_launch_args)
    try:
        page = context.new_page()
        page.goto(f"{base_url}/login")
        page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now controlled by the worker
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        session = context.new_cdp_session(page)
        assert session.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

        context.set_offline(True)
        page.goto(f"{base_url}/stock/")
        expect(page.get_by_role("heading", name="离线")).to_be_visible()
        context.set_offline(False)
    finally:
        context.close()
