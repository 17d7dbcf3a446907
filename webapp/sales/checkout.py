"""Paying: one call completes a sale, exactly once per idempotency key.

``complete_sale`` runs in the caller's transaction, inside a savepoint:
claim the order for the key (a guarded UPDATE: a second request waits on the
row, then finds the sale made), move the stock out through the ledger, charge
the non-cash payments, write the payments. If a charge is declined or times
out, the charges already made in this call are refunded and the savepoint
rolls back: the sale stays open, nothing is lost. A timed-out charge is kept
as a *pending* payment (commit after catching ``PaymentPending`` to keep it);
``check_payment`` asks the provider later, and a payment found succeeded
counts toward the sale when it is completed.
"""
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from webapp.auth.models import User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money, money, round_money
from webapp.promotions import coupons
from webapp.sales.cart import require_open
from webapp.sales.errors import (
    ChargeKept,
    DuplicateRequest,
    EmptySale,
    InvalidPayment,
    OrderNotOpen,
    Overpaid,
    PaymentCodeRequired,
    PaymentDeclined,
    PaymentPending,
    Underpaid,
    UnknownPaymentMethod,
)
from webapp.sales.models import ZERO, Order, OrderLine, OrderStatus, Payment, PaymentMethod, PaymentStatus
from webapp.sales.payments import PaymentResult, get_provider
from webapp.stock import services as stock
from webapp.stock.models import Lot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentInput:
    """One tender: for cash, ``amount`` is the money handed over; otherwise the amount charged."""

    method: str
    amount: Decimal | str | int
    auth_code: str = ""  # the customer's payment code, or the card terminal's reference


@dataclass
class _Charge:
    method: PaymentMethod
    amount: Decimal
    auth_code: str
    reference: str = ""
    result: PaymentResult | None = None


class _ChargeFailed(Exception):
    def __init__(self, charge: _Charge):
        self.charge = charge


class _Taken(Exception):
    """Another request completed this order first."""


def complete_sale(order: Order, payments: list[PaymentInput], *, user: User, client_uuid: str) -> Order:
    """Take the payments and complete the sale; the same ``client_uuid`` again returns the sale made.

    A repeat for this order is answered from the order in hand; a key already used by another
    order (an offline sale synced twice) is caught by its unique index when this one is claimed.
    """
    if order.client_uuid == client_uuid and order.status == OrderStatus.COMPLETED:
        return order
    require_open(order)
    if not order.lines:
        raise EmptySale()
    cash, charges = _plan(order, payments)
    made: list[_Charge] = []
    try:
        with db.session.begin_nested():
            if not _claim(order, client_uuid):
                raise _Taken()
            set_committed_value(order, "client_uuid", client_uuid)  # as the claim wrote it
            _move_stock(order, user)
            for charge in charges:
                _charge(order, charge)
                made.append(charge)
            _record(order, cash, charges)
            _mark_completed(order, user)
            coupons.redeem_held(order)
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
    except _ChargeFailed as failure:
        kept = _keep(order, _refund(made))
        charge = failure.charge
        if charge.result.status == PaymentStatus.DECLINED:
            if kept:
                raise ChargeKept(reason=charge.result.message, amount=kept) from None
            raise PaymentDeclined(reason=charge.result.message) from None
        db.session.add(Payment(order=order, method=charge.method.value, amount=charge.amount,
                               merchant_reference=charge.reference, status=PaymentStatus.PENDING.value,
                               message=charge.result.message[:200]))
        db.session.flush()
        raise PaymentPending() from None
    except BaseException:
        _refund(made)
        raise
    return order


def check_payment(payment: Payment) -> Payment:
    """Ask the provider about a pending payment; it becomes succeeded or declined, or stays pending."""
    if payment.status != PaymentStatus.PENDING:
        return payment
    result = get_provider(payment.method).query(payment.merchant_reference)
    if result.status == PaymentStatus.SUCCEEDED:
        payment.status, payment.reference = PaymentStatus.SUCCEEDED.value, result.transaction_id
    elif result.status == PaymentStatus.DECLINED:
        payment.status = PaymentStatus.DECLINED.value
    payment.message = result.message[:200]
    db.session.flush()
    return payment


def completed_with(client_uuid: str | None) -> Order | None:
    if not client_uuid:
        return None
    return db.session.scalar(select(Order).where(Order.client_uuid == client_uuid,
                                                 Order.status == OrderStatus.COMPLETED.value))


