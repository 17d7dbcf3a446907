"""Handing over (or dispatching) uses up every reservation of the order at once through the ledger
(``stock.use_up``): lots split over several levels, the same item on two lines, and nothing used twice."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.sales.online import services as online
from webapp.stock import services as stock
from webapp.stock.errors import ReservationClosed
from webapp.stock.models import Reservation, StockLevel, StockMove


def _ready(order, who):
    online.start_picking(order, who)
    online.mark_ready(order, who)
    return order


def test_a_lot_tracked_item_held_over_two_lots_leaves_both_at_their_cost(
        online_store, make_sku, paid_order, staff):
    store = online_store()
    milk = make_sku(name="鲜牛奶", price="6.00", tracking="lot")
    stock.receive(store, milk, 2, "3.00", user=None, document=("receipt", "R1"), lot_code="L1")
    stock.receive(store, milk, 3, "3.00", user=None, document=("receipt", "R2"), lot_code="L2")
    cashier = staff(store)
    order = _ready(paid_order(store, (milk, 4)), cashier)
    online.hand_over(order, cashier)
    db.session.commit()
    levels = db.session.execute(select(StockLevel.on_hand, StockLevel.reserved)
                                .where(StockLevel.sku_id == milk.id, StockLevel.location_id == stock.shelf(store).id)
                                .order_by(StockLevel.id)).all()
    assert [tuple(level) for level in levels] == [(Decimal("0.000"), Decimal("0.000")),
                                                  (Decimal("1.000"), Decimal("0.000"))]
    moves = db.session.scalars(select(StockMove).where(StockMove.reason == "handover").order_by(StockMove.id)).all()
    assert sorted(m.quantity for m in moves) == [Decimal("2.000"), Decimal("2.000")]  # each lot's part
    assert all(m.lot_id is not None and m.unit_cost == Decimal("3.00") for m in moves)
    assert order.order.lines[0].unit_cost == Decimal("3.00")


def test_the_same_item_on_two_lines_keeps_its_unit_cost_on_each(online_store, stocked, paid_order, staff):
    store = online_store()
    tea = stocked({store: 10}, cost="2.50", name="龙井")
    cashier = staff(store)
    order = _ready(paid_order(store, (tea, 1), (tea, 3)), cashier)
    online.hand_over(order, cashier)
    db.session.commit()
    assert [line.unit_cost for line in order.order.lines] == [Decimal("2.50"), Decimal("2.50")]
    assert db.session.scalar(select(func.sum(StockMove.quantity)).where(StockMove.reason == "handover")) == 4
    assert db.session.scalar(select(StockLevel.on_hand).where(StockLevel.sku_id == tea.id,
                                                             StockLevel.location_id == stock.shelf(store).id)) == 6


def test_reservations_used_up_once_are_not_used_again(online_store, stocked, paid_order, staff):
    store = online_store()
    tea = stocked({store: 5})
    order = _ready(paid_order(store, (tea, 2)), staff(store))
    first = stock.use_up(("order", order.order.number), user=None)
    assert [(u.sku_id, u.quantity) for u in first] == [(tea.id, Decimal("2.000"))]
    assert stock.use_up(("order", order.order.number), user=None) == []
    [reservation] = db.session.scalars(select(Reservation).where(Reservation.document_id == order.order.number))
    with pytest.raises(ReservationClosed):
        stock.release(reservation)


def test_a_delivery_dispatched_uses_up_its_reservations(online_store, stocked, paid_order, staff):
    store = online_store()
    tea, cake = stocked({store: 5}, name="龙井"), stocked({store: 5}, name="月饼")
    cashier = staff(store)
    order = _ready(paid_order(store, (tea, 2), (cake, 1), delivery=online.Delivery("西湖路1号", "西湖区")), cashier)
    online.dispatch(order, cashier)
    db.session.commit()
    assert order.status == "out_for_delivery" and order.order.status == "completed"
    assert online.reservations(order) == []
    assert sorted(db.session.execute(select(StockMove.sku_id, StockMove.quantity)
                                     .where(StockMove.reason == "handover")).all()) == sorted(
        [(tea.id, Decimal("2.000")), (cake.id, Decimal("1.000"))])
