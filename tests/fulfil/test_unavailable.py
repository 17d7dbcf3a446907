"""An item the store cannot find: off the order, its stock back on sale, its money back — exactly."""
from decimal import Decimal

import pytest

from tests.fulfil.conftest import NO_REFUNDS_CODE, PAID_CODE
from webapp.extensions import db
from webapp.fulfil import services
from webapp.fulfil.errors import LastItem, NotPicking
from webapp.sales.online import services as online
from webapp.sales.online.errors import RefundRefused
from webapp.stock.queries import level_at


def test_an_unavailable_item_of_a_paid_order_is_refunded_and_its_stock_released(
        online_store, stocked, paid_order, staff):
    store = online_store()
    tea, cake = stocked({store: 5}, price="4.50", name="龙井"), stocked({store: 3}, price="12.00", name="月饼")
    order = paid_order(store, (tea, 2), (cake, 1))
    picker = staff(store)
    online.start_picking(order, picker)
    cake_line = next(ln for ln in order.order.lines if ln.sku_id == cake.id)
    shortage = services.mark_unavailable(order, cake_line.id, picker)
    db.session.commit()
    assert (shortage.amount, shortage.refunded) == (Decimal("12.00"), Decimal("12.00"))
    assert [ln.sku_id for ln in order.order.lines] == [tea.id]
    assert order.order.total == Decimal("9.00") == order.amount_due
    assert order.paid == Decimal("9.00")  # 21.00 paid, 12.00 given back through the provider
    assert [p.amount for p in order.order.payments] == [Decimal("21.00"), Decimal("-12.00")]
    assert level_at(store, cake) == (Decimal("3.000"), Decimal("0.000"))
    assert level_at(store, tea) == (Decimal("5.000"), Decimal("2.000"))
    assert order.notifications[-1].kind == "item_unavailable" and "月饼" in order.notifications[-1].body


def test_cancelling_after_a_partial_refund_gives_back_only_the_rest(online_store, stocked, paid_order, staff):
    store = online_store()
    tea, cake = stocked({store: 5}, price="4.50"), stocked({store: 3}, price="12.00")
    order = paid_order(store, (tea, 2), (cake, 1))
    picker = staff(store)
    online.start_picking(order, picker)
    services.mark_unavailable(order, order.order.lines[1].id, picker)
    online.cancel(order, by_customer=False, reason="店里停电")
    assert order.paid == Decimal("0.00")
    assert sorted(p.amount for p in order.order.payments) == [Decimal("-12.00"), Decimal("-9.00"), Decimal("21.00")]
    assert level_at(store, tea)[1] == level_at(store, cake)[1] == Decimal("0.000")


def test_a_pay_at_pickup_order_just_costs_less(online_store, stocked, place, staff):
    store = online_store()
    tea, cake = stocked({store: 5}, price="4.50"), stocked({store: 3}, price="12.00")
    order = place(store, (tea, 1), (cake, 2), pay_at_pickup=True)
    picker = staff(store)
    online.start_picking(order, picker)
    shortage = services.mark_unavailable(order, order.order.lines[0].id, picker)
    assert (shortage.amount, shortage.refunded) == (Decimal("4.50"), Decimal("0.00"))
    assert order.amount_due == Decimal("24.00") and order.order.payments == []
    assert level_at(store, tea)[1] == 0 and level_at(store, cake)[1] == 2


def test_a_refused_refund_changes_nothing(online_store, stocked, paid_order, staff):
    store = online_store()
    tea, cake = stocked({store: 5}, price="4.50"), stocked({store: 3}, price="12.00")
    order = paid_order(store, (tea, 2), (cake, 1), code=NO_REFUNDS_CODE)
    picker = staff(store)
    online.start_picking(order, picker)
    db.session.commit()
    with pytest.raises(RefundRefused):
        services.mark_unavailable(order, order.order.lines[1].id, picker)
    db.session.rollback()
    assert len(order.order.lines) == 2 and order.order.total == Decimal("21.00")
    assert level_at(store, cake)[1] == Decimal("1.000")
    assert services.shortages(order) == []


def test_the_last_item_cannot_be_dropped_and_only_while_picking(online_store, stocked, paid_order, staff):
    store = online_store()
    tea, cake = stocked({store: 5}), stocked({store: 3})
    order = paid_order(store, (tea, 1), (cake, 1))
    picker = staff(store)
    with pytest.raises(NotPicking):
        services.mark_unavailable(order, order.order.lines[0].id, picker)
    online.start_picking(order, picker)
    services.mark_unavailable(order, order.order.lines[0].id, picker)
    with pytest.raises(LastItem):
        services.mark_unavailable(order, order.order.lines[0].id, picker)


def test_a_discounted_line_gives_back_its_discounted_amount_and_totals_stay_exact(
        online_store, stocked, place, staff):
    store = online_store()
    tea, cake = stocked({store: 5}, price="3.33"), stocked({store: 3}, price="10.01")
    order = place(store, (tea, 3), (cake, 1))
    line = order.order.lines[0]  # 9.99 with a discount of 0.99
    line.line_discount, line.amount = Decimal("0.99"), line.amount - Decimal("0.99")
    order.order.discount += Decimal("0.99")
    order.order.total -= Decimal("0.99")
    online.pay(order, "alipay", PAID_CODE)
    picker = staff(store)
    online.start_picking(order, picker)
    shortage = services.mark_unavailable(order, line.id, picker)
    o = order.order
    assert shortage.amount == shortage.refunded == Decimal("9.00")
    assert o.total == sum(ln.amount for ln in o.lines) == o.subtotal - o.discount == Decimal("10.01")
    assert order.paid == Decimal("10.01")
