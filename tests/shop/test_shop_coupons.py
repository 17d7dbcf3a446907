"""A coupon typed in the shop's cart: priced through the one seam, refused in words when it cannot be used,
held by the online order, redeemed once when paid, given back when the order is cancelled."""
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.shop.conftest import WEST_LAKE, WULIN
from tests.shop.test_online_orders import PAID_CODE as PAID
from tests.shop.test_shop_pages import add, checkout, choose, only_order
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.promotions import coupons, editing
from webapp.promotions.models import CouponUse
from webapp.sales.online import services as online

D = Decimal


@pytest.fixture
def west(online_store):
    return online_store(WEST_LAKE, "西湖区", name="西湖店")


def coupon(code="SAVE8NOW", uses=1, **fields):
    values = {"name": "满30减8券", "kind": "threshold", "tiers": [("30", "8")], "everything": True} | fields
    promotion = editing.save(None, editing.PromotionInput(**values), user=None)
    editing.start(promotion)
    coupons.add_codes(promotion, [code], uses=uses)
    return promotion


def use(client, code):
    return client.post("/shop/cart/coupon", data={"code": code})


def cart_page(client):
    return client.get("/shop/cart").get_data(as_text=True)


def test_a_typed_coupon_prices_the_cart_and_the_order_and_is_redeemed_once(client, west, stocked):
    tea = stocked({west: 9}, price="8.00")
    coupon()
    db.session.commit()
    add(client, tea, "4")
    choose(client, fulfilment="pickup", store=west.id)
    assert use(client, " save8now ").status_code == 303
    page = cart_page(client)
    assert "SAVE8NOW" in page and "24.00" in page  # 32.00 less 8.00
    assert checkout(client, password="my-password-1").status_code == 303
    order = only_order()
    assert order.order.total == D("24.00") and order.is_paid
    assert coupons.state_on(order.order) == [("SAVE8NOW", "redeemed")]
    assert "SAVE8NOW" not in cart_page(client)  # the order holds it now; the cart is empty
    # The same code again, in a new cart: used.
    add(client, tea, "4")
    refused = use(client, "SAVE8NOW")
    assert refused.status_code == 409 and "已被使用" in refused.get_data(as_text=True)


@pytest.mark.parametrize("case, said", [
    ("unknown", "没有券码 NOSUCH1"),
    ("expired", "已过期或已停用"),
    ("other store", "不能在西湖店使用"),
    ("till only", "仅限门店使用"),
    ("below the minimum", "对当前购物车暂不优惠"),
])
def test_a_coupon_that_cannot_be_used_here_is_refused_with_the_reason(client, west, online_store, stocked, case,
                                                                        said):
    elsewhere = online_store(WULIN, "拱墅区", name="武林店")
    tea = stocked({west: 9}, price="8.00")
    fields = {"expired": {"ends_at": utcnow() - timedelta(hours=1), "starts_at": utcnow() - timedelta(days=2)},
              "other store": {"store_ids": [elsewhere.id]}, "till only": {"channels": ["pos"]},
              "below the minimum": {"tiers": [("100", "8")]}}.get(case, {})
    coupon("NOSUCH0" if case == "unknown" else "SAVE8NOW", **fields)
    db.session.commit()
    add(client, tea, "4")
    choose(client, fulfilment="pickup", store=west.id)
    refused = use(client, "NOSUCH1" if case == "unknown" else "SAVE8NOW")
    assert refused.status_code in (409, 422)
    assert said in refused.get_data(as_text=True)
    assert "取消使用" not in cart_page(client)


def test_hostile_codes_are_refused_in_words(client, west, stocked):
    tea = stocked({west: 9}, price="8.00")
    db.session.commit()
    add(client, tea, "1")
    for code in ("A\x00B", "x" * 5000, "", "满减券"):
        response = use(client, code)
        assert response.status_code in (400, 409, 422), code


def test_a_cancelled_order_gives_its_coupon_back(west, stocked, customer, place):
    tea = stocked({west: 9}, price="8.00")
    coupon()
    order = place(west, (tea, 4), coupon_code="SAVE8NOW")
    assert order.order.total == D("24.00")
    assert coupons.state_on(order.order) == [("SAVE8NOW", "held")]
    online.cancel(order, by_customer=True)
    assert coupons.state_on(order.order) == [("SAVE8NOW", "returned")]
    again = place(west, (tea, 4), coupon_code="SAVE8NOW")
    assert again.order.total == D("24.00")


def test_a_retried_payment_redeems_the_coupon_once(west, stocked, customer, place):
    tea = stocked({west: 9}, price="8.00")
    coupon()
    order = place(west, (tea, 4), coupon_code="SAVE8NOW")
    online.pay(order, "wechat", PAID)
    assert coupons.state_on(order.order) == [("SAVE8NOW", "redeemed")]
    assert db.session.query(CouponUse).count() == 1
