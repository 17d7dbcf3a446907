"""A store manager on a phone (390×844): replenishment suggestion → purchase order → sent →
received by scanning with one line short → the order is partly received, and on hand and the
average cost are exactly what the delivery makes them."""
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.models import SKU
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.purchasing import suppliers
from webapp.stock import services as stock
from webapp.stores.models import Store

MANAGER = ("po-manager", "po-manager-pass-1")
NOODLES = ("康师傅 红烧牛肉面 袋装", "6921168509256", "16921168509253")  # name, unit barcode, case barcode
COLA = ("可口可乐 汽水 330ml", "6928804011173")


@pytest.fixture(scope="module")
def shop(live_app):
    """Noodles: 20 in at ¥2.00, 14 sold this week (6 left); cola: 10 in at ¥1.50, 7 sold (3 left).
    The wholesaler sells noodles in cases of 12 at ¥2.50 and cola in sixes at ¥1.80, in 2 days."""
    with live_app.app_context():
        store = db.session.query(Store).filter_by(code="XH01").one()
        save_user(None, username=MANAGER[0], display_name="周店长", role=Role.STORE_MANAGER, stores=[store],
                  password=MANAGER[1])
        noodles = save_product(None, name=NOODLES[0], variants=[
            VariantInput(code="KSF-HS", list_price="3.50", barcodes=[NOODLES[1]])]).skus[0]
        cola = save_product(None, name=COLA[0], variants=[
            VariantInput(code="KKKL-330", list_price="3.00", barcodes=[COLA[1]])]).skus[0]
        supplier = suppliers.save_supplier(None, name="杭州西溪饮品批发", lead_time_days=2, minimum_order="0")
        suppliers.save_item(supplier, noodles, cost_price="2.50", pack_size="12", pack_barcode=NOODLES[2])
        suppliers.save_item(supplier, cola, cost_price="1.80", pack_size="6")
        stock.receive(store, noodles, 20, "2.00", user=None, document=("opening", "E2E"))
        stock.receive(store, cola, 10, "1.50", user=None, document=("opening", "E2E"))
        stock.sell(store, noodles, 14, user=None, document=("sale", "E2E-1"))
        stock.sell(store, cola, 7, user=None, document=("sale", "E2E-2"))
        db.session.commit()
        return store.id, noodles.id, cola.id


def scan(page: Page, code: str):
    """A scan as bridge.js hands it to the page (from the bridge, or a keyboard-wedge scanner)."""
    page.evaluate("""code => document.body.dispatchEvent(new CustomEvent("bridge:scan",
        {detail: {code: code, device: null, source: "keyboard"}, bubbles: true}))""", code)


def type_code(page: Page, code: str):
    """No scanner at hand: the code typed into the field, then Enter."""
    page.get_by_placeholder("扫描或输入条码").fill(code)
    page.get_by_placeholder("扫描或输入条码").press("Enter")


def test_a_suggestion_becomes_an_order_that_is_received_one_line_short(page: Page, base_url, sign_in, shop, live_app):
    store_id, noodles_id, cola_id = shop
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(*MANAGER)

    page.get_by_role("link", name="采购", exact=True).click()
    page.get_by_role("link", name="补货建议").click()
    # noodles: 2 a day × (2 + 7) + 2 safety = 20 − 6 = 14 → two cases (24); cola: 1 × 9 + 1 − 3 = 7 → 12
    suggestions = page.get_by_role("table")
    expect(suggestions.get_by_role("row").filter(has_text=NOODLES[0])).to_contain_text("24")
    expect(suggestions.get_by_role("row").filter(has_text=COLA[0])).to_contain_text("12")
    page.get_by_role("button", name="为 杭州西溪饮品批发 生成采购单").click()

    expect(page.get_by_test_id("order-status")).to_have_text("草稿")
    expect(page.get_by_role("row").filter(has_text=NOODLES[0])).to_contain_text("¥60.00")
    page.get_by_role("button", name="发送给供应商").click()
    expect(page.get_by_test_id("order-status")).to_have_text("已发出")

    page.get_by_role("button", name="收货入库").click()
    expect(page.get_by_role("heading", name="入库单")).to_be_visible()
    scan(page, NOODLES[2])  # a case: 12
    expect(page.get_by_test_id("row-KSF-HS").get_by_test_id("scanned")).to_have_text("12")
    type_code(page, NOODLES[2])
    expect(page.get_by_test_id("row-KSF-HS").get_by_test_id("scanned")).to_have_text("24")
    for count in range(1, 7):  # six cans of cola, one by one: half of the twelve ordered
        scan(page, COLA[1])
        expect(page.get_by_test_id("row-KKKL-330").get_by_test_id("scanned")).to_have_text(str(count))

    page.reload()  # the phone lost its connection: the scans are kept on the server
    expect(page.get_by_test_id("row-KKKL-330")).to_contain_text("差 6")
    expect(page.get_by_role("list", name="确认前请核对")).to_contain_text(f"{COLA[0]}：比订单少 6。")
    page.get_by_role("button", name="确认收货").click()
    expect(page.get_by_test_id("note-status")).to_have_text("已确认")
    expect(page.get_by_text("商品已入库")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^PO-")).click()
    expect(page.get_by_test_id("order-status")).to_have_text("部分到货")

    page.goto(f"{base_url}/stock/stores/{store_id}/skus/{noodles_id}")
    expect(page.get_by_test_id("on-hand")).to_have_text("30")
    expect(page.get_by_text("¥2.40")).to_be_visible()  # (6 × 2.00 + 24 × 2.50) / 30
    page.goto(f"{base_url}/stock/stores/{store_id}/skus/{cola_id}")
    expect(page.get_by_test_id("on-hand")).to_have_text("9")
    expect(page.get_by_text("¥1.70")).to_be_visible()  # (3 × 1.50 + 6 × 1.80) / 9
    with live_app.app_context():
        costs = {sku.id: sku.cost for sku in db.session.query(SKU).filter(SKU.id.in_([noodles_id, cola_id]))}
    assert costs == {noodles_id: Decimal("2.40"), cola_id: Decimal("1.70")}
