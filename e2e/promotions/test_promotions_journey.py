"""The manager's promotions journey and the same basket online and at the till:
满100减10 on a category and 第二件半价 on a drink are set up, previewed, simulated and started; a customer's
online cart and a cashier's till sale of the same basket cost the same, with the reasons on screen and on
the receipt."""
import re

import pytest
from playwright.sync_api import Page, expect

from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, category_by_path, save_product
from webapp.extensions import db
from webapp.pos import services as pos
from webapp.stock import services as stock
from webapp.stores.services import save_store

NUTS = ("三只松鼠 每日坚果", "PR-NUTS", "6900000000106", "29.90")
COLA = ("可口可乐 330ml", "PR-COLA", "6900000000113", "3.50")
TOTAL = "¥114.85"  # 4 × 29.90 − 10 (满100减10) + 3.50 + 1.75 (第二件半价)


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
