"""Purchase orders' life, and replenishment suggestions from the real ledger."""
from datetime import timedelta
from decimal import Decimal as D

import pytest

from webapp.clock import utcnow
from webapp.purchasing import orders, receiving
from webapp.purchasing.errors import (
    NotPackMultiple,
    OrderEmpty,
    OrderNotEditable,
    OrderNotReceivable,
    OrderStatusChange,
)
from webapp.purchasing.models import OrderStatus
from webapp.purchasing.suggestions import suggestions_for
from webapp.stock import services as stock
from webapp.stock.models import Usage


def test_an_order_goes_from_draft_to_sent_with_its_expected_date(make_store, make_sku, make_supplier):
    store, sku = make_store(), make_sku()
    supplier = make_supplier(lead_time_days=3, items=[(sku, "2.00", "12")])
    order = orders.create_order(store, supplier, user=None)
    with pytest.raises(OrderEmpty):
        orders.send(order)
    line = orders.set_line(order, sku, "24")
    assert (line.unit_cost, line.pack_size, order.total) == (D("2.00"), D("12"), D("48.00"))
    orders.send(order)
    assert order.status == OrderStatus.SENT and order.expected_on == (utcnow() + timedelta(days=3)).date()
    with pytest.raises(OrderNotEditable):
        orders.set_line(order, sku, "36")
    with pytest.raises(OrderStatusChange):
        orders.send(order)


def test_an_order_line_must_be_whole_packs(make_store, make_sku, make_supplier):
    store, sku = make_store(), make_sku()
    order = orders.create_order(store, make_supplier(items=[(sku, "2.00", "12")]), user=None)
    with pytest.raises(NotPackMultiple):
        orders.set_line(order, sku, "13")


def test_a_closed_order_can_no_longer_be_received(make_store, make_sku, make_supplier, sent_order):
    store, sku = make_store(), make_sku()
    order = sent_order(store, make_supplier(items=[(sku, "2.00", "1")]), [(sku, "5")])
    orders.close(order)
    with pytest.raises(OrderNotReceivable):
        receiving.start(store, user=None, order=order)


def test_a_double_submit_of_the_new_order_form_makes_one_order(make_store, make_supplier):
    store, supplier = make_store(), make_supplier()
    first = orders.create_order(store, supplier, user=None, key="abc")
    assert orders.create_order(store, supplier, user=None, key="abc").id == first.id


@pytest.fixture
def selling_store(make_store, make_sku, make_supplier):
    """Noodles sold 70 in the last days (10 a day), 40 on the shelf; cases of 24, 3 days' lead."""
    store = make_store()
    noodles = make_sku(name="康师傅 红烧牛肉面")
    slow = make_sku(name="滞销品")
    supplier = make_supplier(name="康师傅经销商", lead_time_days=3, minimum_order="200",
                             items=[(noodles, "2.50", "24"), (slow, "1.00", "10")])
    stock.receive(store, noodles, 110, "2.50", user=None, document=("opening", "1"))
    stock.receive(store, slow, 50, "1.00", user=None, document=("opening", "1"))
    stock.sell(store, noodles, 70, user=None, document=("sale", "1"))
    return store, supplier, noodles


def test_suggestions_count_sales_on_hand_on_order_and_in_transit(selling_store, make_sku, sent_order):
    store, supplier, noodles = selling_store
    [group] = suggestions_for(store)
    [line] = group.lines
    # 10 a day × (3 + 7) + 10 × 1.5 safety = 115; 115 − 40 on hand = 75 → four cases of 24
    assert line.sku.id == noodles.id and line.suggestion.quantity == D("96")
    assert group.total == D("240.00") and not group.below_minimum

    sent_order(store, supplier, [(noodles, "24")])
    stock.transfer(noodles, 10, stock.shelf(store), stock.location(Usage.TRANSIT, store), user=None,
                   document=("transfer", "1"))
    [line] = suggestions_for(store)[0].lines
    assert (line.inputs.on_hand, line.inputs.on_order, line.inputs.in_transit) == (D("30"), D("24"), D("10"))
    assert line.suggestion.quantity == D("72")  # 115 − 64 = 51 → three cases


def test_sales_older_than_a_week_count_only_in_the_month(selling_store):
    store, _, noodles = selling_store
    stock.sell(store, noodles, 35, user=None, document=("sale", "2"))  # 105 sold, 5 left
    [line] = suggestions_for(store)[0].lines
    assert line.suggestion.daily_demand == D("15") and line.suggestion.quantity == D("168")  # 172.5 − 5
    [line] = suggestions_for(store, now=utcnow() + timedelta(days=10))[0].lines
    assert (line.inputs.sold_7, line.inputs.sold_30) == (D("0"), D("105"))
    assert line.suggestion.quantity == D("48")  # 3.5 a day × 11.5 = 40.25 − 5 → two cases
    assert suggestions_for(store, now=utcnow() + timedelta(days=31)) == []


def test_one_tap_turns_a_suppliers_suggestions_into_a_draft_order_once(selling_store):
    store, supplier, noodles = selling_store
    [group] = suggestions_for(store)
    order = orders.order_from_suggestions(store, group, user=None, key="tap-1")
    assert order.status == OrderStatus.DRAFT and order.supplier_id == supplier.id
    assert [(line.sku_id, line.quantity, line.unit_cost) for line in order.lines] == [(noodles.id, D("96"), D("2.50"))]
    assert orders.order_from_suggestions(store, group, user=None, key="tap-1").id == order.id


def test_a_sku_is_suggested_from_its_preferred_supplier(selling_store, make_supplier):
    store, supplier, noodles = selling_store
    other = make_supplier(name="另一家", items=[(noodles, "2.40", "12")])
    assert [g.supplier.id for g in suggestions_for(store)] == [supplier.id]
    noodles.product.preferred_supplier_id = other.id
    [group] = suggestions_for(store)
    # its own lead time (2 days): 10 × (2 + 7) + 10 = 100 − 40 = 60 → five cases of 12
    assert group.supplier.id == other.id and group.lines[0].suggestion.quantity == D("60")
    assert suggestions_for(store, supplier.id) == []


def test_a_sku_exactly_at_its_target_is_not_suggested_and_one_unit_less_is(selling_store):
    store, _, noodles = selling_store
    stock.receive(store, noodles, 75, "2.50", user=None, document=("r", "2"))  # 115 on hand = the target
    assert suggestions_for(store) == []
    stock.write_off(store, noodles, "0.001", user=None, document=("w", "1"))
    [line] = suggestions_for(store)[0].lines
    assert line.suggestion.need == D("0.001") and line.suggestion.quantity == D("24")
