"""A member pays online with what their card holds (#13): one order part by stored value and the rest at the
wallet's (sandbox) cashier; another with points applied, cancelled: the points come back on the member page.
On a phone, in Chinese, against a server of its own. ``MEMBERPAY_SHOTS=dir`` keeps screenshots of the order
and member pages at 390×844 and 1024×768."""
import os
import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from e2e.harness import fresh_app, serving
from webapp.auth import customers
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.stock import services as stock
from webapp.stores.services import save_store

PHONE, PASSWORD = "13712345678", "member-pay-1"
PHONE_SIZE, TABLET_SIZE = {"width": 390, "height": 844}, {"width": 1024, "height": 768}


@pytest.fixture(scope="module")
def member_app(tmp_path_factory):
    app = fresh_app(tmp_path_factory, "memberpay")
    with app.app_context():
        from webapp.members import cards, wallet
        from webapp.pos.services import open_shift, save_register
        from webapp.sales import services as sales
        from webapp.sales.services import Tender

        store = save_store(None, code="MP01", name="储值店", kind="direct", city="杭州", district="西湖区",
                           latitude=30.2590, longitude=120.1300, address="南山路 1 号", opening_hours="08:00-22:00")
        store.online_pickup, store.delivery_radius_m = True, 5000
        stock.ensure_locations(store)
        for name, code, price in (("桂花糕", "MP-CAKE", "80.00"), ("龙井茶包", "MP-TEA", "20.00")):
            sku = save_product(None, name=name, variants=[VariantInput(code=code, list_price=price)]).skus[0]
            stock.receive(store, sku, 20, "5.00", user=None, document=("opening", "MP"))
        register = save_register(None, store=store, name="1号收银台", receipt_width=80)
        cashier = save_user(None, username="mp-cashier", display_name="钱收银", role=Role.CASHIER, stores=[store],
                            password="mp-cashier-1")
        shift = open_shift(register, cashier, "200")
        member = customers.sign_up(PHONE, "周会员", PASSWORD)
        cards.card_of(member, store)
        wallet.top_up(member, "300", [Tender("cash", "300")], store=store, user=cashier, register=register,
                      shift=shift, client_uuid=str(uuid.uuid4()))
        cards.settings().points_per_yuan_earned = 50
        sale = sales.open_sale(store, register, shift, cashier)
        sales.name_member(sale, member)
        sales.add_item(sale, sku, 1)  # ¥20 in cash at the till: 1,000 points
        sales.complete_sale(sale, [Tender("cash", "20.00")], user=cashier, client_uuid=str(uuid.uuid4()))
        db.session.commit()
    return app


@pytest.fixture(scope="module")
def member_url(member_app):
    with serving(member_app) as url:
        yield url


def shoot(page: Page, name: str):
    folder = os.environ.get("MEMBERPAY_SHOTS")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for label, size in (("390x844", PHONE_SIZE), ("1024x768", TABLET_SIZE)):
        page.set_viewport_size(size)
        page.screenshot(path=os.path.join(folder, f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(PHONE_SIZE)


def order_with_membership(page: Page, url: str, search: str, name: str):
    """Add one item, pick it up at 储值店, and choose stored value and points at checkout: the order page."""
    page.goto(f"{url}/shop/")
    page.get_by_role("searchbox", name="搜索商品").fill(search)
    page.get_by_role("searchbox", name="搜索商品").press("Enter")
    page.get_by_role("link", name=re.compile(name)).click()
    page.get_by_role("button", name="加入购物车").click()
    expect(page.get_by_role("status")).to_contain_text(f"已将 {name}")
    page.goto(f"{url}/shop/cart")
    page.get_by_role("link", name="去结算").click()
    page.get_by_role("radio", name=re.compile("会员储值和积分")).check()
    page.get_by_role("button", name=re.compile("提交订单")).click()
    expect(page.get_by_role("heading", name="用会员储值和积分支付")).to_be_visible()


def test_pay_part_by_stored_value_then_cancel_an_order_with_points(contexts, member_url, member_app):
    page = contexts(PHONE_SIZE, is_mobile=True, has_touch=True, geolocation={"latitude": 30.2590,
                                                                            "longitude": 120.1300},
                    permissions=["geolocation"])
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{member_url}/shop/account/sign-in")
    page.locator("#phone").fill(PHONE)
    page.locator("#password").fill(PASSWORD)
    page.locator("button.primary.wide").click()
    page.wait_for_url("**/shop/orders**")

    # ¥80 of 桂花糕: ¥50 from stored value, the rest at the wallet's cashier
    order_with_membership(page, member_url, "桂花糕", "桂花糕")
    expect(page.get_by_text("储值余额 ¥300.00 · 1000 积分（可抵 ¥10.00）")).to_be_visible()
    shoot(page, "order-before")
    page.get_by_label("使用储值（元）").fill("50")
    page.get_by_label(re.compile("使用积分")).fill("")
    page.get_by_role("button", name="用于此订单").click()
    expect(page.get_by_text("应付：¥30.00")).to_be_visible()
    expect(page.get_by_test_id("order-frozen")).to_contain_text("冻结中：储值 ¥50.00。")
    shoot(page, "order-part-paid")
    page.get_by_role("button", name="使用微信支付").click()
    page.wait_for_url("**/shop/sandbox-pay?**")
    expect(page.locator("#amount")).to_have_text("¥30.00")  # the cashier asks for the rest only
    page.get_by_role("button", name="确认支付").click()
    expect(page.get_by_text("已支付 ¥80.00")).to_be_visible()

    # ¥20 of 龙井茶包 with 500 points applied, then cancelled: the points come back
    order_with_membership(page, member_url, "龙井", "龙井茶包")
    page.get_by_label("使用储值（元）").fill("")
    page.get_by_label(re.compile("使用积分")).fill("500")
    page.get_by_role("button", name="用于此订单").click()
    expect(page.get_by_text("应付：¥15.00")).to_be_visible()
    number = re.search(r"订单 (\S+)", page.get_by_role("heading", level=1).inner_text()).group(1)
    order_url = page.url
    page.goto(f"{member_url}/shop/account/member")
    expect(page.get_by_test_id("member-balance")).to_have_text("¥250.00")
    expect(page.get_by_test_id("member-points")).to_have_text("500")
    expect(page.get_by_test_id("frozen-points")).to_have_text(f"冻结中 500 积分 · 订单 {number}")
    shoot(page, "member-frozen")
    page.goto(order_url)
    page.get_by_role("button", name="取消订单").click()
    expect(page.get_by_text("已取消").first).to_be_visible()
    page.goto(f"{member_url}/shop/account/member")
    expect(page.get_by_test_id("member-points")).to_have_text("1000")
    expect(page.get_by_test_id("frozen-points")).to_have_count(0)
    expect(page.get_by_test_id("member-balance")).to_have_text("¥250.00")

    with member_app.app_context():
        from webapp.members.models import MemberCard

        member = customers.customer_by_phone(PHONE)
        card = db.session.get(MemberCard, member.id)
        assert (card.principal, card.bonus) == (Decimal("250.00"), Decimal("0.00"))
        db.session.remove()
