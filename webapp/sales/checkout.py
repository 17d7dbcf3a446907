"""Completing a till sale: one call, exactly once per idempotency key.

``complete_sale`` runs in the caller's transaction, on the one payment path
(``tenders``): the tenders are planned, then inside its savepoint the order is
claimed for the key and marked completed in one guarded UPDATE (a second
request waits on the row, then finds the sale made; the same statement says
whether the order holds a coupon), the stock moves out through the ledger, the
charges are taken and recorded. A charge that fails leaves the sale open with
nothing changed: the savepoint takes the UPDATE back (see ``tenders`` for what
is kept).

A sale with a member opens a tab on the member's card (``members.till_card``):
the card is read once, the stored value and points tenders and the earning go on
it, and it is written once — a member's sale paid with points, stored value and
cash completes in 12 statements (``bench/bench_members.py``,
``tests/pos/test_till_statements.py``).
"""
from sqlalchemy import bindparam, literal_column, or_, update
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
    from webapp.members.till_card import tab_for  # members sits beside sales and imports it: named here
    try:
        with tenders.taking(order, planned) as take:
            now = utcnow()
            holds_coupon = _claim_and_complete(order, client_uuid, user, now)
            if holds_coupon is None:
                raise _Taken()
            shelf = _move_stock(order, user)
            # Does the shelf hold any sold SKU for an online order? The level rows the sale changed tell
            # (untracked SKUs); else it is asked with the member's card, or by flag_sold_at_till itself.
            held = shelf.answer
            asked = shortfalls.any_held(order) if order.customer_id is not None and held is None else None
            with tab_for(order, ask=asked) as card:  # the member's card: read once, written once
                if held is None and card is not None:
                    held = bool(card.answer)
                shortfalls.flag_sold_at_till(order, held=held)  # online orders whose held units it took
                take()
                _mark_completed(order, user, now)
                if holds_coupon:
                    coupons.redeem_held(order)  # the coupons the sale holds are used now, once
                if card is not None:  # a member named at the till earns points and growth
                    from webapp.members.points import earn_for_sale
                    earn_for_sale(order, by_points=sum((c.amount for c in planned.charges
                                                        if c.method == PaymentMethod.POINTS), ZERO))
                    card.close()
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
_CLAIM_AND_COMPLETE = (
    update(_orders)
    .where(_orders.c.id == bindparam("order"), _orders.c.status == OrderStatus.OPEN.value,
           or_(_orders.c.client_uuid.is_(None), _orders.c.client_uuid == bindparam("key")))
    .values(client_uuid=bindparam("key"), status=OrderStatus.COMPLETED.value, completed_at=bindparam("at"),
            cashier_id=bindparam("cashier"))
    .returning(literal_column("1"), coupons.holds_any(bindparam("order"))))
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


def _claim_and_complete(order: Order, client_uuid: str, user: User, now) -> bool | None:
    """Claim the open order for the key and mark it completed (taken back with the savepoint if the sale
    fails); answers whether it holds a coupon, or None when another request has it."""
    claimed = db.session.connection().execute(
        _CLAIM_AND_COMPLETE, {"order": order.id, "key": client_uuid, "at": now, "cashier": user.id}).first()
    if claimed is None:
        return None
    set_committed_value(order, "client_uuid", client_uuid)  # as the claim wrote it
    return bool(claimed[1])


def _move_stock(order: Order, user: User) -> stock.HeldOnShelf:
    """Out of the shelf through the ledger; each line keeps its cost (and its lot, when one). Answers
    what the shelf's rows said as they changed: which sold SKUs are held for online orders.

    The lines' costs are written with one executemany and set on the lines in hand, so the
    sale needs no unit-of-work flush (the till's completion is measured in bench/bench_till_sale.py).
    """
    held: list[stock.HeldOnShelf] = []
    sold = stock.sell_many(order.store, [(line.sku, line.quantity, line.lot) for line in order.lines],
                           user=user, document=("order", order.number), returning=False, held=held)
    rows = []
    for line, moves in zip(order.lines, sold, strict=True):
        cost = round_money(sum(m.unit_cost * m.quantity for m in moves) / line.quantity)
        lot_id = line.lot_id
        if lot_id is None and len({m.lot_id for m in moves}) == 1:
            lot_id = moves[0].lot_id
        if cost != line.unit_cost or lot_id != line.lot_id:  # the cost it was rung up with has changed
            rows.append({"line": line.id, "cost": cost, "lot": lot_id})
    if not rows:
        return held[0]
    db.session.connection().execute(_LINE_COST, rows)
    lines = {line.id: line for line in order.lines}
    for row in rows:
        line = lines[row["line"]]
        set_committed_value(line, "unit_cost", row["cost"])
        if row["lot"] != line.lot_id:
            set_committed_value(line, "lot_id", row["lot"])
            set_committed_value(line, "lot", db.session.get(Lot, row["lot"]))
    return held[0]


def _mark_completed(order: Order, user: User, now) -> None:
    """The order in hand as the claim wrote it, once the charges are taken."""
    for name, value in (("status", OrderStatus.COMPLETED.value), ("completed_at", now),
                        ("cashier_id", user.id), ("cashier", user)):
        set_committed_value(order, name, value)
