"""The cashier's day at a tablet (1024×768) with a real bridge and emulated USB devices:
a split-paid sale with a weighed item, a return from its receipt, and the Z report at close."""
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from bridge.app import BridgeThread
from bridge.config import Settings
from tests.bridge.emulation import (
    EmulatedHidScale,
    EmulatedPrinter,
    EmulatedScanner,
    EmulatedUsbBackend,
)
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.pos.services import save_register, set_pin
from webapp.stock import queries as stock_queries
from webapp.stock import services as stock
from webapp.stores.services import save_store

TOKEN = "till-journey-token"
GOODS = [("可口可乐 330ml", "6900000000014", "3.50"), ("乐事薯片 70g", "6900000000021", "7.50"),
         ("农夫山泉 550ml", "6900000000038", "2.00")]
APPLES = ("富士苹果", "10091", "12.80")  # PLU, price per kg


@pytest.fixture(scope="module")
def shop(live_app):
    """A store with a till, a cashier, three barcoded goods and apples by weight, 20 of each in stock."""
    with live_app.app_context():
        store = save_store(None, code="TJ01", name="天街店", kind="direct")
        stock.ensure_locations(store)
        save_register(None, store=store, name="1号收银台", receipt_width=80)
        save_user(None, username="tj-cashier", display_name="周收银", role=Role.CASHIER, stores=[store],
                  password="tj-cashier-1")
        set_pin(save_user(None, username="tj-manager", display_name="吴店长", role=Role.STORE_MANAGER,
                          stores=[store], password="tj-manager-1"), "5678")  # approves the refund
        skus = {}
        for name, barcode, price in GOODS:
            product = save_product(None, name=name, variants=[VariantInput(code=f"TJ-{barcode}", list_price=price,
                                                                           barcodes=[barcode])])
            skus[barcode] = product.skus[0]
        apples = save_product(None, name=APPLES[0], unit="kg", weighed=True, plu=APPLES[1],
                              variants=[VariantInput(code="TJ-APPLE", list_price=APPLES[2])])
        skus[APPLES[1]] = apples.skus[0]
        for sku in skus.values():
            stock.receive(store, sku, 20, "1.00", user=None, document=("opening", "TJ"))
        db.session.commit()
        return {"store_id": store.id, "skus": {code: sku.id for code, sku in skus.items()}}


@pytest.fixture(scope="module")
def devices(base_url, tmp_path_factory):
    """The till's bridge on a free port, with an emulated USB scanner, HID scale and receipt printer."""
    backend = EmulatedUsbBackend()
    scanner, scale, printer = backend.plug(EmulatedScanner()), backend.plug(EmulatedHidScale()), \
        backend.plug(EmulatedPrinter())
    settings = Settings(port=0, hosts=("127.0.0.1",), origins=(base_url,), poll_interval=0.05, read_timeout_ms=20,
                        usb_backend=backend, receipts_dir=tmp_path_factory.mktemp("receipts"))
    with BridgeThread(settings, TOKEN) as bridge:
        yield {"scanner": scanner, "scale": scale, "printer": printer, "url": f"ws://127.0.0.1:{bridge.port}/"}


@pytest.fixture
def till_page(page: Page, devices, sign_in):
    page.add_init_script(f"localStorage.setItem('huotong.bridge.token', '{TOKEN}');"
                         f"localStorage.setItem('huotong.bridge.url', '{devices['url']}');")
    sign_in("tj-cashier", "tj-cashier-1")
    return page


def on_hand(live_app, shop, code) -> Decimal:
    from webapp.catalog.models import SKU
    from webapp.stores.models import Store

    with live_app.app_context():
        return stock_queries.level_at(db.session.get(Store, shop["store_id"]), db.session.get(SKU, shop["skus"][code]))[0]


