"""Points: earned on what was paid, by tier; dated lots spent nearest expiry first; spent as a tender;
a refund takes back what the refunded part earned and gives back what was spent on it, exactly."""
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.members.conftest import pay, ring_up, take_back
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.members import cards, points
from webapp.members.models import MemberCard, PointsLot, Tier
from webapp.sales.errors import PaymentDeclined
from webapp.sales.services import Tender


def held(member) -> int:
    return points.balance(member.id)


def test_a_sale_earns_a_point_per_yuan_paid_after_discounts_and_grows_the_member(till, member, stocked):
    sku = stocked(till.store, price="12.50")
    order = ring_up(till, member, (sku, 3))  # 37.50
    pay(till, order)
    assert held(member) == 37
    assert db.session.get(MemberCard, member.id).growth == 37


def test_excluded_categories_earn_nothing(till, member, stocked):
    from webapp.catalog.models import Category

    tobacco = Category(name="香烟")
    db.session.add(tobacco)
    db.session.flush()
    cigarettes, water = stocked(till.store, price="30.00"), stocked(till.store, price="2.00")
    cigarettes.product.category_id = tobacco.id
    cards.settings().excluded_categories = str(tobacco.id)
    pay(till, ring_up(till, member, (cigarettes, 1), (water, 5)))
    assert held(member) == 10


def test_gold_members_earn_by_their_multiplier(till, member, stocked):
    db.session.get(MemberCard, member.id).tier = Tier.GOLD.value
    db.session.get(MemberCard, member.id).growth = 6000
    pay(till, ring_up(till, member, (stocked(till.store, price="10.00"), 1)))
    assert held(member) == 15


def test_growth_moves_the_member_up_a_tier(till, member, stocked):
    pay(till, ring_up(till, member, (stocked(till.store, price="1000.00"), 1)))
    card = db.session.get(MemberCard, member.id)
    assert card.tier == Tier.SILVER and points.next_tier(card) == (Tier.GOLD, 4000)


def test_points_pay_as_a_tender_100_to_the_yuan_and_earn_nothing_themselves(till, member, stocked):
    pay(till, ring_up(till, member, (stocked(till.store, price="500.00"), 1)))
    assert held(member) == 500
    sale = pay(till, ring_up(till, member, (stocked(till.store, price="10.00"), 1)),
               Tender("points", "3.00"), Tender("cash", "7.00"))
    assert sorted(p.method for p in sale.payments) == ["cash", "points"]
    assert held(member) == 500 - 300 + 7


def test_spending_more_points_than_held_is_declined_and_nothing_changes(till, member, stocked):
    pay(till, ring_up(till, member, (stocked(till.store, price="2.00"), 1)))
    order = ring_up(till, member, (stocked(till.store, price="10.00"), 1))
    with pytest.raises(PaymentDeclined):
        pay(till, order, Tender("points", "10.00"))
    assert held(member) == 2 and order.status == "open"


def test_lots_are_spent_nearest_expiry_first_and_expired_points_are_gone(till, member, stocked):
    now = utcnow()
    early = PointsLot(customer_id=member.id, points=100, left=100, expires_at=now + timedelta(days=3))
    late = PointsLot(customer_id=member.id, points=100, left=100, expires_at=now + timedelta(days=300))
    gone = PointsLot(customer_id=member.id, points=50, left=50, expires_at=now - timedelta(days=1))
    db.session.add_all([early, late, gone])
    db.session.flush()
    assert held(member) == 200
    points.spend(member.id, 150, "test-spend")
    db.session.refresh(early), db.session.refresh(late)
    assert (early.left, late.left) == (0, 50)
    assert points.expiring(member.id) == [(late.expires_at, 50)]
    assert points.expire() == 50 and gone.left == 0


def test_the_earn_and_refund_exploit_fails_a_refund_takes_back_what_it_earned(till, member, stocked):
    sku = stocked(till.store, price="100.00")
    sale = pay(till, ring_up(till, member, (sku, 3)))
    assert held(member) == 300
    take_back(till, sale.lines[0], 1)
    assert held(member) == 200
    take_back(till, sale.lines[0], 2)
    assert held(member) == 0
    assert db.session.get(MemberCard, member.id).growth == 0


def test_points_spent_before_the_refund_are_owed_and_paid_from_the_next_earnings(till, member, stocked):
    sale = pay(till, ring_up(till, member, (stocked(till.store, price="300.00"), 1)))
    pay(till, ring_up(till, member, (stocked(till.store, price="2.50"), 1)), Tender("points", "2.50"))
    assert held(member) == 50
    take_back(till, sale.lines[0], 1)  # took back 300 points: 50 held, 250 owed
    assert held(member) == -250
    order = ring_up(till, member, (stocked(till.store, price="2.00"), 1))
    with pytest.raises(PaymentDeclined):  # the points a refund took back cannot be spent
        pay(till, order, Tender("points", "0.01"), Tender("cash", "1.99"))
    pay(till, order)
    assert held(member) == -248


def test_a_refund_gives_back_the_points_spent_on_the_refunded_part(till, member, stocked):
    pay(till, ring_up(till, member, (stocked(till.store, price="1000.00"), 1)))
    sku = stocked(till.store, price="4.00")
    sale = pay(till, ring_up(till, member, (sku, 2)), Tender("points", "8.00"))
    assert held(member) == 1000 - 800
    take_back(till, sale.lines[0], 1)
    assert held(member) == 600
    take_back(till, sale.lines[0], 1)
    assert held(member) == 1000


def test_split_points_and_cash_refund_proportionally_and_exactly(till, member, stocked):
    pay(till, ring_up(till, member, (stocked(till.store, price="100.00"), 1)))  # 100 points
    sku = stocked(till.store, price="3.33")
    sale = pay(till, ring_up(till, member, (sku, 3)), Tender("points", "1.00"), Tender("cash", "8.99"))
    assert held(member) == 8  # 100 − 100 spent + 8 earned on 8.99 paid
    for _ in range(3):
        take_back(till, sale.lines[0], 1)
    assert held(member) == 100  # all earned taken back, all spent given back
    assert Decimal(sum(p.amount for r in sale.__class__.query.filter_by(original_order_id=sale.id)
                       for p in r.payments)) == Decimal("-9.99")
