"""A flash sale's late buyer: the last mooncake went to someone else while they were at the checkout.
They are told at once, on a small page of its own, that nothing was ordered or charged, and are one tap
from their cart (which shows what the store has left)."""
import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from webapp.catalog.models import SKU
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.sales.online.models import OnlineOrder
from webapp.shop.models import Cart
from webapp.stock import services as stock
from webapp.stock.models import Reservation, StockLevel
from webapp.stores.models import Store
from webapp.stores.services import save_store

SHOTS = "screenshots"  # (ignored by git) to look at


@pytest.fixture(scope="module")
def sale(shop_app):
    """One store with the last mooncake on its shelf."""
    with shop_app.app_context():
        store = save_store(None, code="XH01", name="西湖店", district="西湖区", city="杭州", latitude=30.2590,
                           longitude=120.1300, address="南山路 1 号", opening_hours="08:00-22:00")
        store.online_pickup = True
        stock.ensure_locations(store)
        sku = save_product(None, name="限量流心月饼", variants=[VariantInput(code="E2E-MOON", list_price="88.00")]).skus[0]
        stock.receive(store, sku, 1, "40.00", user=None, document=("opening", "E2E"))
        db.session.commit()
        return {"store": store.id, "sku": sku.id}


@pytest.mark.parametrize("size", [(390, 844), (1024, 768)])
def test_a_late_buyer_is_told_sold_out_at_once_and_keeps_their_cart(page: Page, shop_url, sale, shop_app, size):
    os.makedirs(SHOTS, exist_ok=True)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{shop_url}/shop/")
    page.get_by_role("searchbox", name="搜索商品").fill("月饼")
    page.get_by_role("searchbox", name="搜索商品").press("Enter")
    page.get_by_role("link", name=re.compile("限量流心月饼")).click()
    page.get_by_role("button", name="加入购物车").click()
    expect(page.get_by_role("status")).to_contain_text("已将 限量流心月饼")
    with shop_app.app_context():  # the customer picks the store up front (so the sale knows where)
        cart = db.session.scalars(select(Cart).order_by(Cart.id.desc())).first()
        cart.store_id = sale["store"]
        db.session.commit()
    page.goto(f"{shop_url}/shop/cart")
    expect(page.locator(".stores > li.chosen")).to_contain_text("西湖店")
    page.get_by_role("link", name="去结算").click()
    page.get_by_label("姓名").fill("李雷")
    page.get_by_label("手机号").fill("13712345678")
    with shop_app.app_context():  # meanwhile, someone else takes the last one
        stock.reserve(db.session.get(Store, sale["store"]), db.session.get(SKU, sale["sku"]), 1,
                      document=("order", f"SOMEONE-{size[0]}"))
        db.session.commit()
    try:
        page.get_by_role("button", name=re.compile("提交订单")).click()
        expect(page.get_by_role("heading", name="已售罄")).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("限量流心月饼")
        expect(page.get_by_text("没有下单，也没有扣款")).to_be_visible()
        page.screenshot(path=f"{SHOTS}/flash-sale-sold-out-{size[0]}.png", full_page=True)
        for name in ("返回购物车", "继续逛逛"):
            box = page.get_by_role("link", name=name).bounding_box()
            assert box["height"] >= 44, (name, box)
        page.get_by_role("link", name="返回购物车").click()
        expect(page.get_by_text("限量流心月饼").first).to_be_visible()  # the cart is kept
    finally:
        with shop_app.app_context():
            for reservation in db.session.scalars(select(Reservation).where(
                    Reservation.document_id == f"SOMEONE-{size[0]}", Reservation.status == "active")):
                stock.release(reservation)
            db.session.commit()
    with shop_app.app_context():
        assert db.session.query(OnlineOrder).filter(OnlineOrder.phone == "13712345678").count() == 0
        level = db.session.scalars(select(StockLevel).where(StockLevel.sku_id == sale["sku"])).one()
        assert (level.on_hand, level.reserved) == (Decimal("1.000"), Decimal("0.000"))  # nothing held for them
