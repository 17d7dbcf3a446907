"""A member's journey across channels: enrolled by their first online order; at the till they top up ¥500
(¥50 bonus), pay a basket with stored value and a coupon, earn points; one item comes back: the balance,
points and coupon are exactly right in the ledgers and on the member page."""
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from webapp.auth import customers
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.pos.services import open_shift, save_register
from webapp.promotions import coupons, editing
from webapp.stock import services as stock
from webapp.stores.services import save_store

GOODS = [("有机牛奶 1L", "6900000100011", "60.00"), ("全麦面包", "6900000100028", "40.00")]
PHONE, PASSWORD = "13912345678", "member-pass-1"


@pytest.fixture(scope="module")
def shop(live_app):
    with live_app.app_context():
        store = save_store(None, code="MJ01", name="会员店", kind="direct")
        stock.ensure_locations(store)
        register = save_register(None, store=store, name="1号收银台", receipt_width=80)
        cashier = save_user(None, username="mj-cashier", display_name="钱收银", role=Role.CASHIER, stores=[store],
                            password="mj-cashier-1")
        manager = save_user(None, username="mj-manager", display_name="孙店长", role=Role.STORE_MANAGER,
                            stores=[store], password="mj-manager-1")
        skus = []
        for name, barcode, price in GOODS:
            sku = save_product(None, name=name, variants=[VariantInput(code=f"MJ-{barcode}", list_price=price,
                                                                       barcodes=[barcode])]).skus[0]
            stock.receive(store, sku, 20, "10.00", user=None, document=("opening", "MJ"))
            skus.append(sku)
        from webapp.members import wallet
        from webapp.sales.online import services as online

        wallet.save_rule("500", "50")
        promotion = editing.save(None, editing.PromotionInput(name="会员券减10", kind="threshold",
                                                              tiers=[("50", "10")], everything=True,
                                                              needs_coupon=True), user=None)
        editing.start(promotion)
        coupons.add_codes(promotion, ["MEMBER10"])
        member = customers.sign_up(PHONE, "陈会员", PASSWORD)
        online.place_order(store, member, [(skus[1], 1)], phone=PHONE, contact_name="陈会员",
                           checkout_key="mj-first-order")  # enrols them
        open_shift(register, cashier, "200")
        db.session.commit()
        return {"register": register.id, "member": member.id, "manager": manager.username}


def test_top_up_pay_with_stored_value_and_a_coupon_then_return_one(page: Page, base_url, live_app, shop, sign_in):
    sign_in("mj-cashier", "mj-cashier-1")
    page.goto(f"{base_url}/pos/registers/{shop['register']}")
    page.locator("input[name=member]").fill(PHONE)
    page.get_by_role("button", name="查找会员").click()
    expect(page.get_by_test_id("member")).to_contain_text("陈会员")
    page.get_by_role("button", name="充值").click()
    page.get_by_label("¥500.00").check()
    page.get_by_label("或收取现金").fill("500")
    page.get_by_role("button", name="收款并充值").click()
    expect(page.get_by_test_id("member-receipt")).to_contain_text("¥550.00")

    page.goto(f"{base_url}/pos/registers/{shop['register']}")
    scan = page.locator("#scan-code")
    for _, barcode, _ in GOODS:
        scan.fill(barcode)
        scan.press("Enter")
        page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("total")).to_have_text("¥100.00")
    page.locator("details.order-discount summary", has_text="优惠券").click()
    page.locator("form[hx-post*='/coupons/'] input[name=code]").fill("MEMBER10")
    page.locator("form[hx-post*='/coupons/'] button[type=submit]").click()
    expect(page.get_by_test_id("total")).to_have_text("¥90.00")
    page.locator("button.pay").click()
    page.locator("details.split-pay summary").click()
    page.locator("fieldset[data-method=stored_value] input[name=amount]").fill("90")
    page.get_by_role("button", name="完成收款").click()
    expect(page.get_by_test_id("member-receipt")).to_contain_text("¥460.00")
    expect(page.get_by_test_id("member-receipt")).to_contain_text("本单积分：90")

    with live_app.app_context():  # one 面包 comes back (the returns screen is the till's own journey)
        from webapp.auth.models import User
        from webapp.members import points
        from webapp.members.models import MemberCard
        from webapp.promotions.models import CouponUse
        from webapp.sales import services as sales
        from webapp.sales.models import Order

        sale = db.session.scalar(db.select(Order).where(Order.customer_id == shop["member"], Order.kind == "sale",
                                                        Order.channel == "pos"))
        bread = next(line for line in sale.lines if line.sku.display_name.startswith("全麦"))
        manager = db.session.scalar(db.select(User).where(User.username == shop["manager"]))
        back = sales.return_lines(sale, [(bread, 1)], user=manager, shift=sale.shift, register=sale.register)
        db.session.commit()
        assert back.total == Decimal("36.00")  # 40 less its share of the coupon's 10
        card = db.session.get(MemberCard, shop["member"])
        assert card.balance == Decimal("496.00") and (card.principal, card.bonus) == (Decimal("446.00"),
                                                                                     Decimal("50.00"))
        assert points.balance(shop["member"]) == 90 - 36  # earned on ¥90 paid; ¥36 of it refunded
        state = db.session.scalar(db.select(CouponUse.state).where(CouponUse.order_id == sale.id))
        assert state == "redeemed"  # a part return keeps the coupon used

    page.context.clear_cookies()
    page.goto(f"{base_url}/shop/account/sign-in")
    page.locator("#phone").fill(PHONE)
    page.locator("#password").fill(PASSWORD)
    page.locator("button.primary.wide").click()
    page.wait_for_url("**/shop/orders**")
    page.goto(f"{base_url}/shop/account/member")
    expect(page.get_by_test_id("member-balance")).to_have_text("¥496.00")
    expect(page.get_by_test_id("member-points")).to_have_text("54")
    expect(page.locator("body")).to_contain_text("MEMBER10")
