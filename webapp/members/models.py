"""Member tables, keyed by the customer ``User`` (``customer_id``).

Ledgers are append-only: a stored-value or points change is a new row, never an edit. The card keeps
the stored-value balance (principal and bonus apart) for the guarded debit; the ledger's sum always
equals it (tests check). Points live in dated lots (``left`` goes down as they are spent, nearest
expiry first); the points ledger says why each lot changed.
"""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money
from webapp.stores.models import Store

ZERO = Decimal("0.00")


class Tier(StrEnum):
    REGULAR = "regular"
    SILVER = "silver"
    GOLD = "gold"

    @property
    def label(self) -> str:
        return str(TIER_LABELS[self])


TIER_LABELS = {Tier.REGULAR: _l("Regular"), Tier.SILVER: _l("Silver"), Tier.GOLD: _l("Gold")}


class MemberCard(db.Model):
    """What membership adds to a customer: tier, growth value, stored-value balance, points owed."""

    __tablename__ = "member_cards"

    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    tier: Mapped[str] = mapped_column(String(10), default=Tier.REGULAR)
    growth: Mapped[int] = mapped_column(default=0)  # one per yuan paid, less refunds; drives the tier
    principal: Mapped[Decimal] = mapped_column(Money, default=ZERO)  # stored value paid in
    bonus: Mapped[Decimal] = mapped_column(Money, default=ZERO)  # stored value given (充500送50)
    points_owed: Mapped[int] = mapped_column(default=0)  # taken back by a refund after they were spent
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    enrolled_store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))

    customer: Mapped[User] = relationship()
    enrolled_store: Mapped[Store | None] = relationship()

    @property
    def balance(self) -> Decimal:
        return self.principal + self.bonus


class ValueKind(StrEnum):
    TOP_UP = "top_up"
    SPEND = "spend"
    REFUND = "refund"  # a purchase paid with stored value, given back
    TOP_UP_REFUND = "top_up_refund"  # a top-up given back: its unspent principal, and its bonus taken
    ADJUST = "adjust"  # a manager's correction, with a reason


class StoredValueEntry(db.Model):
    """One change of a member's stored value: principal and bonus apart (signed: + in, − out)."""

    __tablename__ = "stored_value_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    principal: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    bonus: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    reference: Mapped[str] = mapped_column(String(64), unique=True)  # ours: a charge's, a refund's, a top-up's
    original_id: Mapped[int | None] = mapped_column(ForeignKey("stored_value_entries.id"))  # what a refund undoes
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who did it (a manager's adjustment)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def amount(self) -> Decimal:
        return self.principal + self.bonus


class PointsLot(db.Model):
    """Points earned together, spent nearest expiry first; ``left`` is what is not spent yet."""

    __tablename__ = "points_lots"
    __table_args__ = (Index("ix_points_lots_customer_expires", "customer_id", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    points: Mapped[int]
    left: Mapped[int]
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)  # the sale that earned it
    base: Mapped[Decimal] = mapped_column(Money, default=ZERO)  # the amount paid that earned them
    tier_multiplier: Mapped[Decimal] = mapped_column(Money, default=Decimal("1.00"), server_default="100")  # the tier's, when earned
    earned_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class PointsKind(StrEnum):
    EARN = "earn"
    SPEND = "spend"  # as a tender (frozen first when the order is online and not paid yet)
    GIVE_BACK = "give_back"  # a spend undone: the order refunded or cancelled
    TAKE_BACK = "take_back"  # points a refunded part had earned
    EXPIRE = "expire"


class PointsEntry(db.Model):
    """One change of one lot (or of the points owed, with no lot): signed points."""

    __tablename__ = "points_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("points_lots.id"))
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[int]
    reference: Mapped[str] = mapped_column(String(64), index=True)  # the charge, refund or return it belongs to
    undoes: Mapped[str | None] = mapped_column(String(64), index=True)  # a give-back: the spend's reference
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lot: Mapped[PointsLot | None] = relationship()


class RechargeRule(db.Model):
    """充X送Y: a top-up of at least ``threshold`` gets ``bonus``; the largest rule reached applies."""

    __tablename__ = "recharge_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    threshold: Mapped[Decimal] = mapped_column(Money)
    bonus: Mapped[Decimal] = mapped_column(Money)
    active: Mapped[bool] = mapped_column(default=True)


class MemberSettings(db.Model):
    """The chain's member settings: one row (made with the defaults on first use)."""

    __tablename__ = "member_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    balance_cap: Mapped[Decimal] = mapped_column(Money, default=Decimal("5000.00"))  # PRC: a named card ≤ ¥5,000
    points_per_yuan_spent: Mapped[int] = mapped_column(default=100)  # 100 points pay ¥1
    points_per_yuan_earned: Mapped[int] = mapped_column(default=1)
    points_months: Mapped[int] = mapped_column(default=24)  # a lot expires this many months after it was earned
    silver_growth: Mapped[int] = mapped_column(default=1000)
    gold_growth: Mapped[int] = mapped_column(default=5000)
    silver_multiplier: Mapped[Decimal] = mapped_column(Money, default=Decimal("1.20"))
    gold_multiplier: Mapped[Decimal] = mapped_column(Money, default=Decimal("1.50"))
    # Categories whose goods earn no points (tobacco, gift cards...): category ids, comma-separated.
    excluded_categories: Mapped[str] = mapped_column(String(500), default="")

    def multiplier(self, tier: str) -> Decimal:
        return {Tier.SILVER: self.silver_multiplier, Tier.GOLD: self.gold_multiplier}.get(tier, Decimal("1.00"))

    @property
    def excluded(self) -> set[int]:
        return {int(x) for x in self.excluded_categories.split(",") if x.strip().isdigit()}
