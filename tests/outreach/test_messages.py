"""Messages to a segment go through the outbox once per member, with a coupon each, honouring opt-outs
and the frequency cap; journeys (birthday, win-back, back in stock) never send twice."""
from datetime import date, timedelta

import pytest

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.outreach import errors, messages, segments, tags
from webapp.outreach import settings as chain
from webapp.outreach.models import MemberCoupon, MemberMessage, StockSeen
from webapp.outreach.segments import Rule
from webapp.stock import services as stock


def outbox(member=None):
    query = db.select(MemberMessage).order_by(MemberMessage.id)
    if member is not None:
        query = query.where(MemberMessage.customer_id == member.id)
    return list(db.session.scalars(query))


@pytest.fixture
def crowd(member, bought, make_sku):
    """Three new members who bought, one of them tagged VIP by hand; tags computed."""
    sku = make_sku(price="20.00")
    people = [member("王芳"), member("李强"), member("张伟")]
    for person in people:
        bought(person, (sku, 1), days_ago=1)
    tags.add_manual(people[0].id, "VIP")
    tags.recompute()
    return people


def test_all_any_and_none_of_tags_select_the_right_members(crowd):
    assert segments.count(Rule(all_tags=["rfm:new"])) == 3
    assert segments.count(Rule(all_tags=["rfm:new", "manual:VIP"])) == 1
    assert segments.count(Rule(any_tags=["manual:VIP", "rfm:lost"])) == 1
    assert segments.count(Rule(all_tags=["rfm:new"], none_tags=["manual:VIP"])) == 2


def test_a_segment_without_tags_or_with_an_unknown_tag_is_refused(crowd):
    with pytest.raises(errors.SegmentNeedsATag):
        segments.save("空", Rule(), user=None)
    with pytest.raises(errors.UnknownTag):
        segments.save("错", Rule(all_tags=["rfm:nonsense"]), user=None)
    with pytest.raises(errors.SegmentNameInvalid):
        segments.save(" ", Rule(all_tags=["rfm:new"]), user=None)


def coupon_promotion():
    return chain.reward_promotion("birthday")


def test_a_message_reaches_the_outbox_once_per_member_with_a_coupon_each_not_the_opted_out(crowd):
    tags.profile(crowd[2].id, make=True).opted_out = True
    segment = segments.save("新客", Rule(all_tags=["rfm:new"]), user=None)
    assert messages.dry_run(Rule.of(segment)) == {"members": 3, "opted_out": 1, "capped": 0, "receiving": 2}
    campaign = messages.send_to_segment(segment, "{name}您好,送您优惠券 {coupon}", coupon_promotion(), user=None)
    assert (campaign.queued, campaign.skipped_opted_out, campaign.skipped_capped) == (2, 1, 0)
    sent = outbox()
    assert sorted(m.customer_id for m in sent) == sorted([crowd[0].id, crowd[1].id])
    codes = {m.customer_id: db.session.get(MemberCoupon, m.customer_id) for m in sent}
    given = {c.customer_id: c.coupon.code for c in db.session.scalars(db.select(MemberCoupon))}
    assert len(set(given.values())) == 2 and codes
    for message in sent:
        assert given[message.customer_id] in message.body
        assert "/shop/unsubscribe/" in message.body
    assert sent[0].body.startswith("王芳您好")


def test_the_frequency_cap_holds_back_a_third_message_in_a_week(crowd):
    segment = segments.save("新客", Rule(all_tags=["rfm:new"]), user=None)
    for _ in range(2):
        messages.send_to_segment(segment, "周末特惠,{name}", None, user=None)
    third = messages.send_to_segment(segment, "又一条", None, user=None)
    assert (third.queued, third.skipped_capped) == (0, 3)
    later = messages.send_to_segment(segment, "一周后", None, user=None, now=utcnow() + timedelta(days=8))
    assert later.queued == 3


