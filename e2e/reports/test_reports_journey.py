"""Store manager and HQ: the reports from the top bar, the pickers, a CSV download."""
import csv
import io

import pytest
from playwright.sync_api import Page, expect

from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.sales import services as sales
from webapp.stock import services as stock
from webapp.stores.queries import store_by_code

MANAGER = ("reports-manager", "manager-pass-1")


@pytest.fixture(scope="module")
def shop(live_app):
    """The harness's store with one SKU sold (3 at ¥9.00, cost ¥2.00) and one written off, and its manager.

    (The harness has one store, and other journeys expect just that one.)
    """
    with live_app.app_context():
        store = store_by_code("XH01")
        manager = save_user(None, username=MANAGER[0], display_name="报表店长", role=Role.STORE_MANAGER,
                            stores=[store], password=MANAGER[1])
        tea = save_product(None, name="西湖龙井 250g", variants=[VariantInput(code="RP-TEA", list_price="9.00")]).skus[0]
        stock.receive(store, tea, 10, "2.00", user=None, document=("receipt", "RP-1"))
        order = sales.open_sale(store)
        sales.add_item(order, tea, 3)
        sales.complete_sale(order, [sales.Tender("cash", "27.00")], user=manager, client_uuid="e2e-reports-1")
        stock.write_off(store, tea, 1, user=None, document=("write_off", "RP-W1"))
        db.session.commit()
        return store.id


def test_a_manager_finds_the_hot_sellers_and_downloads_them(page: Page, sign_in, shop):
    sign_in(*MANAGER)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="报表").click()
    expect(page.get_by_role("heading", name="报表")).to_contain_text("西湖一号店")

    page.get_by_role("link", name="热销商品").click()
    row = page.get_by_role("row").filter(has_text="西湖龙井 250g")
    expect(row).to_contain_text("¥27.00")
    expect(row).to_contain_text("¥21.00")  # gross margin: 27.00 − 3 × 2.00

    page.get_by_role("link", name="7 天").click()
    expect(page.get_by_role("link", name="7 天")).to_have_attribute("aria-current", "page")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    [record] = [r for r in csv.DictReader(io.StringIO(text)) if r["SKU"] == "RP-TEA"]
    assert (record["商品"], record["销量"], record["销售额"], record["毛利"]) == ("西湖龙井 250g", "3", "27.00", "21.00")


def test_hq_picks_a_store_without_javascript_and_sees_its_write_offs(page: Page, base_url, sign_in, shop):
    sign_in()
    page.goto(f"{base_url}/manage/reports/chain/write-offs?by=month")
    expect(page.get_by_role("heading", name="报损")).to_contain_text("全部门店")
    page.get_by_label("门店").select_option(label="西湖一号店")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", name="报损")).to_contain_text("西湖一号店")
    expect(page.get_by_role("link", name="按月")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("row").filter(has_text="合计")).to_contain_text("¥2.00")
