"""The store's side: suggested quantities, packs, last time's order, submitting."""

import pytest

from tests.conftest import qty
from webapp.clock import business_day
from webapp.stock import services as stock
from webapp.stock.models import Usage
from webapp.supply import allocation, errors, orders
from webapp.supply.models import OrderStatus
from webapp.supply.suggestions import suggested_order


def _sell(store, sku, n, user):
    stock.sell(store, sku, n, user=user, document=("sale", f"{store.code}-{sku.code}"))


def test_suggestions_follow_sales_on_hand_in_transit_and_already_ordered(hq, stock_hq, franchise, make_sku, pack,
                                                                         submitted):
    store = franchise()
    cola, chips, dead = make_sku(name="可乐"), make_sku(name="薯片"), make_sku(name="不卖")
    pack(cola, 12)
    stock.receive(store, cola, 30, "2.00", user=hq.admin, document=("receipt", "1"))
    _sell(store, cola, 28, hq.admin)  # 28 sold this week: 4 a day; target 4 × (2 + 7) + 4 × 1 = 40; on hand 2
    _sell(store, chips, 7, hq.admin)
    found = {s.code: s for s in suggested_order(store)}
    assert dead.code not in found
    assert found[cola.code].inputs.on_hand == qty(2)
    assert found[cola.code].suggestion.quantity == qty(48)  # need 38 → four packs of 12
    # Goods on their way and an open order count as already there.
    stock_hq(cola, 100)
    order = submitted(store, [(cola, 24)])
    assert {s.code: s for s in suggested_order(store)}[cola.code].inputs.on_order == qty(24)
    allocation.approve(order, user=hq.admin)
    from webapp.supply import shipping
    shipping.ship(order, user=hq.admin)
    again = {s.code: s for s in suggested_order(store)}[cola.code]
    assert (again.inputs.in_transit, again.inputs.on_order) == (qty(24), qty(0))


def test_a_draft_from_suggestions_holds_every_suggested_line(hq, franchise, make_sku):
    store = franchise()
    sku = make_sku()
    _sell(store, sku, 14, hq.admin)
    draft = orders.from_suggestions(store, user=store.owner)
    assert [(li.sku_id, li.asked == li.suggested) for li in draft.lines] == [(sku.id, True)]
    assert orders.from_suggestions(store, user=store.owner) is draft  # one draft per store


def test_a_quantity_not_in_packs_is_rounded_up_with_a_notice(hq, franchise, make_sku, pack):
    store, sku = franchise(), make_sku()
    pack(sku, 6, minimum=12)
    draft = orders.draft_for(store, user=store.owner)
    change = orders.set_quantity(draft, sku, 7)
    assert change.rounded and change.line.asked == qty(12)
    change = orders.set_quantity(draft, sku, 13)
    assert change.rounded and change.line.asked == qty(18)
    assert not orders.set_quantity(draft, sku, 24).rounded


def test_a_discontinued_item_cannot_be_ordered(hq, franchise, make_sku, pack):
    store, sku = franchise(), make_sku()
    pack(sku, 1, orderable=False)
    with pytest.raises(errors.NotSupplied):
        orders.set_quantity(orders.draft_for(store, user=None), sku, 5)


def test_bad_quantities_are_refused(hq, franchise, make_sku):
    from webapp.errors import InvalidQuantity
    from webapp.numbers import NotANumber

    draft, sku = orders.draft_for(franchise(), user=None), make_sku()
    for bad, error in (("-1", InvalidQuantity), ("abc", NotANumber), ("1\x00", NotANumber)):
        with pytest.raises(error):
            orders.set_quantity(draft, sku, bad)


def test_submitting_twice_is_refused_and_a_submitted_order_cannot_change(hq, franchise, make_sku):
    store, sku = franchise(), make_sku()
    draft = orders.draft_for(store, user=None)
    with pytest.raises(errors.EmptyOrder):
        orders.submit(draft, user=None)
    orders.set_quantity(draft, sku, 5)
    orders.submit(draft, user=None)
    assert draft.status == OrderStatus.SUBMITTED
    with pytest.raises(errors.NotDraft):
        orders.submit(draft, user=None)
    with pytest.raises(errors.NotDraft):
        orders.set_quantity(draft, sku, 6)


def test_a_franchise_store_without_credit_terms_cannot_submit(hq, franchise, make_sku):
    store = franchise(credit_limit=None)
    draft = orders.draft_for(store, user=None)
    orders.set_quantity(draft, make_sku(), 5)
    with pytest.raises(errors.NoCreditTerms):
        orders.submit(draft, user=None)


def test_reorder_last_time_copies_what_was_asked(hq, franchise, make_sku, submitted):
    store, a, b = franchise(), make_sku(), make_sku()
    with pytest.raises(errors.NothingToReorder):
        orders.reorder_last(store, user=None)
    submitted(store, [(a, 5), (b, 7)])
    draft = orders.reorder_last(store, user=None)
    assert sorted((li.sku_id, li.asked) for li in draft.lines) == [(a.id, qty(5)), (b.id, qty(7))]
    assert draft.status == OrderStatus.DRAFT


def test_a_franchise_store_pays_its_delivery_price_a_direct_store_the_transfer_cost(hq, stock_hq, franchise,
                                                                                  make_store, make_sku, delivery_price):
    sku = make_sku()
    stock_hq(sku, 10, cost="2.40")
    store, direct = franchise(), make_store(kind="direct")
    delivery_price(store, sku, "2.90")
    assert orders.set_quantity(orders.draft_for(store, user=None), sku, 1).line.unit_price == qty("2.90").quantize(
        qty("0.01"))
    assert str(orders.set_quantity(orders.draft_for(direct, user=None), sku, 1).line.unit_price) == "2.40"
    assert stock.location(Usage.TRANSIT, store) and business_day()
