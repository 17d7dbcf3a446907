"""A member's own coupons: the cashier names the member, the sale panel lists their coupons and one tap
applies one; in the shop the signed-in member's cart offers them and one tap uses one. Screenshots of both
at a phone's and a tablet's size land in screenshots/ for a person to look at."""
import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import ROOT
from webapp.auth import customers
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, brand_by_name, save_product
from webapp.extensions import db
from webapp.pos.services import open_shift, save_register
from webapp.promotions import coupons, editing
from webapp.stock import services as stock
from webapp.stores.services import save_store

PHONE, PASSWORD = "13912340077", "member-pass-1"
SHOTS = os.path.join(ROOT, "screenshots")


@pytest.fixture(scope="module")
def shop(live_app):
    with live_app.app_context():
        store = save_store(None, code="MC01", name="券店", kind="direct", city="杭州", district="西湖区",
                           latitude=30.2750, longitude=120.1630, address="文三路 9 号", opening_hours="00:00-24:00")
        store.online_pickup, store.minimum_order = True, Decimal("0.00")
        stock.ensure_locations(store)
        register = save_register(None, store=store, name="1号收银台", receipt_width=80)
        cashier = save_user(None, username="mc-cashier", display_name="周收银", role=Role.CASHIER, stores=[store],
                            password="mc-cashier-1")
        sku = save_product(None, name="康师傅 冰红茶 1L", brand=brand_by_name("康师傅"), variants=[
            VariantInput(code="MC-TEA", list_price="12.00", barcodes=["6900000200018"])]).skus[0]
        stock.receive(store, sku, 40, "6.00", user=None, document=("opening", "MC"))
        member = customers.sign_up(PHONE, "吴会员", PASSWORD)
        for name, spend, save in (("满20减5券", "20", "5"), ("满30减8券", "30", "8")):
            promotion = editing.save(None, editing.PromotionInput(name=name, kind="threshold", tiers=[(spend, save)],
                                                                  everything=True), user=None)
            editing.start(promotion)
            coupons.issue(promotion, 1, owners=[member.id])
        open_shift(register, cashier, "200")
        db.session.commit()
        return {"register": register.id}


def shot(page: Page, name: str):
    os.makedirs(SHOTS, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=os.path.join(SHOTS, f"{name}_{size['width']}x{size['height']}.png"), full_page=True)


def test_the_till_applies_the_members_own_coupon_in_one_tap(page: Page, base_url, shop, sign_in):
    sign_in("mc-cashier", "mc-cashier-1")
    page.goto(f"{base_url}/pos/registers/{shop['register']}")
    scan = page.locator("#scan-code")
    scan.fill("6900000200018")
    scan.press("Enter")
    page.wait_for_load_state("networkidle")
    scan.fill("6900000200018")
    scan.press("Enter")
    expect(page.get_by_test_id("total")).to_have_text("¥24.00")
    page.locator("input[name=member]").fill(PHONE)
    page.get_by_role("button", name="查找会员").click()
    offers = page.get_by_test_id("member-coupons")
    expect(offers).to_contain_text("满20减5券")
    expect(offers).to_contain_text("满30减8券")
    shot(page, "till_member_coupons")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "till_member_coupons")
    page.set_viewport_size({"width": 1024, "height": 768})
    offers.get_by_role("button", name=re.compile("满20减5券")).click()  # one tap
    expect(page.get_by_test_id("total")).to_have_text("¥19.00")
    expect(page.get_by_test_id("member-coupons")).to_contain_text("✓ 满20减5券")


def test_the_cart_offers_the_members_own_coupons(page: Page, base_url, shop):
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base_url}/shop/account/sign-in")
    page.locator("#phone").fill(PHONE)
    page.locator("#password").fill(PASSWORD)
    page.locator("button.primary.wide").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{base_url}/shop/")
    page.get_by_role("searchbox", name="搜索商品").fill("冰红茶")
    page.get_by_role("searchbox", name="搜索商品").press("Enter")
    expect(page.locator("#results")).to_be_visible()  # the search has come back (the home page may show it too)
    page.get_by_role("link", name=re.compile("冰红茶")).first.click()
    page.get_by_role("button", name="加入购物车").click()
    expect(page.get_by_role("status")).to_contain_text("已将")  # in the cart before going there
    page.goto(f"{base_url}/shop/cart")
    mine = page.get_by_test_id("my-coupons")
    expect(mine).to_contain_text("满30减8券")
    expect(mine).not_to_contain_text("满20减5券")  # held by the till's open sale
    shot(page, "cart_member_coupons")
    page.set_viewport_size({"width": 1024, "height": 768})
    shot(page, "cart_member_coupons")


def test_hq_gives_a_product_its_brand_and_a_promotion_its_brands(page: Page, base_url, shop, sign_in):
    sign_in()  # the HQ admin
    page.goto(f"{base_url}/admin/products/?q=冰红茶")
    page.get_by_role("link", name=re.compile("冰红茶")).first.click()
    brand = page.get_by_label("品牌")
    expect(brand).to_have_value("康师傅")
    for size in ({"width": 390, "height": 844}, {"width": 1024, "height": 768}):
        page.set_viewport_size(size)
        shot(page, "product_form_brand")
    brand.fill("统一")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("body")).to_contain_text("已保存")
    page.goto(f"{base_url}/manage/promotions/new/percent")
    expect(page.get_by_label("统一")).to_be_visible()
    for size in ({"width": 390, "height": 844}, {"width": 1024, "height": 768}):
        page.set_viewport_size(size)
        shot(page, "promotion_form_brands")
