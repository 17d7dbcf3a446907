"""Tags are computed from what members bought, set-based, and kept fresh."""
from datetime import date, datetime, timedelta
from decimal import Decimal

from tests.conftest import manager_of
from webapp.catalog.models import Category
from webapp.clock import day_start, utcnow
from webapp.extensions import db
from webapp.outreach import tags
from webapp.outreach.models import MemberFigures
from webapp.sales import services as sales


def test_a_regular_big_spender_is_high_value_and_a_first_timer_is_new(member, bought, make_sku):
    sku = make_sku(price="50.00")
    regular, newcomer, sleeper, gone = member("老王"), member("小李"), member("老张"), member("老赵")
    for days in (3, 10, 20):
        bought(regular, (sku, 2), days_ago=days)
    bought(newcomer, (sku, 1), days_ago=2)
    bought(sleeper, (sku, 1), days_ago=90)
    bought(gone, (sku, 1), days_ago=200)
    tags.recompute()
    assert {m.id: [t for t in tags.tags_of(m.id) if t.startswith("rfm:")] for m in (regular, newcomer, sleeper, gone)} == {
        regular.id: ["rfm:high_value"], newcomer.id: ["rfm:new"], sleeper.id: ["rfm:to_wake"],
        gone.id: ["rfm:lost"]}
    figures = db.session.get(MemberFigures, regular.id)
    assert (figures.orders, figures.spent, figures.average_ticket) == (3, 300, 100)


def test_money_is_net_of_returns(member, bought, make_sku, till):
    sku = make_sku(price="30.00")
    someone = member()
    order = bought(someone, (sku, 2), days_ago=1)
    returned = sales.return_lines(order, [(order.lines[0], Decimal(1))], user=till.cashier, shift=till.shift,
                                  register=till.register, approver=manager_of(till.store))
    assert returned.customer_id == someone.id
    tags.recompute()
    assert db.session.get(MemberFigures, someone.id).spent == Decimal("30.00")


def test_favourite_category_usual_weekday_and_hour_come_from_the_orders(member, bought, make_sku):
    coffee = Category(name="咖啡")
    db.session.add(coffee)
    db.session.flush()
    latte = make_sku(name="冰美式", price="15.00")
    latte.product.category_id = coffee.id
    someone = member()
    wednesday = date(2026, 11, 4)  # a Wednesday
    for weeks in range(3):
        bought(someone, (latte, 1), at=day_start(wednesday - timedelta(weeks=weeks)) + timedelta(hours=8, minutes=5))
    tags.recompute(now=day_start(wednesday) + timedelta(days=1))
    found = tags.tags_of(someone.id)
    assert f"category:{coffee.id}" in found
    assert f"product:{latte.product_id}" in found
    assert "weekday:3" in found
    assert "hour:8" in found
    assert tags.labels(found)["weekday:3"] in ("Usually on Wednesday", "常在星期三购买")


def test_manual_tags_survive_a_recompute_and_birthdays_give_a_month(member, bought, make_sku):
    someone = member()
    bought(someone, (make_sku(), 1))
    tags.add_manual(someone.id, "VIP")
    tags.profile(someone.id, make=True).birthday = date(1990, 5, 17)
    tags.recompute()
    tags.recompute()
    assert {"manual:VIP", "birthday:05", "rfm:new"} <= set(tags.tags_of(someone.id))


def test_often_bought_together_counts_orders_with_both(member, bought, make_sku):
    milk, cereal, nappy, other = (make_sku(name=n) for n in ("奶粉", "米粉", "纸尿裤", "矿泉水"))
    someone = member()
    for _ in range(3):
        bought(someone, (milk, 1), (cereal, 1))
    bought(someone, (milk, 1), (nappy, 1))
    bought(someone, (milk, 1), (nappy, 1))
    bought(someone, (milk, 1), (other, 1))
    tags.recompute()
    from webapp.outreach import together
    assert [p.id for p, _n in together.for_products([milk.product_id])] == [cereal.product_id, nappy.product_id]


def test_a_bad_manual_tag_is_refused():
    import pytest
    for bad in ("", "a:b", "x" * 31, "\x00"):
        with pytest.raises(tags.TagInvalid):
            tags.add_manual(1, bad)
    assert datetime and utcnow