@pytest.mark.parametrize("body, promotion, refusal", [
    ("", False, errors.MessageInvalid),
    ("x" * 301, False, errors.MessageInvalid),
    ("您好 {nmae}", False, errors.UnknownPlaceholder),
    ("送您一张券", True, errors.MissingPlaceholder),
    ("券码 {coupon}", False, errors.CouponNeeded),
])
def test_a_message_with_a_bad_placeholder_is_refused_and_nothing_is_queued(crowd, body, promotion, refusal):
    segment = segments.save("新客", Rule(all_tags=["rfm:new"]), user=None)
    with pytest.raises(refusal):
        messages.send_to_segment(segment, body, coupon_promotion() if promotion else None, user=None)
    db.session.rollback()
    assert outbox() == []


def test_an_empty_segment_is_refused(crowd):
    segment = segments.save("VIP但非新客", Rule(all_tags=["manual:VIP"], none_tags=["rfm:new"]), user=None)
    with pytest.raises(errors.EmptySegment):
        messages.send_to_segment(segment, "您好", None, user=None)


def test_the_outbox_is_sent_by_the_configured_sender_and_a_failure_stays(crowd, app, monkeypatch):
    from webapp.sales import notify

    got = []

    class Flaky:
        def send(self, phone, body):
            if phone == crowd[1].phone:
                raise RuntimeError("gateway down")
            got.append(phone)

    notify.register_sender("flaky-test", Flaky)
    monkeypatch.setitem(app.config, "NOTIFICATION_SENDER", "flaky-test")
    segment = segments.save("新客", Rule(all_tags=["rfm:new"]), user=None)
    messages.send_to_segment(segment, "您好", None, user=None)
    assert messages.send_pending() == 2
    assert sorted(got) == sorted([crowd[0].phone, crowd[2].phone])
    failed = [m for m in outbox() if m.sent_at is None]
    assert [(m.customer_id, m.error) for m in failed] == [(crowd[1].id, "gateway down")]


def test_the_unsubscribe_link_opts_the_member_out(crowd, client):
    segment = segments.save("新客", Rule(all_tags=["rfm:new"]), user=None)
    messages.send_to_segment(segment, "您好", None, user=None)
    db.session.commit()
    link = outbox(crowd[0])[0].body.split("/shop/unsubscribe/")[1]
    assert client.get(f"/shop/unsubscribe/{link}").status_code == 200
    assert client.post(f"/shop/unsubscribe/{link}").status_code == 200
    assert tags.profile(crowd[0].id).opted_out
    assert client.get("/shop/unsubscribe/forged-token").status_code == 404
    assert messages.dry_run(Rule.of(segment))["opted_out"] == 1


def test_birthday_coupon_once_a_year(member, bought, make_sku):
    someone = member("寿星")
    tags.profile(someone.id, make=True).birthday = date(1990, 3, 14)
    assert messages.birthdays(today=date(2026, 3, 13)) == 0
    assert messages.birthdays(today=date(2026, 3, 14)) == 1
    assert messages.birthdays(today=date(2026, 3, 14)) == 0
    message = outbox(someone)[0]
    assert message.kind == "birthday" and message.coupon_id is not None


def test_win_back_after_n_days_without_a_visit_once_per_visit(member, bought, make_sku):
    sleeper, regular = member("老客"), member("常客")
    sku = make_sku()
    bought(sleeper, (sku, 1), days_ago=61)
    bought(regular, (sku, 1), days_ago=5)
    tags.recompute()
    assert messages.win_back() == 1
    assert messages.win_back() == 0
    assert [m.kind for m in outbox(sleeper)] == ["win_back"]
    assert outbox(regular) == []


def test_a_favourite_back_in_stock_is_told_to_its_fans_once(member, bought, make_sku, till):
    fan = member("咖啡迷")
    coffee = make_sku(name="冰美式")
    stock.receive(till.store, coffee, 5, "2.00", user=None, document=("receipt", "R1"))
    bought(fan, (coffee, 1), days_ago=3)
    bought(fan, (coffee, 1), days_ago=1)
    tags.recompute()
    assert f"product:{coffee.product_id}" in tags.tags_of(fan.id)
    assert messages.back_in_stock() == 0  # first run: remembers what is in stock
    db.session.get(StockSeen, coffee.product_id).in_stock = False  # as if it had sold out at the last run
    assert messages.back_in_stock() == 1
    assert "冰美式" in outbox(fan)[0].body
    db.session.get(StockSeen, coffee.product_id).in_stock = False
    assert messages.back_in_stock() == 0  # the same day: once
