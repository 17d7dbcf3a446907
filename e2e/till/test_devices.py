"""The till's device settings in a real Chromium, with the bridge's test double (emulated USB scanner and
printer): pair by pasting, pair by opening the printed link, live device status, a test print and the
drawer, and what the page says when no bridge answers."""
import os

from playwright.sync_api import Page, expect

from e2e.harness import ROOT, sign_in
from e2e.till.conftest import PHONE, TABLET, TOKEN

SHOTS = os.path.join(ROOT, "screenshots")


def settings_page(contexts, base_url, world, viewport=TABLET) -> Page:
    page = contexts(viewport)
    sign_in(page, base_url, "tl-cashier", "tl-cashier-1")
    page.goto(f"{base_url}/pos/registers/{world['register_id']}")
    page.screenshot(path=os.path.join(SHOTS, f"till-menu-{viewport['width']}.png"))
    page.get_by_role("link", name="设备", exact=True).click()
    expect(page.get_by_role("heading", name="设备设置")).to_be_visible()
    return page


def test_pairing_by_pasting_shows_the_devices_and_prints_a_test_slip(contexts, base_url, world, bridge):
    page = settings_page(contexts, base_url, world)
    connection = page.get_by_role("status", name="硬件桥")
    expect(connection).to_have_text("未配对")
    page.get_by_label("硬件桥地址").fill(bridge["url"])
    page.get_by_label("配对码，或 huotong-bridge pair 打印的链接").fill(TOKEN)
    page.get_by_role("button", name="配对", exact=True).click()
    expect(page.get_by_text("已配对：这个浏览器已保存配对码")).to_be_visible()
    # the bridge's test double runs in this busy test process: a first attempt may time out and the page retries
    expect(connection).to_have_text("已连接", timeout=15_000)
    for device in ("扫码枪", "打印机", "钱箱"):
        expect(page.get_by_role("status", name=device, exact=True)).to_have_text("可以使用")
    expect(page.get_by_role("status", name="电子秤", exact=True)).to_have_text("未连接")

    page.get_by_role("button", name="测试打印").click()
    expect(page.get_by_text("已打印：打印机应出一张测试单")).to_be_visible()
    assert "打印测试".encode("gb18030") in bytes(bridge["printer"].received)
    page.get_by_role("button", name="打开钱箱").click()
    expect(page.get_by_text("已发送开钱箱指令。")).to_be_visible()
    assert b"\x1bp\x00" in bytes(bridge["printer"].received)  # the kick pulse on pin 2

    page.reload()  # the pairing stays with this browser
    expect(page.get_by_role("status", name="硬件桥")).to_have_text("已连接")
    page.screenshot(path=os.path.join(SHOTS, "till-devices-tablet.png"), full_page=True)


def test_the_printed_link_pairs_the_till_and_says_so(contexts, base_url, bridge):
    page = contexts(PHONE)
    page.goto(f"{base_url}/pos/bridge/pair#bridge-token={TOKEN}&bridge-url={bridge['url']}")
    expect(page.get_by_text("已通过链接配对：这个浏览器已保存配对码")).to_be_visible()
    expect(page.get_by_role("status", name="硬件桥")).to_have_text("已连接")
    assert "#" not in page.url  # the token left the address bar
    assert page.evaluate("localStorage.getItem('huotong.bridge.token')") == TOKEN
    page.screenshot(path=os.path.join(SHOTS, "till-pair-phone.png"), full_page=True)


def test_a_link_to_a_bridge_elsewhere_is_refused(contexts, base_url):
    page = contexts(PHONE)
    page.goto(f"{base_url}/pos/bridge/pair#bridge-token={TOKEN}&bridge-url=ws://203.0.113.9:8765/")
    expect(page.get_by_text("硬件桥的地址必须在本机")).to_be_visible()
    assert page.evaluate("localStorage.getItem('huotong.bridge.token')") is None


def test_without_a_bridge_the_page_says_so_and_sends_nothing(contexts, base_url, world):
    page = settings_page(contexts, base_url, world, PHONE)
    page.get_by_label("硬件桥地址").fill("ws://127.0.0.1:9/")  # nothing listens there
    page.get_by_label("配对码，或 huotong-bridge pair 打印的链接").fill(TOKEN)
    page.get_by_role("button", name="配对", exact=True).click()
    expect(page.get_by_role("status", name="硬件桥")).to_have_text("未连接")
    expect(page.get_by_text("本机没有运行硬件桥，或地址不对")).to_be_visible()
    page.get_by_role("button", name="测试打印").click()
    expect(page.get_by_text("硬件桥未连接：什么也没有发送")).to_be_visible()
    page.get_by_role("button", name="打开钱箱").click()
    expect(page.get_by_text("硬件桥未连接：什么也没有发送")).to_be_visible()
    page.screenshot(path=os.path.join(SHOTS, "till-devices-phone.png"), full_page=True)
