"""Completing a till sale: one call, exactly once per idempotency key.

``complete_sale`` runs in the caller's transaction, on the one payment path
(``tenders``): the tenders are planned, then inside its savepoint the order is
claimed for the key (a guarded UPDATE: a second request waits on the row, then
finds the sale made), the stock moves out through the ledger, the charges are
taken and recorded, and the order is marked completed. A charge that fails
leaves the sale open with nothing changed (see ``tenders`` for what is kept).
"""
from sqlalchemy import bindparam, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from webapp.auth.models import User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money, round_money
from webapp.promotions import coupons
from webapp.sales import tenders
from webapp.sales.cart import require_open
from webapp.sales.errors import DuplicateRequest, EmptySale, OrderNotOpen
from webapp.sales.models import ZERO, Order, OrderLine, OrderStatus, PaymentMethod
from webapp.sales.online import shortfalls
from webapp.sales.tenders import TakenAt, Tender, completed_with
from webapp.stock import services as stock
from webapp.stock.models import Lot

__all__ = ["claim", "complete_sale", "completed_with"]


class _Taken(Exception):
    """Another request completed this order first."""


def complete_sale(order: Order, payments: list[Tender], *, user: User, client_uuid: str) -> Order:
    """Take the payments and complete the sale; the same ``client_uuid`` again returns the sale made.

    A repeat for this order is answered from the order in hand; a key already used by another
    order (an offline sale synced twice) is caught by its unique index when this one is claimed.
    """
    if order.client_uuid == client_uuid and order.status == OrderStatus.COMPLETED:
        return order
    require_open(order)
    if not order.lines:
        raise EmptySale()
    planned = tenders.plan(order, payments, at=TakenAt.TILL)
    try:
        with tenders.taking(order, planned) as take:
            if not claim(order, client_uuid):
                raise _Taken()
            _move_stock(order, user)
            shortfalls.flag_sold_at_till(order)  # online orders whose held units this sale took
            take()
            _mark_completed(order, user)
            coupons.redeem_held(order)  # the coupons the sale holds are used now, once
            if order.customer_id is not None:  # a member named at the till earns points and growth
                from webapp.members.points import earn_for_sale
                earn_for_sale(order, by_points=sum((c.amount for c in planned.charges
                                                    if c.method == PaymentMethod.POINTS), ZERO))
    except _Taken:
        db.session.refresh(order)
        if order.status == OrderStatus.COMPLETED and order.client_uuid == client_uuid:
            return order
        raise OrderNotOpen(number=order.number) from None
    except IntegrityError:  # the key is another order's, completed meanwhile
        done = completed_with(client_uuid)
        if done is None:
            raise DuplicateRequest() from None
        return done
    return order


_orders, _lines = Order.__table__, OrderLine.__table__
_LINE_COST = (update(_lines).where(_lines.c.id == bindparam("line"))
              .values(unit_cost=bindparam("cost", type_=Money), lot_id=bindparam("lot")))
_COMPLETE = (update(_orders).where(_orders.c.id == bindparam("order"))
             .values(status=OrderStatus.COMPLETED.value, completed_at=bindparam("at"), cashier_id=bindparam("cashier")))
_CLAIM = (update(_orders)
          .where(_orders.c.id == bindparam("order"), _orders.c.status == OrderStatus.OPEN.value,
                 or_(_orders.c.client_uuid.is_(None), _orders.c.client_uuid == bindparam("key")))
          .values(client_uuid=bindparam("key")))


def claim(order: Order, client_uuid: str) -> bool:
    """Claim an open order for an idempotency key (a guarded UPDATE); False when another request has it."""
    if db.session.connection().execute(_CLAIM, {"order": order.id, "key": client_uuid}).rowcount != 1:
        return False
    set_committed_value(order, "client_uuid", client_uuid)  # as the claim wrote it
    return True


def _move_stock(order: Order, user: User) -> None:
    """Out of the shelf through the ledger; each line keeps its cost (and its lot, when one).

    The lines' costs are written with one executemany and set on the lines in hand, so the
    sale needs no unit-of-work flush (the till's completion is measured in bench/bench_till.py).
    """
    sold = stock.sell_many(order.store, [(line.sku, line.quantity, line.lot) for line in order.lines],
                           user=user, document=("order", order.number), returning=False)
    rows = []
    for line, moves in zip(order.lines, sold, strict=True):
        cost = round_money(sum(m.unit_cost * m.quantity for m in moves) / line.quantity)
        lot_id = line.lot_id
        if lot_id is None and len({m.lot_id for m in moves}) == 1:
            lot_id = moves[0].lot_id
        rows.append({"line": line.id, "cost": cost, "lot": lot_id})
    db.session.connection().execute(_LINE_COST, rows)
    for line, row in zip(order.lines, rows, strict=True):
        set_committed_value(line, "unit_cost", row["cost"])
        if row["lot"] != line.lot_id:
            set_committed_value(line, "lot_id", row["lot"])
            set_committed_value(line, "lot", db.session.get(Lot, row["lot"]))


def _mark_completed(order: Order, user: User) -> None:
    now = utcnow()
    db.session.connection().execute(_COMPLETE, {"order": order.id, "at": now, "cashier": user.id})
    for name, value in (("status", OrderStatus.COMPLETED.value), ("completed_at", now),
                        ("cashier_id", user.id), ("cashier", user)):
        set_committed_value(order, name, value)
