"""HQ admin: a product with a barcode, received into a store, seen on hand and in the ledger."""
from playwright.sync_api import Page, expect


def test_hq_admin_creates_a_product_receives_it_and_sees_it_in_the_ledger(page: Page, base_url, sign_in):
    sign_in()
    expect(page.get_by_role("heading", level=1)).to_contain_text("今日")  # HQ lands on the dashboard
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="总部").click()
    expect(page.get_by_role("heading", name="总部")).to_be_visible()

    page.get_by_role("link", name="商品").first.click()
    page.get_by_role("link", name="新建商品").click()
    page.get_by_label("商品名称").fill("统一 老坛酸菜牛肉面 120g")
    page.get_by_label("SKU 编码").fill("TY-LTSC-120")
    page.get_by_label("零售价").fill("4.50")
    page.get_by_label("条码（用空格分隔）").fill("6925303721367")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存。")).to_be_visible()
    expect(page.get_by_text("统一 老坛酸菜牛肉面 120g")).to_be_visible()

    page.get_by_role("link", name="门店", exact=True).click()
    page.get_by_role("listitem").filter(has_text="西湖一号店").get_by_role("link", name="库存 ›").click()
    page.get_by_role("link", name="收货入库").click()
    page.get_by_label("条码或 SKU 编码").fill("6925303721367")
    page.get_by_label("数量").fill("10")
    page.get_by_label("单位成本（元）").fill("3.20")
    page.get_by_role("button", name="确认入库").click()

    expect(page.get_by_role("heading", name="统一 老坛酸菜牛肉面 120g")).to_be_visible()
    expect(page.get_by_test_id("on-hand")).to_have_text("10")
    move = page.get_by_role("row").filter(has_text="入库")
    expect(move).to_contain_text("+10")
    expect(move).to_contain_text("总部管理员")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Stock moves")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Received")).to_contain_text("+10")
    page.get_by_role("button", name="中文").click()  # the admin's choice is kept: later journeys sign in as them
    expect(page.get_by_role("heading", name="库存流水")).to_be_visible()