def test_the_nightly_command_recomputes_tags_and_runs_the_journeys(app, member, bought, make_sku):
    someone = member()
    bought(someone, (make_sku(), 1), days_ago=61)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["outreach", "nightly"])
    assert result.exit_code == 0, result.output
    assert "members 1" in result.output and "win_back 1" in result.output and "sent 1 message(s)" in result.output
    assert "rfm:at_risk" in tags.tags_of(someone.id)  # the only member: the top spender, 61 days away


def test_members_who_spent_the_same_at_the_top_fifths_edge_are_all_top_spenders(member, bought, make_sku):
    big, small = make_sku(price="100.00"), make_sku(price="10.00")
    first, second, *others = [member() for _ in range(5)]
    for days in (3, 10, 20):
        for someone in (first, second):
            bought(someone, (big, 1), days_ago=days)
        for someone in others:
            bought(someone, (small, 1), days_ago=days)
    tags.recompute()  # five members: the top fifth is one member, but two spent the most
    segments = {m.id: db.session.get(MemberFigures, m.id).segment for m in (first, second, *others)}
    assert segments == {first.id: "high_value", second.id: "high_value", **{m.id: "loyal" for m in others}}


def test_a_top_spender_who_went_quiet_is_at_risk_and_others_need_waking(member, bought, make_sku):
    big, small = make_sku(price="100.00"), make_sku(price="10.00")
    spender, others = member(), [member() for _ in range(4)]
    bought(spender, (big, 1), days_ago=90)
    for someone in others:
        bought(someone, (small, 1), days_ago=90)
    tags.recompute()
    assert db.session.get(MemberFigures, spender.id).segment == "at_risk"
    assert {db.session.get(MemberFigures, m.id).segment for m in others} == {"to_wake"}


def test_an_order_at_local_midnight_counts_on_that_day_at_hour_0(member, bought, make_sku):
    sku, someone = make_sku(), member()
    wednesday = date(2026, 11, 4)
    for weeks in range(3):
        bought(someone, (sku, 1), at=day_start(wednesday - timedelta(weeks=weeks)))
    tags.recompute(now=day_start(wednesday) + timedelta(days=1))
    assert {"weekday:3", "hour:0"} <= set(tags.tags_of(someone.id))


def test_a_product_without_a_category_gives_no_category_tag(member, bought, make_sku):
    sku, someone = make_sku(), member()
    sku.product.category_id = None
    bought(someone, (sku, 1))
    bought(someone, (sku, 1))
    tags.recompute()
    found = tags.tags_of(someone.id)
    assert f"product:{sku.product_id}" in found
    assert not [t for t in found if t.startswith("category:")]


def test_often_bought_together_counts_only_the_newest_orders_of_the_last_year(member, bought, make_sku, monkeypatch):
    from webapp.outreach import together

    milk, cereal, nappy, water = (make_sku(name=n) for n in ("奶粉", "米粉", "纸尿裤", "矿泉水"))
    someone = member()
    for _ in range(2):
        bought(someone, (milk, 1), (water, 1), days_ago=400)  # more than a year ago: not counted
    for _ in range(3):
        bought(someone, (milk, 1), (cereal, 1), days_ago=30)  # older than the newest four
    for _ in range(4):
        bought(someone, (milk, 1), (nappy, 1), days_ago=1)
    tags.recompute()
    assert [p.id for p, _n in together.for_products([milk.product_id])] == [nappy.product_id, cereal.product_id]
    assert [(p.id, n) for p, n in together.for_products([nappy.product_id])] == [(milk.product_id, 4)]
    monkeypatch.setattr(tags, "TOGETHER_ORDERS", 4)
    tags.recompute()
    assert [p.id for p, _n in together.for_products([milk.product_id])] == [nappy.product_id]


def test_the_tags_command_can_show_each_steps_rows_and_seconds(app, member, bought, make_sku):
    bought(member(), (make_sku(), 1))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["outreach", "tags", "--steps"])
    assert result.exit_code == 0, result.output
    assert "members 1" in result.output
    assert [line.split()[0] for line in result.output.splitlines()[1:]] == [name for name, _step in tags.STEPS]