def _plan(order: Order, inputs: list[PaymentInput]) -> tuple[tuple | None, list[_Charge]]:
    """Check the tenders cover the total exactly (only cash gives change); nothing is charged yet."""
    if any(p.status == PaymentStatus.PENDING for p in order.payments):
        raise PaymentPending()
    taken = sum((p.amount for p in order.payments if p.status == PaymentStatus.SUCCEEDED), ZERO)
    due = order.total - taken
    handed, charges = ZERO, []
    for tender in inputs:
        if tender.method not in {m.value for m in PaymentMethod}:
            raise UnknownPaymentMethod(method=str(tender.method)[:20])
        method, amount = PaymentMethod(tender.method), money(tender.amount)
        if amount <= 0:
            raise InvalidPayment(amount=amount)
        if method == PaymentMethod.CASH:
            handed += amount
        elif not tender.auth_code.strip():
            raise PaymentCodeRequired()
        else:
            charges.append(_Charge(method, amount, tender.auth_code.strip()))
    charged = sum((c.amount for c in charges), ZERO)
    if charged > due or (handed and charged == due):
        raise Overpaid(extra=charged + handed - due)
    cash_due = due - charged
    if handed < cash_due:
        raise Underpaid(missing=cash_due - handed)
    cash = (handed, cash_due, handed - cash_due) if handed else None
    return cash, charges


_orders, _lines, _payments = Order.__table__, OrderLine.__table__, Payment.__table__
_LINE_COST = (update(_lines).where(_lines.c.id == bindparam("line"))
              .values(unit_cost=bindparam("cost", type_=Money), lot_id=bindparam("lot")))
_COMPLETE = (update(_orders).where(_orders.c.id == bindparam("order"))
             .values(status=OrderStatus.COMPLETED.value, completed_at=bindparam("at"), cashier_id=bindparam("cashier")))
_CLAIM = (update(_orders)
          .where(_orders.c.id == bindparam("order"), _orders.c.status == OrderStatus.OPEN.value,
                 or_(_orders.c.client_uuid.is_(None), _orders.c.client_uuid == bindparam("key")))
          .values(client_uuid=bindparam("key")))


def _claim(order: Order, client_uuid: str) -> bool:
    """A guarded UPDATE in SQL; the caller sets the key on the order in hand."""
    return db.session.connection().execute(_CLAIM, {"order": order.id, "key": client_uuid}).rowcount == 1


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


def _charge(order: Order, charge: _Charge) -> None:
    charge.reference = f"{order.number}-{secrets.token_hex(3)}"
    charge.result = get_provider(charge.method).charge(charge.amount, charge.auth_code, charge.reference)
    if not charge.result.succeeded:
        raise _ChargeFailed(charge)


def _record(order: Order, cash: tuple | None, charges: list[_Charge]) -> None:
    rows = []
    if cash:
        handed, applied, change = cash
        rows.append({"order_id": order.id, "method": PaymentMethod.CASH.value, "amount": applied,
                     "tendered": handed, "change": change, "status": PaymentStatus.SUCCEEDED.value})
    for c in charges:
        rows.append({"order_id": order.id, "method": c.method.value, "amount": c.amount,
                     "reference": c.result.transaction_id, "merchant_reference": c.reference,
                     "status": PaymentStatus.SUCCEEDED.value, "message": c.result.message[:200]})
    if not rows:
        return
    now = utcnow()
    db.session.connection().execute(_payments.insert(), [{"tendered": None, "change": ZERO, "reference": "",
                                                         "merchant_reference": None, "message": "",
                                                         "created_at": now, **row} for row in rows])
    db.session.expire(order, ["payments"])  # read again, these included, when next asked


def _refund(charges: list[_Charge]) -> list[_Charge]:
    """Give back what this call charged, when the sale cannot complete; returns what could not be."""
    kept = []
    for c in charges:
        result = get_provider(c.method).refund(c.result.transaction_id, c.amount, c.reference + "-R")
        if not result.succeeded:
            log.error("could not refund %s %s (%s): %s", c.method, c.amount, c.reference, result.message)
            c.result = PaymentResult(c.result.status, c.result.transaction_id, result.message)
            kept.append(c)
    return kept


def _keep(order: Order, kept: list[_Charge]) -> Decimal:
    """A charge that could not be given back is the customer's money on this sale: it counts toward it."""
    for c in kept:
        db.session.add(Payment(order=order, method=c.method.value, amount=c.amount,
                               reference=c.result.transaction_id, merchant_reference=c.reference,
                               status=PaymentStatus.SUCCEEDED.value, message=c.result.message[:200]))
    db.session.flush()
    return sum((c.amount for c in kept), ZERO)
