"""Store staff on a phone: transfer 12 units to another store, which sees them on their way,
receives 11 by scanning, and finds the missing one recorded; the ledger still adds up."""
import pytest
from playwright.sync_api import Page, expect

from e2e.harness import sign_in
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.models import SKU
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.stock import queries
from webapp.stock import services as ledger
from webapp.stock.models import StockLevel, Usage
from webapp.stores.models import Store
from webapp.stores.services import save_store

BARCODE = "6920202888883"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def two_stores(stock_app):
    with stock_app.app_context():
        sender = save_store(None, code="TR01", name="调拨 发货店", kind="direct")
        receiver = save_store(None, code="TR02", name="调拨 收货店", kind="direct")
        for store in (sender, receiver):
            ledger.ensure_locations(store)
        sku = save_product(None, name="王老吉 凉茶 310ml", variants=[
            VariantInput(code="WLJ-310", list_price="3.50", barcodes=[BARCODE])]).skus[0]
        ledger.receive(sender, sku, 100, "2.00", user=None, document=("receipt", "E2E"))
        save_user(None, username="sender", display_name="发货员", role=Role.CASHIER, stores=[sender],
                  password="sender-pass-1")
        save_user(None, username="receiver", display_name="收货店长", role=Role.STORE_MANAGER,
                  stores=[receiver], password="receiver-pass-1")
        db.session.commit()
        return sender.id, receiver.id, sku.id


def test_a_transfer_of_12_arrives_11_by_scanning_and_the_short_unit_is_recorded(
        page: Page, stock_url, stock_app, two_stores):
    base_url = stock_url
    sender_id, receiver_id, sku_id = two_stores
    page.set_viewport_size(PHONE)
    page.on("dialog", lambda dialog: dialog.accept())

    sign_in(page, base_url, "sender", "sender-pass-1")
    page.goto(f"{base_url}/stock/stores/{sender_id}/transfers")
    page.get_by_label("调入门店").select_option(label="调拨 收货店")
    page.get_by_role("button", name="新建调拨单").click()
    page.get_by_label("扫码，或输入条码、SKU 编码或名称").fill(BARCODE)
    page.get_by_label("数量").fill("12")
    page.get_by_role("button", name="添加").click()
    expect(page.get_by_label("王老吉 凉茶 310ml 的数量")).to_have_value("12")
    page.get_by_role("button", name="发往 调拨 收货店").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("在途")
    number = page.get_by_role("heading", level=1).inner_text().split()[-1]

    page.context.clear_cookies()
    sign_in(page, base_url, "receiver", "receiver-pass-1")
    page.goto(f"{base_url}/stock/stores/{receiver_id}/transfers")
    on_its_way = page.get_by_role("region", name="在途（发往本店）")
    expect(on_its_way).to_contain_text(number)
    expect(on_its_way).to_contain_text("来自 调拨 发货店")
    on_its_way.get_by_role("link", name=number).click()

    scan = page.get_by_label("开箱逐件扫码")
    for counted in range(1, 12):
        scan.fill(BARCODE)
        scan.press("Enter")
        expect(page.get_by_test_id("received-WLJ-310")).to_have_text(str(counted))
    page.get_by_role("button", name="完成收货").click()

    expect(page.get_by_test_id("transfer-status")).to_have_text("已收货")
    difference = page.get_by_role("listitem").filter(has_text="短少")
    expect(difference).to_contain_text("王老吉 凉茶 310ml × 1")
    expect(difference.get_by_role("button", name="处理")).to_be_visible()

    with stock_app.app_context():
        sender, receiver = db.session.get(Store, sender_id), db.session.get(Store, receiver_id)
        sku = db.session.get(SKU, sku_id)
        assert queries.level_at(sender, sku) == (88, 0)
        assert queries.level_at(receiver, sku) == (11, 0)
        transit = ledger.location(Usage.TRANSIT, receiver)
        in_transit = sum(level.on_hand for level in db.session.scalars(
            db.select(StockLevel).where(StockLevel.location_id == transit.id, StockLevel.sku_id == sku_id)))
        assert in_transit == 1
        assert ledger.chain_on_hand(sku) == 100  # conserved: 88 + 11 + 1 on its way
        db.session.remove()
