"""A member's own coupons at the till: when the cashier names the member, the sale panel lists the coupons
given to them that they can use here and now, and one tap applies one through the scanned-code path."""
from datetime import timedelta
from decimal import Decimal

from tests.members.conftest import pay, ring_up
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.members import cards
from webapp.promotions import coupons, editing
from webapp.promotions.models import CouponUse
from webapp.sales.models import Order


def post(client, url, **form):
    return client.post(url, data=form, headers={"HX-Request": "true"})


def given(to, name, save="5", **fields):
    """A running 满20减N coupon promotion with one code given to ``to``; returns the code."""
    values = {"name": name, "kind": "threshold", "tiers": [("20", save)], "everything": True} | fields
    promotion = editing.save(None, editing.PromotionInput(**values), user=None)
    editing.start(promotion)
    return coupons.issue(promotion, 1, owners=[to.id])[0].code


def test_the_till_lists_the_named_members_coupons_and_applies_one_in_one_tap(till, member, stocked, login,
                                                                               make_store):
    code = given(member, "满20减5券")
    given(member, "别店的券", store_ids=[make_store().id])
    given(member, "过期的券", starts_at=utcnow() - timedelta(days=9), ends_at=utcnow() - timedelta(days=1))
    given(member, "网店专用券", channels=["shop"])
    someone, _ = cards.enrol("13700137001", "路人", store=till.store)
    given(someone, "别人的券")
    order = ring_up(till, None, (stocked(till.store, price="12.00"), 2))
    db.session.commit()
    client = login(till.cashier)

    panel = post(client, f"/pos/orders/{order.id}/member", member=member.phone, action="find").get_data(as_text=True)
    assert 'data-testid="member-coupons"' in panel and "满20减5券" in panel
    for not_here in ("别店的券", "过期的券", "网店专用券", "别人的券"):
        assert not_here not in panel
    assert code not in panel.replace(f'value="{code}"', "")  # the code travels in the form, not on screen

    tapped = post(client, f"/manage/promotions/coupons/orders/{order.id}", code=code)
    assert tapped.status_code == 204
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.total == Decimal("19.00")
    use = db.session.scalar(db.select(CouponUse))
    assert (use.state, use.customer_id) == ("held", member.id)
    applied = client.get(f"/pos/registers/{till.register.id}").get_data(as_text=True)
    assert "✓ 满20减5券" in applied

    pay(till, order)
    assert coupons.state_on(order) == [(code, "redeemed")]
    next_sale = ring_up(till, member, (stocked(till.store, price="30.00"), 1))
    assert coupons.usable_by(member.id, till.store, "pos", order_id=next_sale.id) == []  # used once


def test_the_members_coupons_wait_for_the_goods_and_a_tap_that_gives_nothing_is_refused(till, member, stocked,
                                                                                        login):
    code = given(member, "满20减5券")
    order = ring_up(till, member)
    db.session.commit()
    client = login(till.cashier)
    panel = post(client, f"/pos/orders/{order.id}/member", member=member.phone).get_data(as_text=True)
    assert "先扫商品" in panel and "disabled" in panel.split('data-testid="member-coupons"')[1]
    sales_line = stocked(till.store, price="8.00")
    from webapp.sales import services as sales

    sales.add_item(db.session.get(Order, order.id), sales_line, 1)
    db.session.commit()
    refused = post(client, f"/manage/promotions/coupons/orders/{order.id}", code=code)
    assert refused.status_code in (409, 422)
    db.session.expire_all()
    assert db.session.get(Order, order.id).total == Decimal("8.00")


def test_a_coupon_for_a_tier_is_offered_to_that_tier_only(till, member, stocked):
    given(member, "金卡券", member_tiers=["gold"])
    order = ring_up(till, member, (stocked(till.store, price="25.00"), 1))
    assert coupons.usable_by(member.id, till.store, "pos", order_id=order.id) == []
    card = cards.card_of(member)
    card.tier = "gold"
    db.session.flush()
    assert [offer.name for offer in coupons.usable_by(member.id, till.store, "pos", order_id=order.id)] == ["金卡券"]


def test_no_coupon_running_asks_nothing_of_the_database(till, member, app):
    from sqlalchemy import event

    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    coupons.usable_by(member.id, till.store, "pos")  # the rule book, loaded once
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert coupons.usable_by(member.id, till.store, "pos") == []
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert seen == []
