"""Store staff count a category on their phones (390×844): a cashier scans and types, the
system says 80 where the shelf has 100 and 12 where it has 9; a manager approves, and each
SKU's ledger shows the adjustment and on hand equals what was counted."""
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, category_by_path, save_product
from webapp.extensions import db
from webapp.stock import services as stock
from webapp.stores.models import Store

PHONE = {"width": 390, "height": 844}
GOODS = [("可口可乐 330ml", "6900000000113", 80), ("汇源 果汁 1L", "6900000000120", 12),
         ("农夫山泉 550ml", "6900000000137", 30)]


@pytest.fixture(scope="module")
def shop(live_app):
    """The harness's store with a manager and a cashier; three drinks in stock, and crisps in another category.

    The journeys share one live database: this one adds no store, so others still find only theirs.
    """
    with live_app.app_context():
        store = db.session.scalar(select(Store).where(Store.code == "XH01"))
        save_user(None, username="pd-manager", display_name="孙店长", role=Role.STORE_MANAGER, stores=[store],
                  password="pd-manager-1")
        save_user(None, username="pd-cashier", display_name="钱收银", role=Role.CASHIER, stores=[store],
                  password="pd-cashier-1")
        drinks = category_by_path("饮料")
        for name, barcode, qty in GOODS:
            product = save_product(None, name=name, category=drinks,
                                   variants=[VariantInput(code=f"PD-{barcode}", list_price="5.00", barcodes=[barcode])])
            stock.receive(store, product.skus[0], qty, "2.00", user=None, document=("opening", "PD"))
        crisps = save_product(None, name="乐事薯片", category=category_by_path("零食"),
                              variants=[VariantInput(code="PD-CRISPS", list_price="7.50")])
        stock.receive(store, crisps.skus[0], 5, "4.00", user=None, document=("opening", "PD"))
        db.session.commit()
        return {"store_id": store.id}


def phone(browser: Browser, browser_context_args, base_url, username, password) -> Page:
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    return page


def test_a_category_count_with_a_gain_and_a_loss_is_approved_into_the_ledger(
        browser: Browser, browser_context_args, base_url, shop):
    manager = phone(browser, browser_context_args, base_url, "pd-manager", "pd-manager-1")
    manager.goto(f"{base_url}/stock/")
    manager.get_by_role("link", name="盘点与报损").click()
    manager.get_by_text("新建盘点").click()
    manager.get_by_label("盘点范围").select_option(label="单个分类（抽盘）")
    manager.get_by_label("分类").select_option(label="饮料")
    manager.get_by_role("button", name="开始盘点").click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("盘点 PD-")
    expect(manager.get_by_text("分类 饮料 · 盲盘")).to_be_visible()
    count_url = manager.url

    cashier = phone(browser, browser_context_args, base_url, "pd-cashier", "pd-cashier-1")
    cashier.goto(count_url)
    code = cashier.get_by_label("条码或 SKU 编码")
    # 100 colas on the front shelf: type the quantity, then scan with the phone's keyboard-wedge scanner.
    cashier.get_by_label("数量或重量（千克）").fill("100")
    cashier.get_by_label("位置（货架、仓库……）").fill("前排货架")
    code.focus()
    cashier.keyboard.type("6900000000113")
    cashier.keyboard.press("Enter")
    expect(cashier.get_by_role("status")).to_contain_text("已盘点 100 × 可口可乐 330ml")
    # Juice and water: typed codes with typed quantities; one wrong barcode is explained.
    code.fill("6900000000999")
    cashier.get_by_role("button", name="计入盘点").click()
    expect(cashier.get_by_role("alert")).to_contain_text("没有条码或编码为 6900000000999 的商品")
    code.fill("6900000000120")
    cashier.get_by_label("数量或重量（千克）").fill("9")
    cashier.get_by_role("button", name="计入盘点").click()
    expect(cashier.get_by_role("status")).to_contain_text("已盘点 9 × 汇源 果汁 1L")
    # Water through the bridge's scanner: the scan event carries the code, the typed quantity goes with it.
    expect(code).to_be_focused()  # the screen is settled and ready for the next scan
    cashier.get_by_label("数量或重量（千克）").fill("30")
    cashier.evaluate("document.body.dispatchEvent(new CustomEvent('bridge:scan', "
                     "{bubbles: true, detail: {code: '6900000000137', device: 'scanner-1', source: 'bridge'}}))")
    expect(cashier.get_by_role("status")).to_contain_text("已盘点 30 × 农夫山泉 550ml")
    entries = cashier.get_by_role("table")
    expect(entries).to_contain_text("前排货架")
    expect(entries).not_to_contain_text("系统数量")  # a blind count
    # A cashier cannot approve: the report is a manager's page.
    response = cashier.goto(count_url + "/report")
    assert response.status == 403

    manager.goto(count_url)
    manager.get_by_role("link", name="盘点差异表").click()
    expect(manager.get_by_test_id("gain")).to_contain_text("20 · ¥40.00")
    expect(manager.get_by_test_id("loss")).to_contain_text("-3 · -¥6.00")
    expect(manager.get_by_text("未盘点")).to_have_count(0)  # every drink was counted
    manager.once("dialog", lambda dialog: dialog.accept())
    manager.get_by_role("button", name="审核盘点").click()
    expect(manager.get_by_role("status")).to_contain_text("盘点已审核")
    expect(manager.get_by_role("button", name="审核盘点")).to_have_count(0)

    for name, counted, move in (("可口可乐 330ml", "100", "+20"), ("汇源 果汁 1L", "9", "−3")):
        manager.get_by_role("link", name=name).click()
        expect(manager.get_by_test_id("on-hand")).to_have_text(counted)
        adjustment = manager.get_by_role("row").filter(has_text="盘点").first
        expect(adjustment).to_contain_text(move)
        manager.go_back()
    manager.context.close()
    cashier.context.close()
