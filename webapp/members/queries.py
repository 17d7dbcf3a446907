"""Reads for the till, the member page and the reports."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.members import points
from webapp.members.cards import settings
from webapp.members.models import ZERO, MemberCard, PointsLot, StoredValueEntry, Tier, ValueKind
from webapp.sales.models import Order, OrderKind, OrderStatus


@dataclass(frozen=True)
class Summary:
    """What the till and the member page show of a member."""

    customer: User
    card: MemberCard | None
    points: int
    expiring: list[tuple[datetime, int]]

    @property
    def name(self) -> str:
        return self.customer.display_name or masked(self.customer.phone)

    @property
    def phone(self) -> str:
        return masked(self.customer.phone)

    @property
    def tier(self) -> Tier:
        return Tier(self.card.tier if self.card else Tier.REGULAR)

    @property
    def balance(self) -> Decimal:
        return self.card.balance if self.card else ZERO

    @property
    def principal(self) -> Decimal:
        return self.card.principal if self.card else ZERO

    @property
    def bonus(self) -> Decimal:
        return self.card.bonus if self.card else ZERO

    @property
    def points_value(self) -> Decimal:
        return points.value_of(max(self.points, 0))

    @property
    def next_tier(self) -> tuple[Tier, int] | None:
        found = points.next_tier(self.card) if self.card else None
        return (Tier(found[0]), found[1]) if found else None

    @property
    def progress(self) -> int:
        """Percent of the way to the next tier."""
        if self.card is None:
            return 0
        found = self.next_tier
        if found is None:
            return 100
        chain = settings()
        start = chain.silver_growth if found[0] == Tier.GOLD else 0
        needed = (chain.gold_growth if found[0] == Tier.GOLD else chain.silver_growth) - start
        return max(0, min(100, (self.card.growth - start) * 100 // max(needed, 1)))


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else phone


def summary(customer: User) -> Summary:
    return Summary(customer, db.session.get(MemberCard, customer.id), points.balance(customer.id),
                   points.expiring(customer.id))


def orders_of(customer: User, limit: int = 30) -> list[Order]:
    """The member's sales and top-ups in every store and channel, newest first."""
    return list(db.session.scalars(
        select(Order).where(Order.customer_id == customer.id, Order.status == OrderStatus.COMPLETED.value)
        .order_by(Order.completed_at.desc(), Order.id.desc()).limit(limit)))


@dataclass(frozen=True)
class Liability:
    members: int
    principal: Decimal
    bonus: Decimal
    points: int
    points_value: Decimal
    topped_up: Decimal
    bonus_given: Decimal
    spent: Decimal
    refunded: Decimal

    @property
    def stored_value(self) -> Decimal:
        return self.principal + self.bonus


def liability(since: datetime, until: datetime | None = None) -> Liability:
    """What the chain owes its members now (stored value, points), and the stored value paid in and
    spent between ``since`` and ``until``."""
    until = until or utcnow()
    members, principal, bonus = db.session.execute(select(
        func.count(), func.coalesce(func.sum(MemberCard.principal), 0), func.coalesce(func.sum(MemberCard.bonus), 0))
    ).one()
    held = db.session.scalar(select(func.coalesce(func.sum(PointsLot.left), 0)).where(
        PointsLot.left > 0, PointsLot.expires_at > until)) or 0
    owed = db.session.scalar(select(func.coalesce(func.sum(MemberCard.points_owed), 0))) or 0
    moved = dict(db.session.execute(
        select(StoredValueEntry.kind, func.sum(StoredValueEntry.principal + StoredValueEntry.bonus))
        .where(StoredValueEntry.created_at >= since, StoredValueEntry.created_at < until)
        .group_by(StoredValueEntry.kind)).all())
    given = db.session.scalar(select(func.coalesce(func.sum(StoredValueEntry.bonus), 0)).where(
        StoredValueEntry.kind == ValueKind.TOP_UP.value, StoredValueEntry.created_at >= since,
        StoredValueEntry.created_at < until))
    total = int(held) - int(owed)
    return Liability(
        members=members, principal=Decimal(principal), bonus=Decimal(bonus), points=total,
        points_value=points.value_of(max(total, 0)), topped_up=Decimal(moved.get(ValueKind.TOP_UP.value) or 0),
        bonus_given=Decimal(given), spent=-Decimal(moved.get(ValueKind.SPEND.value) or 0),
        refunded=Decimal(moved.get(ValueKind.REFUND.value) or 0))


def top_ups_of(customer: User) -> list[Order]:
    return list(db.session.scalars(select(Order).where(
        Order.customer_id == customer.id, Order.kind == OrderKind.TOPUP.value, Order.original_order_id.is_(None),
        Order.status == OrderStatus.COMPLETED.value).order_by(Order.id.desc())))
