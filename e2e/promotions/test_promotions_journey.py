"""The manager's promotions journey and the same basket online and at the till:
满100减10 on a category and 第二件半价 on a drink are set up, previewed, simulated and started; a customer's
online cart and a cashier's till sale of the same basket cost the same, with the reasons on screen and on
the receipt; a partial return refunds exactly the stored allocation; a coupon is redeemed once at the till
and refused the second time, and a coupon typed in the shop's cart prices the cart."""
import re

import pytest
from playwright.sync_api import Page, expect

from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, category_by_path, save_product
from webapp.extensions import db
from webapp.pos import services as pos
from webapp.promotions import coupons, editing
from webapp.stock import services as stock
from webapp.stores.services import save_store

NUTS = ("三只松鼠 每日坚果", "PR-NUTS", "6900000000106", "29.90")
COLA = ("可口可乐 330ml", "PR-COLA", "6900000000113", "3.50")
TOTAL = "¥114.85"  # 4 × 29.90 − 10 (满100减10) + 3.50 + 1.75 (第二件半价)
ONE_NUT_BACK = "¥27.40"  # the nuts' line as stored: 119.60 − 10.00 = 109.60, one of four
TILL_COUPON, SHOP_COUPON = "PRTILL5OFF", "PRSHOP5OFF"


@pytest.fixture(scope="module")
def promo_shop(live_app):
    with live_app.app_context():
        store = save_store(None, code="PR01", name="促销试点店", kind="direct", city="杭州", district="西湖区",
                           latitude=30.259, longitude=120.13, opening_hours="08:00-22:00")
        store.online_pickup, store.pay_at_pickup = True, True
        stock.ensure_locations(store)
        register = pos.save_register(None, store=store, name="促销收银台", receipt_width=80)
        cashier = save_user(None, username="pr-cashier", display_name="吴收银", role=Role.CASHIER, stores=[store],
                            password="pr-cashier-1")
        pos.open_shift(register, cashier, "200")
        pos.set_pin(save_user(None, username="pr-manager", display_name="郑店长", role=Role.STORE_MANAGER,
                              stores=[store], password="pr-manager-1"), "2468")  # approves the refund
        coupon = editing.save(None, editing.PromotionInput(name="满30减5券", kind="threshold", tiers=[("30", "5")],
                                                           everything=True), user=None)
        editing.start(coupon)
        coupons.add_codes(coupon, [TILL_COUPON, SHOP_COUPON])  # single use each
        ids = {}
        for (name, code, barcode, price), category in ((NUTS, "零食/坚果"), (COLA, "饮料")):
            product = save_product(None, name=name, variants=[VariantInput(code=code, list_price=price,
                                                                           barcodes=[barcode])])
            product.category = category_by_path(category)
            stock.receive(store, product.skus[0], 50, "1.00", user=None, document=("opening", "PR"))
            ids[code] = product.id
        db.session.commit()
        return {"register": register.id, "products": ids}


