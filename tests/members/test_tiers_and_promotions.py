"""Tiers through the promotion engine (a tier discount), member prices and the per-customer budget at the till."""
from decimal import Decimal

from tests.members.conftest import pay, ring_up
from webapp.extensions import db
from webapp.members import cards
from webapp.members.models import MemberCard, Tier
from webapp.promotions import editing


def promotion(**fields):
    made = editing.save(None, editing.PromotionInput(name=fields.pop("name", "金卡九折"), **fields), user=None)
    editing.start(made)
    return made


def test_a_tier_discount_applies_only_to_members_of_that_tier(till, member, stocked):
    sku = stocked(till.store, price="100.00")
    promotion(kind="percent", percent="10", everything=True, member_tiers=["gold"])
    assert ring_up(till, member, (sku, 1)).total == Decimal("100.00")
    db.session.get(MemberCard, member.id).tier = Tier.GOLD.value
    assert ring_up(till, member, (sku, 1)).total == Decimal("90.00")
    assert ring_up(till, None, (sku, 1)).total == Decimal("100.00")


def test_the_per_customer_budget_holds_at_the_till(till, member, stocked):
    sku = stocked(till.store, price="50.00")
    promotion(name="新客立减", kind="percent", percent="20", everything=True, per_customer="1")
    pay(till, ring_up(till, member, (sku, 1)))
    again = ring_up(till, member, (sku, 1))
    assert again.total == Decimal("50.00")  # used once already, by this member
    other, _ = cards.enrol("13900001111", store=till.store)
    assert ring_up(till, other, (sku, 1)).total == Decimal("40.00")


def test_member_prices_apply_when_the_member_is_named(till, member, stocked):
    sku = stocked(till.store, price="10.00", member_price="8.50")
    order = ring_up(till, None, (sku, 2))
    assert order.total == Decimal("20.00")
    from webapp.sales import services as sales

    sales.name_member(order, member)
    assert order.total == Decimal("17.00") and order.customer_id == member.id
    sales.name_member(order, None)
    assert order.total == Decimal("20.00")
