"""The payment path: every fen that comes in for an order or goes back out passes here.

Three places take money — a till sale (``checkout.complete_sale``), an online order paid at
pickup (``online.services.hand_over_at_till``) and the shop's online payment
(``online.services.pay``) — and all take it the same way:

1. ``plan(order, tenders, at=...)``: the tenders this place offers (``OFFERED``) must cover what
   is due exactly; only cash gives change. Nothing is charged yet.
2. ``with taking(order, plan) as take:`` a savepoint in which the caller does its own part (move
   the stock, hand the goods over) and calls ``take()``: each charge goes through its provider
   (``providers.py``) and every tender is recorded as a ``Payment`` row.
3. If a charge fails, the charges already made are given back and the savepoint rolls back:
   nothing of the order changes. A charge the provider will not give back is the customer's
   money: it is kept on the order and counts toward it (``ChargeKept``). A charge that timed out
   is kept *pending* (``PaymentPending``) for ``check`` to ask about later. Both errors have
   ``keeps_changes``: the request commits what they recorded.

The shop's online payment goes the other way round (no code is typed): ``start_online`` answers
the provider's cashier page for what is due, and ``settle_online`` records what the provider's
signed notification says, once however often it arrives (``providers.Notification``).

Giving money back is ``refund`` (one payment, whole or in part, with a reference stable per
cause so a retry never refunds twice). A ``Payment`` row exists for every fen that moved.
"""
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import money
from webapp.sales.errors import (
    ChargeKept,
    InvalidPayment,
    MemberRequired,
    Overpaid,
    PaymentCodeRequired,
    PaymentDeclined,
    PaymentPending,
    Underpaid,
    UnknownPaymentCode,
    UnknownPaymentMethod,
)
from webapp.sales.models import (
    MEMBER_METHODS,
    ZERO,
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from webapp.sales.providers import Notification, PaymentResult, get_provider

log = logging.getLogger(__name__)


class TakenAt(StrEnum):
    """Where money is taken; each place offers its own tenders."""

    TILL = "till"
    PICKUP = "pickup"  # an online order paid at pickup, at the till
    ONLINE = "online"  # the shop's checkout
    TOPUP = "topup"  # money paid into a member's stored value, at the till


WALLETS = (PaymentMethod.WECHAT, PaymentMethod.ALIPAY)
OFFERED: dict[TakenAt, tuple[PaymentMethod, ...]] = {
    TakenAt.TILL: (PaymentMethod.CASH, *WALLETS, PaymentMethod.CARD, *MEMBER_METHODS),
    TakenAt.PICKUP: (PaymentMethod.CASH, *WALLETS, PaymentMethod.CARD, *MEMBER_METHODS),
    TakenAt.ONLINE: (*WALLETS, *MEMBER_METHODS),
    TakenAt.TOPUP: (PaymentMethod.CASH, *WALLETS, PaymentMethod.CARD),
}


@dataclass(frozen=True)
class Tender:
    """One tender: for cash, ``amount`` is the money handed over; otherwise the amount charged."""

    method: str
    amount: Decimal | str | int
    auth_code: str = ""  # the customer's payment code, or the card terminal's reference


@dataclass
class Charge:
    method: PaymentMethod
    amount: Decimal
    auth_code: str
    reference: str = ""  # ours, unique per charge: the provider answers query() by it
    result: PaymentResult | None = None


@dataclass
class Plan:
    """What the tenders will do: the cash part (handed, applied, change) and the charges to make."""

    cash: tuple[Decimal, Decimal, Decimal] | None
    charges: list[Charge] = field(default_factory=list)


class _ChargeFailed(Exception):
    def __init__(self, charge: Charge):
        self.charge = charge


def offered(at: TakenAt) -> tuple[PaymentMethod, ...]:
    return OFFERED[TakenAt(at)]


# A customer's payment code says whose it is by its first two digits: WeChat Pay 10–15 (18 digits),
# Alipay 25–30 (16–24 digits), as both providers document for their barcode ("付款码") payments.
WALLET_PREFIXES = ((PaymentMethod.WECHAT, range(10, 16), range(18, 19)),
                   (PaymentMethod.ALIPAY, range(25, 31), range(16, 25)))


def wallet_of(code: str) -> PaymentMethod:
    """WeChat Pay or Alipay, recognised by the code's prefix; ``UnknownPaymentCode`` otherwise."""
    code = code.strip()
    if code.isdigit():
        for method, prefixes, lengths in WALLET_PREFIXES:
            if int(code[:2]) in prefixes and len(code) in lengths:
                return method
    raise UnknownPaymentCode(code=code[:4] + "…" if len(code) > 4 else code)


def member_code_of(order: Order) -> str:
    """What a member's tender is charged to: the order's customer (their stored value, their points)."""
    if order.customer_id is None:
        raise MemberRequired()
    return str(order.customer_id)


def plan(order: Order, tenders: list[Tender], *, at: TakenAt = TakenAt.TILL) -> Plan:
    """Check the tenders cover what is due exactly (only cash gives change); nothing is charged yet."""
    if order.has_pending_payment:
        raise PaymentPending()
    methods = {m.value for m in offered(at)}
    handed, charges = ZERO, []
    for tender in tenders:
        if tender.method not in methods:
            raise UnknownPaymentMethod(method=str(tender.method)[:20])
        method, amount = PaymentMethod(tender.method), money(tender.amount)
        if amount <= 0:
            raise InvalidPayment(amount=amount)
        if method == PaymentMethod.CASH:
            handed += amount
        elif method in MEMBER_METHODS:  # always the sale's member, whatever the form said
            charges.append(Charge(method, amount, member_code_of(order)))
        elif not tender.auth_code.strip():
            raise PaymentCodeRequired()
        else:
            charges.append(Charge(method, amount, tender.auth_code.strip()[:64]))
    due = order.due
    charged = sum((c.amount for c in charges), ZERO)
    if charged > due or (handed and charged == due):
        raise Overpaid(extra=charged + handed - due)
    cash_due = due - charged
    if handed < cash_due:
        raise Underpaid(missing=cash_due - handed)
    return Plan((handed, cash_due, handed - cash_due) if handed else None, charges)


def plan_part(order: Order, tenders: list[Tender], *, at: TakenAt = TakenAt.ONLINE) -> Plan:
    """The member's own tenders (stored value, points) applied to all or part of what is due, at a place
    that takes the rest later (an online order: the rest at the wallet's cashier). Never more than is due;
    nothing is charged yet. ``taking`` then charges and records them as any plan's."""
    if order.has_pending_payment:
        raise PaymentPending()
    methods = {m.value for m in offered(at) if m in MEMBER_METHODS}
    charges = []
    for tender in tenders:
        if tender.method not in methods:
            raise UnknownPaymentMethod(method=str(tender.method)[:20])
        amount = money(tender.amount)
        if amount <= 0:
            raise InvalidPayment(amount=amount)
        charges.append(Charge(PaymentMethod(tender.method), amount, member_code_of(order)))
    if not charges:
        raise InvalidPayment(amount=ZERO)
    charged = sum((c.amount for c in charges), ZERO)
    if charged > order.due:
        raise Overpaid(extra=charged - order.due)
    return Plan(None, charges)


@contextmanager
def taking(order: Order, planned: Plan) -> Iterator:
    """A savepoint for the caller's part of the sale; ``take()`` inside it charges and records the plan.

    Failure anywhere inside gives back what was charged; see the module's docstring for what is kept.
    """
    made: list[Charge] = []

    def take() -> None:
        for charge in planned.charges:
            _charge(order, charge)
            made.append(charge)
        _record(order, planned)

    try:
        with db.session.begin_nested():
            yield take
    except _ChargeFailed as failure:
        kept = _keep(order, _give_back(made))
        charge = failure.charge
        if charge.result.status == PaymentStatus.DECLINED:
            if kept:
                raise ChargeKept(reason=charge.result.message, amount=kept) from None
            raise PaymentDeclined(reason=charge.result.message) from None
        _add(order, charge, PaymentStatus.PENDING)
        db.session.flush()
        raise PaymentPending() from None
    except BaseException:
        _give_back(made)
        raise


def charge_online(order: Order, method: str, auth_code: str, *, at: TakenAt = TakenAt.ONLINE) -> Payment:
    """One charge of everything due (the shop's payment step). Declined: nothing recorded
    (``PaymentDeclined``); timed out: kept pending (``PaymentPending``)."""
    if method not in {m.value for m in offered(at)}:
        raise UnknownPaymentMethod(method=str(method)[:20])
    if order.has_pending_payment:
        raise PaymentPending()
    if PaymentMethod(method) in MEMBER_METHODS:
        auth_code = member_code_of(order)
    if not auth_code.strip():
        raise PaymentCodeRequired()
    charge = Charge(PaymentMethod(method), order.due, auth_code.strip()[:64])
    try:
        _charge(order, charge)
    except _ChargeFailed:
        if charge.result.status == PaymentStatus.DECLINED:
            raise PaymentDeclined(reason=charge.result.message) from None
        _add(order, charge, PaymentStatus.PENDING)
        db.session.flush()
        raise PaymentPending() from None
    payment = _add(order, charge, PaymentStatus.SUCCEEDED)
    db.session.flush()
    return payment


def start_online(order: Order, method: str, *, subject: str, return_url: str, notify_url: str,
                 at: TakenAt = TakenAt.ONLINE) -> str:
    """The provider's cashier page where the customer pays everything due (nothing is recorded
    until the provider says it was paid: ``settle_online``)."""
    if method not in {m.value for m in offered(at)}:
        raise UnknownPaymentMethod(method=str(method)[:20])
    if order.has_pending_payment:
        raise PaymentPending()
    reference = f"{order.number}-{secrets.token_hex(3)}"
    return get_provider(method).start_checkout(order.due, reference, subject, return_url, notify_url)


def order_number_of(reference: str) -> str:
    """The order a reference of ours was made for (``<order number>-<6 hex>``)."""
    return reference.rsplit("-", 1)[0]


def settle_online(order: Order, method: str, notice: Notification) -> Payment | None:
    """Record the payment a provider's (verified) notification reports; the same notification again
    records nothing and answers the payment recorded the first time. A cancelled payment records
    nothing (no money moved)."""
    if order_number_of(notice.reference) != order.number:
        raise ValueError("a notification for another order")
    known = next((p for p in order.payments if p.merchant_reference == notice.reference and p.amount > 0), None)
    if known is not None:
        if known.status == PaymentStatus.PENDING and notice.status != PaymentStatus.PENDING:
            known.status, known.reference = notice.status.value, notice.transaction_id
            known.payer_account = notice.payer_account[:64] or known.payer_account
            db.session.flush()
        return known
    if notice.status != PaymentStatus.SUCCEEDED or notice.amount <= 0:
        return None
    payment = Payment(order=order, method=PaymentMethod(method).value, amount=money(notice.amount),
                      reference=notice.transaction_id[:64], merchant_reference=notice.reference[:64],
                      status=PaymentStatus.SUCCEEDED.value, message=notice.message[:200],
                      payer_account=notice.payer_account[:64] or None)
    db.session.add(payment)
    db.session.flush()
    return payment


def check(payment: Payment) -> Payment:
    """Ask the provider about a pending payment; it becomes succeeded or declined, or stays pending."""
    if payment.status != PaymentStatus.PENDING:
        return payment
    result = get_provider(payment.method).query(payment.merchant_reference)
    if result.status == PaymentStatus.SUCCEEDED:
        payment.status, payment.reference = PaymentStatus.SUCCEEDED.value, result.transaction_id
        payment.payer_account = result.payer_account[:64] or payment.payer_account
    elif result.status == PaymentStatus.DECLINED:
        payment.status = PaymentStatus.DECLINED.value
    payment.message = result.message[:200]
    db.session.flush()
    return payment


def refund(order: Order, payment: Payment, amount: Decimal, reference: str) -> Payment:
    """Give ``amount`` of a succeeded payment back through its provider; the refund is a negative payment
    on ``order`` (the sale itself, or its return), recorded against the original payment even when the
    provider refuses (then with status declined and the provider's reason). Cash is given back by hand.

    ``reference`` must be stable per cause (a line, a return): the provider refunds it once however
    often it is asked.
    """
    back = Payment(order=order, method=payment.method, amount=-amount, original_payment=payment,
                   status=PaymentStatus.SUCCEEDED.value)
    db.session.add(back)  # before the provider: stored value and points providers write in this session
    if payment.method != PaymentMethod.CASH:
        result = get_provider(payment.method).refund(payment.reference, amount, reference[:64])
        back.reference, back.merchant_reference = result.transaction_id, reference[:64]
        back.message = result.message[:200]
        if not result.succeeded:
            back.status = PaymentStatus.DECLINED.value
    db.session.add(back)
    db.session.flush()
    return back


def cash_back(order: Order, amount: Decimal) -> Payment:
    """Cash handed back from the drawer, not tied to a payment (a return paid in cash, or beyond it)."""
    back = Payment(order=order, method=PaymentMethod.CASH.value, amount=-amount, status=PaymentStatus.SUCCEEDED.value)
    db.session.add(back)
    db.session.flush()
    return back


def unrefunded(order: Order, payment: Payment) -> Decimal:
    """What of a payment has not been given back yet by refunds recorded on ``order``."""
    return payment.amount + sum((p.amount for p in order.payments
                                 if p.original_payment_id == payment.id and p.status == PaymentStatus.SUCCEEDED),
                                ZERO)


def completed_with(client_uuid: str | None) -> Order | None:
    """The order a till's idempotency key already completed, if any."""
    if not client_uuid:
        return None
    return db.session.scalar(select(Order).where(Order.client_uuid == client_uuid,
                                                 Order.status == OrderStatus.COMPLETED.value))


# ---------------------------------------------------------------- inside the path


def _charge(order: Order, charge: Charge) -> None:
    charge.reference = f"{order.number}-{secrets.token_hex(3)}"
    charge.result = get_provider(charge.method).charge(charge.amount, charge.auth_code, charge.reference)
    if not charge.result.succeeded:
        raise _ChargeFailed(charge)


_payments = Payment.__table__


def _record(order: Order, planned: Plan) -> None:
    """The plan's payments, in one multi-row INSERT (the till's completion is measured by its statements)."""
    rows = []
    if planned.cash:
        handed, applied, change = planned.cash
        rows.append({"method": PaymentMethod.CASH.value, "amount": applied, "tendered": handed, "change": change})
    for c in planned.charges:
        rows.append({"method": c.method.value, "amount": c.amount, "reference": c.result.transaction_id,
                     "merchant_reference": c.reference, "message": c.result.message[:200],
                     "payer_account": c.result.payer_account[:64] or None})
    if not rows:
        return
    now = utcnow()
    db.session.connection().execute(_payments.insert(), [
        {"order_id": order.id, "tendered": None, "change": ZERO, "reference": "", "merchant_reference": None,
         "message": "", "payer_account": None, "status": PaymentStatus.SUCCEEDED.value, "created_at": now, **row} for row in rows])
    db.session.expire(order, ["payments"])  # read again, these included, when next asked


def _give_back(charges: list[Charge]) -> list[Charge]:
    """Give back what this call charged, when the order cannot go on; returns what could not be."""
    kept = []
    for c in charges:
        result = get_provider(c.method).refund(c.result.transaction_id, c.amount, c.reference + "-R")
        if not result.succeeded:
            log.error("could not refund %s %s (%s): %s", c.method, c.amount, c.reference, result.message)
            c.result = PaymentResult(c.result.status, c.result.transaction_id, result.message)
            kept.append(c)
    return kept


def _keep(order: Order, kept: list[Charge]) -> Decimal:
    """A charge that could not be given back is the customer's money on this order: it counts toward it."""
    for c in kept:
        _add(order, c, PaymentStatus.SUCCEEDED)
    db.session.flush()
    return sum((c.amount for c in kept), ZERO)


def _add(order: Order, charge: Charge, status: PaymentStatus) -> Payment:
    payment = Payment(order=order, method=charge.method.value, amount=charge.amount,
                      reference=charge.result.transaction_id if status == PaymentStatus.SUCCEEDED else "",
                      merchant_reference=charge.reference, status=status.value, message=charge.result.message[:200],
                      payer_account=charge.result.payer_account[:64] or None)
    db.session.add(payment)
    return payment