def test_the_cashiers_day(till_page: Page, base_url, live_app, shop, devices):
    page = till_page
    # Open the shift with ¥200 in the drawer.
    page.goto(f"{base_url}/pos/")
    page.get_by_role("link", name="1号收银台").click()
    page.get_by_label("备用金（元）").fill("200")
    page.get_by_role("button", name="开班").click()
    expect(page.locator("[data-bridge-kind=scanner]")).to_have_text("扫码枪就绪")

    # (a) Three items from the USB scanner, apples from the scale, cash + WeChat.
    for _name, barcode, _price in GOODS:
        devices["scanner"].scan(barcode)
        expect(page.locator("#sale")).to_contain_text(_name)
    page.locator("#scan-code").fill(APPLES[1])
    page.locator("#scan-code").press("Enter")
    expect(page.get_by_text("请放到秤上")).to_be_visible()
    devices["scale"].weigh(500, status=3)  # still moving: not accepted
    expect(page.get_by_role("button", name="加入称重商品")).to_be_disabled()
    devices["scale"].weigh(500, status=4)  # steady at 500 g
    page.get_by_role("button", name="加入称重商品").click()
    expect(page.get_by_test_id("total")).to_have_text("¥19.40")  # 3.50 + 7.50 + 2.00 + 0.5 × 12.80

    page.get_by_role("button", name="收款 ¥19.40").click()
    expect(page.get_by_label("扫描顾客付款码")).to_be_focused()  # a scan would charge it: no taps
    page.get_by_text("银行卡、其他金额或组合支付").click()  # this customer splits: WeChat and cash
    wechat = page.locator("[data-method=wechat]")
    wechat.get_by_label("金额").fill("10.00")
    wechat.get_by_label("顾客付款码").fill("134567890123450001")
    page.locator("[data-method=cash]").get_by_label("金额").fill("20.00")
    expect(page.locator("[data-change]")).to_have_text("¥10.60")
    page.get_by_role("button", name="完成收款").click()

    expect(page.get_by_role("heading", name="收款完成")).to_be_visible()
    number = page.locator("h1 code").inner_text()
    expect(page.get_by_test_id("change")).to_have_text("¥10.60")
    expect(page.locator("[data-print-state]")).to_contain_text("✓")
    printed = bytes(devices["printer"].received)
    assert number.encode("ascii") in printed and "可口可乐".encode("gb18030") in printed
    for _name, barcode, _price in GOODS:
        assert on_hand(live_app, shop, barcode) == 19
    assert on_hand(live_app, shop, APPLES[1]) == Decimal("19.500")

    # (b) The customer brings the crisps back: scan the receipt, return one, cash refund.
    page.get_by_role("link", name="下一单").click()
    page.get_by_role("link", name="退货").click()
    page.get_by_label("小票号").focus()
    devices["scanner"].scan(number)
    expect(page.get_by_role("heading", name=f"退货：{number}")).to_be_visible()
    page.get_by_label("本次退货: 乐事薯片 70g").fill("1")
    page.get_by_label("现金").check()
    page.get_by_label("店长授权码").fill("5678")  # every refund needs a manager's PIN by default
    page.get_by_role("button", name="确认退货退款").click()
    expect(page.get_by_role("heading", name="退货")).to_be_visible()
    expect(page.get_by_text("退款合计")).to_be_visible()
    expect(page.get_by_text("退款审批：吴店长")).to_be_visible()
    assert on_hand(live_app, shop, "6900000000021") == 20

    # (c) Close the shift with exactly what should be there: 200 + 9.40 cash − 7.50 refund = 201.90.
    page.goto(f"{base_url}/pos/")
    page.get_by_role("link", name="1号收银台").click()
    page.get_by_role("link", name="交班").click()
    for denomination, count in {"100": 2, "1": 1, "0.5": 1, "0.1": 4}.items():
        page.get_by_label(f"¥{denomination}", exact=True).fill(str(count))
    expect(page.locator("[data-counted]")).to_have_text("¥201.90")
    page.get_by_role("button", name="确认交班").click()
    expect(page.get_by_test_id("z-sales")).to_have_text("¥19.40")
    expect(page.get_by_test_id("z-returns")).to_have_text("−¥7.50")
    expect(page.get_by_test_id("z-net")).to_have_text("¥11.90")
    expect(page.get_by_test_id("z-method-wechat")).to_have_text("¥10.00")
    expect(page.get_by_test_id("z-expected")).to_have_text("¥201.90")
    expect(page.get_by_test_id("z-variance")).to_have_text("¥0.00")
    page.screenshot(path="screenshots/till-z-report.png", full_page=True)  # to look at (gitignored)
