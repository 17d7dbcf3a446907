"""积分 ×2 from the promotion editor to the receipt: HQ gives a 折扣 double points (a multiplier of 12 is
refused with the reason first), starts it; a cashier sells the goods to a member who pays with stored
value, and the receipt's points line says what multiplied them."""
import uuid

import pytest
from playwright.sync_api import Page, expect

from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.members import cards, wallet
from webapp.pos import services as pos
from webapp.sales.services import Tender
from webapp.stock import services as stock
from webapp.stores.services import save_store

PHONE = "13912340022"
TEA = ("西湖龙井 50g", "PM-TEA", "6900000000229", "20.00")


@pytest.fixture(scope="module")
def tea_shop(live_app):
    with live_app.app_context():
        store = save_store(None, code="PM01", name="积分试点店", kind="direct")
        stock.ensure_locations(store)
        register = pos.save_register(None, store=store, name="积分收银台", receipt_width=80)
        cashier = save_user(None, username="pm-cashier", display_name="何收银", role=Role.CASHIER, stores=[store],
                            password="pm-cashier-1")
        shift = pos.open_shift(register, cashier, "200")
        name, code, barcode, price = TEA
        product = save_product(None, name=name, variants=[VariantInput(code=code, list_price=price,
                                                                       barcodes=[barcode])])
        stock.receive(store, product.skus[0], 20, "8.00", user=None, document=("opening", "PM"))
        member, _ = cards.enrol(PHONE, "周会员", store=store)
        wallet.top_up(member, "100", [Tender("cash", "100")], store=store, user=cashier, register=register,
                      shift=shift, client_uuid=str(uuid.uuid4()))
        db.session.commit()
        return {"register": register.id}


def test_a_double_points_promotion_shows_on_the_members_receipt(page: Page, base_url, sign_in, tea_shop):
    sign_in()
    page.goto(f"{base_url}/manage/promotions/new/percent")
    page.get_by_label("顾客看到的名称").fill("龙井双倍积分")
    page.get_by_label("减百分比").fill("10")
    page.get_by_label("SKU 编码（用空格分隔）").fill(TEA[1])
    page.get_by_label("适用商品的积分倍数（积分 ×N）").fill("12")
    page.get_by_role("button", name="保存并预览").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("积分倍数须在 1 到 10 之间")
    page.get_by_label("适用商品的积分倍数（积分 ×N）").fill("2")
    page.get_by_role("button", name="保存并预览").click()
    expect(page.get_by_test_id("points-multiplier")).to_have_text("积分 ×2")
    page.get_by_role("button", name="开始").click()
    expect(page.get_by_test_id("status")).to_have_text("进行中")
    page.get_by_role("button", name="退出登录").click()

    sign_in("pm-cashier", "pm-cashier-1")
    page.goto(f"{base_url}/pos/registers/{tea_shop['register']}")
    page.locator("input[name=member]").fill(PHONE)
    page.get_by_role("button", name="查找会员").click()
    expect(page.get_by_test_id("member")).to_contain_text("周会员")
    scan = page.locator("#scan-code")
    for _ in range(2):
        scan.fill(TEA[2])
        scan.press("Enter")
        page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("total")).to_have_text("¥36.00")  # 2 × 20.00 − 10 %
    page.locator("button.pay").click()
    page.locator("details.split-pay summary").click()
    page.locator("fieldset[data-method=stored_value] input[name=amount]").fill("36")
    page.get_by_role("button", name="完成收款").click()
    receipt = page.get_by_test_id("member-receipt")
    expect(receipt).to_contain_text("本单积分：72（促销商品 ×2）")  # 36 yuan × 2, a regular member (×1)
    expect(receipt).to_contain_text("¥64.00")
