"""The customer on their phone: two items picked up at the nearest store and paid at the wallet's (sandbox) cashier;
a delivery order cancelled before picking gives its stock back."""
import re
import time
from decimal import Decimal

import pytest
from flask import request
from playwright.sync_api import Page, expect

from webapp.catalog.models import SKU
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.sales.online.models import OnlineOrder
from webapp.stock import queries as stock_queries
from webapp.stock import services as stock
from webapp.stores.models import Store
from webapp.stores.services import save_store

GOODS = [("西湖龙井茶 250g", "E2E-TEA", "68.00"), ("五芳斋鲜肉粽", "E2E-ZONGZI", "12.50")]


@pytest.fixture(scope="module")
def shops(shop_app):
    """Two stores selling online: one at Wulin (near the customer), one in Binjiang; both have the goods."""
    with shop_app.app_context():
        near = save_store(None, code="WL01", name="武林店", district="拱墅区", city="杭州", latitude=30.2750,
                          longitude=120.1630, address="体育场路 1 号", opening_hours="08:00-22:00")
        far = save_store(None, code="BJ01", name="滨江店", district="滨江区", city="杭州", latitude=30.2080,
                         longitude=120.2110, address="江南大道 1 号", opening_hours="09:00-21:00")
        for store in (near, far):
            store.online_pickup, store.delivery_radius_m = True, 5000
            store.delivery_fee, store.minimum_order = Decimal("5.00"), Decimal("20.00")
            stock.ensure_locations(store)
        skus = {}
        for name, code, price in GOODS:
            sku = save_product(None, name=name, variants=[VariantInput(code=code, list_price=price)]).skus[0]
            for store in (near, far):
                stock.receive(store, sku, 10, "5.00", user=None, document=("opening", "E2E"))
            skus[code] = sku.id
        db.session.commit()
        return {"near": near.id, "far": far.id, "skus": skus}


def add_to_cart(page: Page, shop_url: str, search: str, name: str):
    page.goto(f"{shop_url}/shop/")
    page.get_by_role("searchbox", name="搜索商品").fill(search)
    page.get_by_role("searchbox", name="搜索商品").press("Enter")
    page.get_by_role("link", name=re.compile(name)).click()
    page.get_by_role("button", name="加入购物车").click()
    expect(page.get_by_role("status")).to_contain_text(f"已将 {name}")


def place_order(page: Page):
    page.get_by_role("link", name="去结算").click()
    page.get_by_label("姓名").fill("韩梅梅")
    page.get_by_label("手机号").fill("13612345678")
    page.get_by_role("button", name=re.compile("提交订单")).click()
    expect(page.get_by_text("确认支付")).to_be_visible()  # the wallet's cashier: nothing typed
    page.get_by_role("button", name="确认支付").click()
    expect(page.get_by_role("heading", name=re.compile("订单 "))).to_be_visible()


def test_two_items_picked_up_at_the_nearest_store_and_paid(page: Page, shop_url, shops, shop_app):
    add_to_cart(page, shop_url, "龙井", "西湖龙井茶 250g")
    add_to_cart(page, shop_url, "wfz", "五芳斋鲜肉粽")
    page.get_by_role("navigation", name="商城").get_by_role("link", name="购物车").click()
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.get_by_text("正在使用您的位置")).to_be_visible()
    stores = page.locator(".stores > li")
    expect(stores.first).to_contain_text("武林店")  # nearest first
    expect(stores.nth(1)).to_contain_text("滨江店")
    expect(stores.first).to_contain_text("最近且有货")  # taken for the customer: checkout is one tap away
    expect(page.locator(".go")).to_contain_text("在武林店自提")
    place_order(page)
    expect(page.get_by_text("已支付 ¥80.50")).to_be_visible()
    expect(page.get_by_label("取货码")).to_have_text(re.compile(r"^\d{6}$"))
    expect(page.get_by_role("img").and_(page.locator("svg.qr"))).to_be_visible()
    with shop_app.app_context():
        [order] = db.session.query(OnlineOrder).filter(OnlineOrder.phone == "13612345678").all()
        assert order.order.store_id == shops["near"] and order.is_paid
        expect(page.get_by_label("取货码")).to_have_text(order.pickup_code)


def test_a_delivery_order_cancelled_before_picking_gives_its_stock_back(page: Page, shop_url, shops, shop_app):
    page.on("dialog", lambda dialog: dialog.accept())
    add_to_cart(page, shop_url, "龙井", "西湖龙井茶 250g")
    page.goto(f"{shop_url}/shop/cart")
    page.get_by_role("radio", name="配送").check()
    page.get_by_label("您所在的区").select_option("拱墅区")  # sends the form by itself
    page.wait_for_load_state("networkidle")  # the form comes back before the address is typed into it
    page.get_by_label("配送地址").fill("环城北路 208 号")
    page.get_by_role("button", name="更新").last.click()
    expect(page.get_by_text("由武林店为您配送")).to_be_visible()
    place_order(page)
    with shop_app.app_context():
        store, sku = db.session.get(Store, shops["near"]), db.session.get(SKU, shops["skus"]["E2E-TEA"])
        reserved_before = stock_queries.level_at(store, sku)[1]
    page.get_by_role("button", name="取消订单").click()
    expect(page.get_by_text("已取消").first).to_be_visible()
    with shop_app.app_context():
        store, sku = db.session.get(Store, shops["near"]), db.session.get(SKU, shops["skus"]["E2E-TEA"])
        assert stock_queries.level_at(store, sku)[1] == reserved_before - 1
        db.session.remove()


def test_an_address_typed_while_the_district_is_being_sent_is_kept(page: Page, shop_url, shops, shop_app):
    """Choosing a district sends the form by itself; a customer quick to type the address must not lose it
    when the form comes back."""
    add_to_cart(page, shop_url, "粽", "五芳斋鲜肉粽")
    page.goto(f"{shop_url}/shop/cart")
    page.get_by_role("radio", name="配送").check()
    page.get_by_label("您所在的区").select_option("拱墅区")
    expect(page.get_by_label("配送地址")).to_be_visible()
    page.wait_for_load_state("networkidle")

    def slow_network():  # a phone's slow network: the form is on its way while the customer types
        if request.path == "/shop/cart/fulfilment":
            time.sleep(1)
    shop_app.before_request_funcs.setdefault(None, []).append(slow_network)
    page.get_by_label("您所在的区").evaluate("district => district.dataset.sent = 'yes'")
    try:
        page.get_by_label("您所在的区").select_option("滨江区")
        page.get_by_label("配送地址").fill("江南大道 88 号")
        expect(page.locator("#district[data-sent]")).to_have_count(0)  # the form has come back
    finally:
        shop_app.before_request_funcs[None].remove(slow_network)
    expect(page.get_by_label("您所在的区")).to_have_value("滨江区")
    expect(page.get_by_label("配送地址")).to_have_value("江南大道 88 号")
