"""The store manager on a phone (390×844): signs in and lands on today's dashboard, sees a till sale
rung up in another browser appear by itself, drills from a KPI down to its orders, and turns an
out-of-stock alert into the draft purchase order it promises. Screenshots land in test-results/manage/."""
import os
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.pos.services import open_shift, save_register
from webapp.purchasing.suppliers import save_item, save_supplier
from webapp.sales import services as sales
from webapp.stock import services as stock
from webapp.stores.services import save_store

MANAGER = ("mg-manager", "mg-manager-1")
CASHIER = ("mg-cashier", "mg-cashier-1")
PHONE = {"width": 390, "height": 844}
SHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     "test-results", "manage")


@pytest.fixture(scope="module")
def shop(live_app):
    """A store of its own: a manager, a cashier at an open till, tea in stock, milk sold out (with a
    supplier, so replenishment suggests it), and one sale taken back (a return)."""
    with live_app.app_context():
        store = save_store(None, code="MG01", name="武林店", kind="direct")
        stock.ensure_locations(store)
        manager = save_user(None, username=MANAGER[0], display_name="武林店长", role=Role.STORE_MANAGER,
                            stores=[store], password=MANAGER[1])
        cashier = save_user(None, username=CASHIER[0], display_name="武林收银", role=Role.CASHIER, stores=[store],
                            password=CASHIER[1])
        register = save_register(None, store=store, name="武林1号机", receipt_width=80)
        open_shift(register, cashier, "100.00")
        tea = save_product(None, name="龙井茶饮 500ml", variants=[VariantInput(
            code="MG-TEA", list_price="9.00", barcodes=["6901234567892"])]).skus[0]
        milk = save_product(None, name="纯牛奶 250ml", variants=[VariantInput(code="MG-MILK", list_price="3.00")]).skus[0]
        stock.receive(store, tea, 20, "4.00", user=None, document=("receipt", "MG-1"))
        stock.receive(store, milk, 2, "1.50", user=None, document=("receipt", "MG-2"))
        supplier = save_supplier(None, name="武林乳业", lead_time_days=2)
        save_item(supplier, milk, cost_price="1.50")
        sold = _sell(store, milk, 2, cashier)  # milk is out now, and selling
        sales.return_lines(sold, [(sold.lines[0], 1)], user=manager, refund_method="cash")
        stock.write_off(store, milk, 1, user=None, document=("write_off", "MG-W1"))  # the returned carton: damaged
        db.session.commit()
        return {"store_id": store.id, "register_id": register.id, "returned": sold.number}


def _sell(store, sku, qty, cashier):
    order = sales.open_sale(store)
    sales.add_item(order, sku, qty)
    return sales.complete_sale(order, [sales.Tender("cash", str(order.total))], user=cashier,
                               client_uuid=str(uuid.uuid4()))


@pytest.fixture
def phone(page: Page, sign_in, shop):
    page.set_viewport_size(PHONE)
    sign_in(*MANAGER)
    return page


def shot(page: Page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_manager_lands_on_the_dashboard_and_a_till_sale_appears_by_itself(phone: Page, browser: Browser,
                                                                            base_url, shop):
    page = phone
    assert page.url == f"{base_url}/manage/"
    expect(page.get_by_role("heading", level=1)).to_have_text("今日 武林店")
    sales_figure = page.locator("[data-figure=sales]")
    expect(sales_figure).to_have_text("¥6.00")  # the milk sold this morning
    expect(page.get_by_role("status")).to_contain_text("每 5 秒刷新")
    shot(page, "dashboard-390")

    # The cashier, in another browser, scans the tea at the till and takes cash.
    till = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    try:
        counter = till.new_page()
        counter.goto(f"{base_url}/login")
        counter.get_by_label("用户名").fill(CASHIER[0])
        counter.get_by_label("密码").fill(CASHIER[1])
        counter.get_by_role("button", name="登录").click()
        expect(counter).to_have_url(f"{base_url}/pos/")
        counter.goto(f"{base_url}/pos/registers/{shop['register_id']}")
        counter.locator("#scan-code").fill("6901234567892")
        counter.locator("#scan-code").press("Enter")
        expect(counter.locator("#sale")).to_contain_text("龙井茶饮 500ml")
        pay_url = counter.locator("#sale button.pay").get_attribute("hx-get")
        token = counter.locator("meta[name=csrf-token]").get_attribute("content")
        paid = till.request.post(f"{base_url}{pay_url}", headers={"X-CSRFToken": token, "HX-Request": "true"},
                                 form={"method": "cash", "amount": "9.00", "auth_code": "",
                                       "client_uuid": str(uuid.uuid4())})
        assert paid.status == 204, paid.text()
    finally:
        till.close()

    # Within the refresh interval the manager's phone shows it, without a reload.
    expect(sales_figure).to_have_text("¥15.00", timeout=7_000)
    expect(page.locator("[data-figure=orders]")).to_have_text("2")


def test_a_kpi_drills_down_to_its_orders(phone: Page, shop):
    page = phone
    page.get_by_role("link", name="经营指标").click()
    returns = page.locator("#kpi-returns")
    expect(returns.get_by_role("link")).to_contain_text("%")
    shot(page, "kpis-390")
    returns.get_by_role("link").click()
    expect(page.get_by_role("heading", name="售后（退货）率")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=shop["returned"])).to_contain_text("¥3.00")
    shot(page, "kpi-returns-390")


def test_an_out_of_stock_alert_makes_the_draft_purchase_order_it_promises(phone: Page, shop):
    page = phone
    alert = page.locator(".alert-out").filter(has_text="纯牛奶 250ml")
    expect(alert).to_be_visible()
    alert.get_by_role("button", name="生成采购草稿").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("采购单")
    expect(page.get_by_text("武林乳业").first).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="纯牛奶 250ml")).to_be_visible()
    expect(page.get_by_text("草稿").first).to_be_visible()
    shot(page, "alert-draft-order-390")