def test_promotions_from_setup_to_the_till_and_the_shop(page: Page, base_url, sign_in, promo_shop):
    # The manager: 满100减10 on the snacks category, previewed, then started.
    sign_in()
    page.goto(f"{base_url}/manage/promotions")
    page.get_by_role("link", name=re.compile("^满减")).click()
    page.get_by_label("顾客看到的名称").fill("零食满100减10")
    page.get_by_label("满（元）").first.fill("100")
    page.get_by_label("减（元）").first.fill("10")
    page.get_by_label("零食", exact=True).check()
    page.get_by_role("button", name="保存并预览").click()
    expect(page.get_by_test_id("sample").first).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("草稿")
    page.get_by_role("button", name="开始").click()
    expect(page.get_by_test_id("status")).to_have_text("进行中")

    # 第二件半价 on the cola: the preview names the running promotion; the margin simulation; start.
    page.goto(f"{base_url}/manage/promotions/new/nth_item")
    page.get_by_label("顾客看到的名称").fill("可乐第二件半价")
    page.get_by_label("该件减百分比").fill("50")
    page.get_by_label("SKU 编码（用空格分隔）").fill(COLA[1])
    page.get_by_role("button", name="保存并预览").click()
    expect(page.get_by_test_id("conflicts")).to_be_visible()
    page.get_by_role("link", name="毛利测算").click()
    page.get_by_role("button", name="开始测算").click()
    expect(page.get_by_test_id("static-label")).to_have_text("静态回放：假设需求不变")
    page.get_by_role("link", name="返回活动").click()
    page.get_by_role("button", name="开始").click()
    expect(page.get_by_test_id("status")).to_have_text("进行中")

    # The customer's online cart: 4 nuts and 2 colas.
    page.get_by_role("button", name="退出登录").click()
    for code, quantity in ((NUTS[1], "4"), (COLA[1], "2")):
        page.goto(f"{base_url}/shop/products/{promo_shop['products'][code]}")
        page.get_by_label("数量").fill(quantity)
        expect(page.get_by_label("数量")).to_have_value(quantity)
        page.get_by_role("button", name="加入购物车").click()
        expect(page.get_by_role("status")).to_contain_text("已将")
    page.goto(f"{base_url}/shop/cart")
    why = page.get_by_test_id("why")
    expect(why).to_contain_text("零食满100减10")
    expect(why).to_contain_text("可乐第二件半价")
    expect(page.locator("#cart .total strong")).to_have_text(TOTAL)

    # The cashier rings up the same basket: the same total, the same reasons, on the receipt too.
    sign_in("pr-cashier", "pr-cashier-1")
    page.goto(f"{base_url}/pos/registers/{promo_shop['register']}")
    for count, barcode in enumerate([NUTS[2]] * 4 + [COLA[2]] * 2, start=1):
        page.locator("#scan-code").fill(barcode)
        with page.expect_response(lambda response: "/scan" in response.url) as answer:
            page.locator("#scan-code").press("Enter")
        assert answer.value.status == 200
        expect(page.locator(".sale-head .muted")).to_contain_text("1 行" if count <= 4 else "2 行")
    expect(page.get_by_test_id("total")).to_have_text(TOTAL)
    expect(page.get_by_test_id("why")).to_contain_text("零食满100减10")
    page.get_by_role("button", name=f"收款 {TOTAL}").click()
    page.get_by_role("button", name="现金 ¥200.00").click()  # the notes handed over, one tap
    expect(page.get_by_test_id("change-large")).to_have_text("¥85.15")
    expect(page.get_by_role("heading", name="收款完成")).to_be_visible()
    expect(page.get_by_test_id("receipt-total")).to_have_text(TOTAL)
    expect(page.locator(".why-promotion").first).to_be_visible()

    # A partial return: one bag of nuts back. The refund is that bag's share of the line as stored with the
    # sale (满100减10 included), never a new pricing.
    number = page.locator("h1 code").inner_text()
    page.get_by_role("link", name="下一单").click()
    page.get_by_role("link", name="退货").click()
    page.get_by_label("小票号").fill(number)
    page.get_by_role("button", name="查找销售单").click()
    expect(page.get_by_role("heading", name=f"退货：{number}")).to_be_visible()
    page.get_by_label(f"本次退货: {NUTS[0]}").fill("1")
    page.get_by_label("现金").check()
    page.get_by_label("店长授权码").fill("2468")
    page.get_by_role("button", name="确认退货退款").click()
    expect(page.get_by_text("退款合计")).to_be_visible()
    expect(page.get_by_test_id("receipt-total")).to_have_text(ONE_NUT_BACK)

    # A coupon at the till: redeemed once ...
    for attempt in (1, 2):
        page.goto(f"{base_url}/pos/registers/{promo_shop['register']}")
        for _ in range(2):
            page.locator("#scan-code").fill(NUTS[2])
            with page.expect_response(lambda response: "/scan" in response.url):
                page.locator("#scan-code").press("Enter")
        expect(page.get_by_test_id("total")).to_have_text("¥59.80")
        page.locator("summary", has_text="优惠券").click()
        page.get_by_label("券码").fill(TILL_COUPON)
        page.locator("form[hx-post*='coupon']").get_by_role("button", name="应用").click()
        if attempt == 1:
            expect(page.get_by_test_id("total")).to_have_text("¥54.80")
            expect(page.get_by_test_id("why")).to_contain_text("满30减5券")
            page.get_by_role("button", name="收款 ¥54.80").click()
            page.get_by_role("button", name="现金 ¥100.00").click()
            expect(page.get_by_role("heading", name="收款完成")).to_be_visible()
            expect(page.get_by_test_id("receipt-total")).to_have_text("¥54.80")
        else:
            # ... and refused the second time, in words, the price unchanged.
            expect(page.locator("#toasts")).to_contain_text(f"券码 {TILL_COUPON} 已被使用")
            expect(page.get_by_test_id("total")).to_have_text("¥59.80")

    # A coupon typed in the shop's cart: the cart is priced with it; the used till code is refused there too.
    page.get_by_role("button", name="退出登录").click()
    page.context.clear_cookies()  # another customer: a cart of their own
    page.goto(f"{base_url}/shop/products/{promo_shop['products'][NUTS[1]]}")
    page.get_by_label("数量").fill("2")
    expect(page.get_by_label("数量")).to_have_value("2")
    page.get_by_role("button", name="加入购物车").click()
    expect(page.get_by_role("status")).to_contain_text("已将")
    page.goto(f"{base_url}/shop/cart")
    page.get_by_label("券码").fill(TILL_COUPON)
    page.get_by_role("button", name="使用优惠券").click()
    expect(page.locator("#coupon-error")).to_contain_text("已被使用")
    page.get_by_label("券码").fill(SHOP_COUPON.lower())
    page.get_by_role("button", name="使用优惠券").click()
    expect(page.locator("#coupon")).to_contain_text(SHOP_COUPON)
    expect(page.locator("#cart .total strong")).to_have_text("¥54.80")
