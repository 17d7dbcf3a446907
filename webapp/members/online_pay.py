"""Paying an online order with stored value and points, and what is frozen on orders not paid yet.

The member applies stored value and/or points (at the chain's rate) to what an online order owes, on
the order's page: all of it (the order is paid, no wallet cashier) or part (the rest at the wallet's
cashier). It goes through the one payment path (``online.pay_from_account`` → ``tenders.plan_part`` →
the members' providers), so the debit is the guarded one: what the member applied cannot be spent
again, at a till or on another order, and of two spends of the same last yuan exactly one wins.

Frozen (冻结中) is the name for what is applied to an order that is not paid yet: it has left the
balance and the points (the ledgers hold its spend rows), and the order holds it. When the rest is paid
it stays spent; when the order is cancelled (by the member or the store) or expires unpaid, the payment
path gives it back exactly — stored value to the principal and bonus it came from, points to the lots
they were taken from. A paid order refunded later follows the refund rules of ``wallet`` and ``points``.
"""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.extensions import db
from webapp.members import points as member_points
from webapp.members.cards import settings
from webapp.members.errors import (
    InsufficientBalance,
    InsufficientPoints,
    MoreThanOwed,
    NotAWholePointsAmount,
    NothingApplied,
    NotYourOrder,
    PointsNotANumber,
)
from webapp.members.models import ZERO, MemberCard, PointsEntry, PointsKind
from webapp.numbers import money
from webapp.sales.models import Order, Payment, PaymentMethod, PaymentStatus
from webapp.sales.online import services as online_orders
from webapp.sales.online.errors import AlreadyPaid, OrderClosed
from webapp.sales.online.models import HOLDING, STATUS_LABELS, OnlineOrder
from webapp.sales.tenders import Tender

MOST_POINTS = 10**9  # far beyond any member's points


@dataclass(frozen=True)
class Offer:
    """What the order page offers a member: their balance and points, and what fits what is owed."""

    balance: Decimal
    points: int
    rate: int  # points that pay ¥1
    due: Decimal
    stored_value: Decimal  # suggested: as much stored value as covers what is owed
    points_suggested: int  # then as many points as cover the rest

    @property
    def points_value(self) -> Decimal:
        return member_points.value_of(max(self.points, 0))

    @property
    def usable(self) -> bool:
        return self.balance > 0 or self.points > 0


@dataclass(frozen=True)
class Frozen:
    """Stored value and points held by one online order not paid yet."""

    number: str
    access_token: str
    stored_value: Decimal
    points: int


def holdings(member: User | None) -> tuple[Decimal, int] | None:
    """The member's stored value and points when they have any to pay with (for the checkout's choice)."""
    if member is None:
        return None
    card = db.session.get(MemberCard, member.id)
    balance = card.balance if card else ZERO
    count = max(member_points.balance(member.id), 0) if card else 0
    return (balance, count) if balance > 0 or count > 0 else None


def offer(online: OnlineOrder, member: User | None) -> Offer | None:
    """What the member could apply to this order now; None when it is not theirs or not payable."""
    if member is None or online.customer_id != member.id or online.is_paid or online.status not in HOLDING:
        return None
    card = db.session.get(MemberCard, member.id)
    if card is None:
        return None
    due = online.order.due
    have = max(member_points.balance(member.id), 0)
    stored = min(card.balance, due)
    rest_points = _points_for_at_most(due - stored)
    return Offer(card.balance, have, settings().points_per_yuan_spent, due, stored, min(have, rest_points))


