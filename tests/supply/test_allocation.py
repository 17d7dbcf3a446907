"""HQ allocates its warehouse between stores by the chain's stated rule, and approves once."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import qty
from webapp.extensions import db
from webapp.stock import services as stock
from webapp.supply import allocation, errors
from webapp.supply.allocation import Ask, share
from webapp.supply.models import AllocationRule, OrderStatus, StoreOrder
from webapp.supply.terms import settings


def test_three_stores_asking_10_20_30_of_30_get_5_10_15_pro_rata():
    asks = [Ask("a", qty(10), qty(1)), Ask("b", qty(20), qty(1)), Ask("c", qty(30), qty(1))]
    assert share(qty(30), asks, AllocationRule.PRO_RATA) == {"a": qty(5), "b": qty(10), "c": qty(15)}


def test_pro_rata_rounds_down_to_packs_and_hands_leftover_packs_to_the_largest_remainders():
    asks = [Ask("a", qty(12), qty(6), order=1), Ask("b", qty(12), qty(6), order=2), Ask("c", qty(12), qty(6), order=3)]
    given = share(qty(18), asks, AllocationRule.PRO_RATA)
    assert given == {"a": qty(6), "b": qty(6), "c": qty(6)}
    given = share(qty(12), asks, AllocationRule.PRO_RATA)
    assert sum(given.values()) == qty(12) and all(v % 6 == 0 for v in given.values())


def test_days_of_cover_serves_the_store_running_out_first():
    asks = [Ask("plenty", qty(10), qty(1), cover_days=Decimal(20)), Ask("short", qty(10), qty(1), cover_days=Decimal(1)),
            Ask("dead", qty(10), qty(1), cover_days=None)]
    assert share(qty(15), asks, AllocationRule.DAYS_OF_COVER) == {"short": qty(10), "plenty": qty(5), "dead": qty(0)}


def test_the_queue_is_allocated_pro_rata_and_each_line_says_why(hq, stock_hq, franchise, make_sku, submitted):
    sku = make_sku()
    stock_hq(sku, 30)
    stores = [franchise() for _ in range(3)]
    orders = [submitted(store, [(sku, n)]) for store, n in zip(stores, (10, 20, 30), strict=True)]
    decisions = allocation.approve_all(user=hq.admin)
    assert [d.number for d in decisions] == [o.number for o in orders]
    assert [o.lines[0].approved for o in orders] == [qty(5), qty(10), qty(15)]
    line = orders[0].lines[0]
    assert (line.allocation, line.pool, line.demand) == ("pro_rata", qty(30), qty(60))
    assert all(o.status == OrderStatus.APPROVED for o in orders)
    backs = [db.session.scalar(select(StoreOrder).where(StoreOrder.number == d.back_order)) for d in decisions]
    assert [(b.status, b.back_order_of_id, b.lines[0].asked) for b in backs] == [
        (OrderStatus.SUBMITTED, o.id, q) for o, q in zip(orders, (qty(5), qty(10), qty(15)), strict=True)]


def test_approving_one_by_one_gives_the_same_shares(hq, stock_hq, franchise, make_sku, submitted):
    sku = make_sku()
    stock_hq(sku, 30)
    orders = [submitted(franchise(), [(sku, n)]) for n in (10, 20, 30)]
    for order in orders:
        allocation.approve(order, user=hq.admin)
    assert [o.lines[0].approved for o in orders] == [qty(5), qty(10), qty(15)]


def test_days_of_cover_is_a_chain_setting(hq, stock_hq, franchise, make_sku, submitted):
    settings().allocation_rule = AllocationRule.DAYS_OF_COVER.value
    sku = make_sku()
    stock_hq(sku, 10)
    plenty, short = franchise(), franchise()
    for store, on_hand in ((plenty, 40), (short, 12)):
        stock.receive(store, sku, on_hand, "2.00", user=hq.admin, document=("receipt", store.code))
        stock.sell(store, sku, 10, user=hq.admin, document=("sale", store.code))
    a, b = submitted(plenty, [(sku, 10)]), submitted(short, [(sku, 10)])
    allocation.approve_all(user=hq.admin)
    assert (b.lines[0].approved, b.lines[0].allocation) == (qty(10), "days_of_cover")
    assert a.status == OrderStatus.SUBMITTED and a.lines[0].approved is None  # nothing left: still waiting


def test_approving_twice_does_nothing_the_second_time(hq, stock_hq, franchise, make_sku, submitted):
    sku = make_sku()
    stock_hq(sku, 30)
    order = submitted(franchise(), [(sku, 10)])
    allocation.approve(order, user=hq.admin)
    with pytest.raises(errors.NotPending):
        allocation.approve(order, user=hq.admin)
    assert order.lines[0].approved == qty(10)


def test_an_order_over_the_credit_limit_is_held_with_the_figures(hq, stock_hq, franchise, make_sku, submitted,
                                                                 delivery_price):
    sku = make_sku()
    stock_hq(sku, 100)
    store = franchise(credit_limit="100.00")
    delivery_price(store, sku, "3.00")
    order = submitted(store, [(sku, 50)])
    decision = allocation.approve(order, user=hq.admin)
    assert decision.held and order.status == OrderStatus.HELD
    assert (order.hold_amount, order.hold_available) == (Decimal("150.00"), Decimal("100.00"))
    allocation.approve(order, user=hq.admin, override_reason="老客户,周五付款")
    assert order.status == OrderStatus.APPROVED and order.overridden and order.reason == "老客户,周五付款"


def test_credit_held_by_approved_unshipped_orders_counts(hq, stock_hq, franchise, make_sku, submitted, delivery_price):
    sku = make_sku()
    stock_hq(sku, 200)
    store = franchise(credit_limit="100.00")
    delivery_price(store, sku, "1.00")
    first = submitted(store, [(sku, 60)])
    allocation.approve(first, user=hq.admin)
    second = submitted(store, [(sku, 60)])
    assert allocation.approve(second, user=hq.admin).held
    assert second.hold_available == Decimal("40.00")


def test_an_override_needs_a_reason(hq, stock_hq, franchise, make_sku, submitted):
    sku = make_sku()
    stock_hq(sku, 100)
    order = submitted(franchise(credit_limit="0.00"), [(sku, 5)])
    allocation.approve(order, user=hq.admin)
    with pytest.raises(errors.ReasonNeeded):
        allocation.approve(order, user=hq.admin, override_reason="  ")


def test_nothing_at_hq_leaves_the_order_in_the_queue(hq, franchise, make_sku, submitted):
    order = submitted(franchise(), [(make_sku(), 5)])
    with pytest.raises(errors.NothingAvailable):
        allocation.approve(order, user=hq.admin)


def test_rejection_needs_a_reason_and_happens_once(hq, franchise, make_sku, submitted):
    order = submitted(franchise(), [(make_sku(), 5)])
    with pytest.raises(errors.ReasonNeeded):
        allocation.reject(order, "", user=hq.admin)
    allocation.reject(order, "重复下单", user=hq.admin)
    assert order.status == OrderStatus.REJECTED and order.reason == "重复下单"
    with pytest.raises(errors.NotPending):
        allocation.reject(order, "again", user=hq.admin)
