"""Coupons: issued, held by a sale, redeemed once, refused the second time, given back by a full refund."""
from decimal import Decimal

import pytest

from tests.conftest import manager_of
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.promotions import coupons
from webapp.promotions.errors import CouponNotValid, CouponUsedUp, DuplicateCouponCode, UnknownCoupon
from webapp.sales import services as sales

D = Decimal


@pytest.fixture
def coupon_sale(make_store, goods, make_till, make_promotion):
    store = make_store()
    till = make_till(store)
    nuts = goods("29.90", stores=[store])
    promotion = make_promotion("threshold", name="满50减8券", tiers=[("50", "8")], everything=True)
    [coupon] = coupons.add_codes(promotion, ["SAVE8NOW"])
    return till, nuts, promotion, coupon


def test_a_coupon_is_redeemed_once_at_the_till_and_refused_the_second_time(coupon_sale):
    till, nuts, _, _ = coupon_sale
    order = till.ring_up((nuts, 2))
    assert order.total == D("59.80")  # the promotion needs its code
    coupons.hold(order, "save8now ")
    coupons.hold(order, "SAVE8NOW")  # scanned twice: still once
    assert order.total == D("51.80")
    done = sales.complete_sale(order, [sales.Tender("cash", "51.80")], user=till.cashier, client_uuid="c1")
    assert coupons.state_on(done) == [("SAVE8NOW", "redeemed")]
    second = till.ring_up((nuts, 2))
    with pytest.raises(CouponUsedUp):
        coupons.hold(second, "SAVE8NOW")


def test_a_full_refund_gives_the_coupon_back(coupon_sale):
    till, nuts, _, _ = coupon_sale
    order = till.ring_up((nuts, 2))
    coupons.hold(order, "SAVE8NOW")
    sale = sales.complete_sale(order, [sales.Tender("cash", "51.80")], user=till.cashier, client_uuid="c2")
    first = sales.return_lines(sale, [(sale.lines[0], 1)], user=till.cashier, shift=till.shift,
                               register=till.register, approver=manager_of(till.store))
    assert coupons.state_on(sale) == [("SAVE8NOW", "redeemed")]  # a partial return keeps it used
    back = sales.return_lines(sale, [(sale.lines[0], 1)], user=till.cashier, shift=till.shift,
                              register=till.register, approver=manager_of(till.store))
    assert first.total + back.total == D("51.80")  # exactly what was paid
    assert coupons.state_on(sale) == [("SAVE8NOW", "returned")]
    again = till.ring_up((nuts, 2))
    coupons.hold(again, "SAVE8NOW")
    assert again.total == D("51.80")


def test_a_coupon_below_its_minimum_spend_or_unknown_is_refused(coupon_sale):
    till, nuts, _, _ = coupon_sale
    order = till.ring_up((nuts, 1))
    with pytest.raises(CouponNotValid):
        coupons.hold(order, "SAVE8NOW")
    assert order.total == D("29.90") and coupons.state_on(order) == []
    with pytest.raises(UnknownCoupon):
        coupons.hold(order, "NOSUCH\x00")


def test_codes_are_unique_across_campaigns(coupon_sale, make_promotion):
    other = make_promotion("percent", percent="10", everything=True)
    with pytest.raises(DuplicateCouponCode):
        coupons.add_codes(other, ["SAVE8NOW"])
    made = coupons.issue(other, 50, prefix="vip")
    assert len({c.code for c in made}) == 50 and all(c.code.startswith("VIP") for c in made)


def test_the_cashier_scans_a_coupon_into_the_sale(coupon_sale, login):
    till, nuts, promotion, _ = coupon_sale
    order = till.ring_up((nuts, 2))
    client = login(till.cashier)
    response = client.post(f"/manage/promotions/coupons/orders/{order.id}", data={"code": "SAVE8NOW"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 204
    db.session.expire_all()
    assert order.total == D("51.80")
    response = client.post(f"/manage/promotions/coupons/orders/{order.id}", data={"code": "WRONG"},
                           headers={"HX-Request": "true", "Accept-Language": "en"})
    assert response.status_code == 422 and "no coupon" in response.get_data(as_text=True)


def test_the_manager_makes_codes_with_qr(coupon_sale, make_user, login):
    _, _, promotion, _ = coupon_sale
    client = login(make_user(role=Role.HQ_ADMIN))
    response = client.post(f"/manage/promotions/{promotion.id}/coupons", data={"count": "3", "uses": "1"})
    assert response.status_code == 303
    page = client.get(f"/manage/promotions/{promotion.id}/coupons").get_data(as_text=True)
    assert page.count('data-testid="coupon"') == 4 and "<svg" in page
    response = client.post(f"/manage/promotions/{promotion.id}/coupons", data={"codes": "SAVE8NOW"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