def apply(online: OnlineOrder, member: User, *, stored_value: str = "", points: str = "",
          expected_due: str = "") -> None:
    """Apply the member's stored value and points (as typed on the order page) to what the order owes.

    Refused with the reason, nothing applied: another's order, nothing or a negative amount, a number that
    is not one, more than the balance or the points, more than the order owes, points that do not make a
    whole fen at the chain's rate, or an order that owes something else than the page showed (a second tap)."""
    if online.customer_id != member.id:
        raise NotYourOrder(number=online.order.number)
    if online.is_paid:
        raise AlreadyPaid(number=online.order.number)
    if online.status not in HOLDING:
        raise OrderClosed(number=online.order.number, status=STATUS_LABELS[online.status])
    value = money(stored_value.strip() or "0")
    count = _points(points)
    if value < 0 or count < 0 or (value == 0 and count == 0):
        raise NothingApplied()
    card = db.session.get(MemberCard, member.id)
    balance = card.balance if card else ZERO
    if value > balance:
        raise InsufficientBalance(balance=balance, amount=value)
    have = member_points.balance(member.id)
    if count > have:
        raise InsufficientPoints(points=max(have, 0), wanted=count)
    by_points = member_points.value_of(count)
    rate = settings().points_per_yuan_spent
    if count and (by_points <= 0 or by_points * rate != count):
        raise NotAWholePointsAmount(points=count, rate=rate)
    owed = online.order.due
    if value + by_points > owed:
        raise MoreThanOwed(amount=value + by_points, due=owed)
    tenders = []
    if value:
        tenders.append(Tender(PaymentMethod.STORED_VALUE.value, value))
    if count:
        tenders.append(Tender(PaymentMethod.POINTS.value, by_points))
    expected = money(expected_due.strip()) if expected_due.strip() else None
    online_orders.pay_from_account(online, tenders, expected_due=expected)


def frozen(customer_id: int) -> list[Frozen]:
    """What the member has frozen on online orders not paid yet, order by order (oldest first)."""
    rows = db.session.execute(
        select(Order.number, OnlineOrder.access_token, Payment.method, Payment.amount, Payment.reference)
        .join(Order, Order.id == OnlineOrder.order_id).join(Payment, Payment.order_id == Order.id)
        .where(OnlineOrder.customer_id == customer_id, OnlineOrder.paid_at.is_(None),
               OnlineOrder.status.in_([s.value for s in HOLDING]),
               Payment.method.in_([PaymentMethod.STORED_VALUE.value, PaymentMethod.POINTS.value]),
               Payment.status == PaymentStatus.SUCCEEDED.value, Payment.amount > 0)
        .order_by(OnlineOrder.id, Payment.id)).all()
    points_refs = [ref for _n, _t, method, _a, ref in rows if method == PaymentMethod.POINTS]
    spent = dict(db.session.execute(
        select(PointsEntry.reference, func.sum(PointsEntry.points))
        .where(PointsEntry.reference.in_(points_refs), PointsEntry.kind == PointsKind.SPEND.value)
        .group_by(PointsEntry.reference)).all()) if points_refs else {}
    found: dict[str, Frozen] = {}
    for number, token, method, amount, reference in rows:
        held = found.get(number, Frozen(number, token, ZERO, 0))
        if method == PaymentMethod.STORED_VALUE:
            held = Frozen(number, token, held.stored_value + amount, held.points)
        else:
            held = Frozen(number, token, held.stored_value, held.points - int(spent.get(reference, 0)))
        found[number] = held
    return list(found.values())


def frozen_on(online: OnlineOrder) -> Frozen | None:
    """What this order holds frozen of its member's stored value and points (None when nothing)."""
    held = online_orders.frozen_payments(online)
    if not held:
        return None
    value = sum((p.amount for p in held if p.method == PaymentMethod.STORED_VALUE), ZERO)
    refs = [p.reference for p in held if p.method == PaymentMethod.POINTS]
    count = -int(db.session.scalar(select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
        PointsEntry.reference.in_(refs), PointsEntry.kind == PointsKind.SPEND.value)) or 0) if refs else 0
    return Frozen(online.order.number, online.access_token, value, count)


def _points(text: str) -> int:
    text = (text or "").strip().replace(",", "")
    if not text:
        return 0
    sign, digits = (-1, text[1:]) if text.startswith("-") else (1, text)
    if not digits.isdigit() or not digits.isascii() or len(digits) > 10:
        raise PointsNotANumber(value=text[:20])
    count = sign * int(digits)
    if count > MOST_POINTS:
        raise PointsNotANumber(value=text[:20])
    return count


def _points_for_at_most(amount: Decimal) -> int:
    """The most points whose value is exact and not above ``amount``."""
    if amount <= 0:
        return 0
    rate = settings().points_per_yuan_spent
    count = int(amount * rate)
    while count > 0 and member_points.value_of(count) * rate != count:
        count -= 1
    return count
