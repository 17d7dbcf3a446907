"""Referral: a friend who signs up by a member's link is recorded; when their first order is complete and
past the return window, both get the coupon; self-referral and unknown codes are refused."""
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.conftest import manager_of
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.outreach import errors, referrals
from webapp.outreach.models import MemberCoupon, Referral, ReferralState
from webapp.promotions import coupons
from webapp.sales import services as sales


def coupons_of(person):
    return [c for _given, c, state in referrals.coupons_of(person)]


def signed_up_by(client, code, phone, name="新朋友"):
    assert client.get(f"/shop/invite/{code}").status_code == 200
    response = client.post("/shop/account/sign-up", data={"phone": phone, "name": name, "password": "friend-pass-1"})
    assert response.status_code == 303, response.get_data(as_text=True)
    return db.session.scalar(db.select(Referral).join(Referral.friend).where(db.text("users.phone = :p"))
                             .params(p=phone))


def test_a_friend_signing_up_by_the_link_is_recorded_and_both_get_a_coupon_after_the_return_window(
        client, member, bought, make_sku):
    inviter = member("老王")
    db.session.commit()
    referral = signed_up_by(client, referrals.code_of(inviter), "13700001111")
    assert (referral.referrer_id, referral.state) == (inviter.id, ReferralState.SIGNED_UP)
    friend = referral.friend
    order = bought(friend, (make_sku(price="30.00"), 1), days_ago=3)
    assert referrals.settle() == {"rewarded": 0, "returned": 0, "refused": 0}  # still inside the 7-day window
    assert referrals.settle(now=order.completed_at + timedelta(days=7, minutes=1))["rewarded"] == 1
    assert referral.state == ReferralState.REWARDED
    mine, theirs = coupons_of(inviter), coupons_of(friend)
    assert len(mine) == len(theirs) == 1 and mine[0].code != theirs[0].code
    assert mine[0].promotion.params["tiers"] == [["20.00", "10.00"]]
    assert referrals.settle(now=utcnow() + timedelta(days=30))["rewarded"] == 0  # once
    assert db.session.scalar(db.select(db.func.count(MemberCoupon.id))) == 2


def test_the_reward_coupon_takes_ten_yuan_off_at_the_till(member, bought, make_sku, till):
    inviter, friend = member(), member()
    referrals.record(friend, referrals.code_of(inviter))
    bought(friend, (make_sku(), 1), days_ago=8)
    referrals.settle()
    code = coupons_of(friend)[0].code
    order = till.sale()
    sales.add_item(order, make_sku(price="25.00"), 1)
    coupons.hold(order, code)
    assert order.total == Decimal("15.00")


def test_ones_own_link_is_refused(client, member):
    me = member()
    db.session.commit()
    with pytest.raises(errors.SelfReferral):
        referrals.record(me, referrals.code_of(me))
    client.post("/shop/account/sign-in", data={"phone": me.phone, "password": "secret-pass-1"})
    page = client.get(f"/shop/invite/{referrals.code_of(me)}")
    assert page.status_code == 422
    assert "自己的邀请" in page.get_data(as_text=True) or "own invitation" in page.get_data(as_text=True)


def test_an_unknown_or_forged_code_is_refused(client, member):
    someone = member()
    db.session.commit()
    real = referrals.code_of(someone)
    for bad in ("NOPE", real[:-1] + ("A" if real[-1] != "A" else "B"), "\x00", "x" * 200):
        with pytest.raises(errors.UnknownReferralCode):
            referrals.referrer_of_code(bad)
    assert client.get("/shop/invite/NOPE2345").status_code == 404


def test_a_customer_who_bought_before_is_no_new_friend(member, bought, make_sku):
    inviter, old_hand = member(), member()
    bought(old_hand, (make_sku(), 1))
    with pytest.raises(errors.NotANewCustomer):
        referrals.record(old_hand, referrals.code_of(inviter))


def test_a_first_order_returned_in_full_earns_nothing(member, bought, make_sku, till):
    inviter, friend = member(), member()
    referrals.record(friend, referrals.code_of(inviter))
    order = bought(friend, (make_sku(price="12.00"), 1), days_ago=10)
    sales.return_lines(order, [(order.lines[0], Decimal(1))], user=till.cashier, shift=till.shift,
                       register=till.register, approver=manager_of(till.store))
    assert referrals.settle()["returned"] == 1
    assert coupons_of(inviter) == coupons_of(friend) == []


def test_a_first_order_placed_with_the_referrers_phone_is_refused(member, bought, make_sku):
    from webapp.sales.online.models import OnlineOrder

    inviter, friend = member(), member()
    referrals.record(friend, referrals.code_of(inviter))
    order = bought(friend, (make_sku(), 1), days_ago=10)
    db.session.add(OnlineOrder(order_id=order.id, customer_id=friend.id, fulfilment="pickup", phone=inviter.phone,
                               pickup_code="123456", pickup_token="t" * 32, access_token="a" * 32,
                               checkout_key="k1"))
    db.session.flush()
    assert referrals.settle()["refused"] == 1
    assert coupons_of(inviter) == []


def test_the_referrer_sees_their_invites_and_coupons(client, member):
    inviter, friend = member("老王"), member("小李", phone="13711112222")
    referrals.record(friend, referrals.code_of(inviter))
    db.session.commit()
    client.post("/shop/account/sign-in", data={"phone": inviter.phone, "password": "secret-pass-1"})
    page = client.get("/shop/invite").get_data(as_text=True)
    assert "137****2222" in page
    assert referrals.code_of(inviter) in page
    assert "<svg" in page
