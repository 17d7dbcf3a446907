"""Promotions a manager sets up, what each saved on each sold line, and coupons.

A ``Promotion`` is one rule from a template a shop owner knows (满减, 折扣, 特价,
第N件X折, 买N送M, 套餐价), with what it applies to (SKUs, products, categories
with their children, brands, or everything), where (stores, channels), when (dates,
weekdays, hours), for whom (members only), its budget and how it stacks.
The engine (``webapp.promotions.engine``) reads them as plain snapshots.

``OrderLinePromotion`` is the allocation stored with the sale: what each
promotion took off each line, to the fen. Refunds and margin reports read it.

A coupon is a promotion that needs a code: ``Coupon`` rows are its codes, and
``CouponUse`` the code's state for one order (held → redeemed → returned).
"""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money
from webapp.sales.models import OrderLine


class Kind(StrEnum):
    THRESHOLD = "threshold"  # 满减: spend X save Y, tiers, or 每满 X 减 Y (repeating)
    PERCENT = "percent"  # 折扣: a percent off each item in scope
    FIXED_PRICE = "fixed_price"  # 特价: a unit price
    NTH_ITEM = "nth_item"  # 第N件X折: every Nth unit at a percent off (第二件半价)
    BUY_GET = "buy_get"  # 买N送M: of every N+M units the M cheapest are free
    BUNDLE = "bundle"  # 套餐价: one price for a set of items


ORDER_KINDS = {Kind.THRESHOLD}


class Status(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    STOPPED = "stopped"


class Promotion(db.Model):
    __tablename__ = "promotions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default=Status.DRAFT, index=True)
    # Kind-specific figures, as strings of exact decimals: tiers [[threshold, saving]], repeat, percent,
    # price, nth, buy, free, bundle [[sku_id, quantity]], bundle_price.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    everything: Mapped[bool] = mapped_column(default=False)  # scope: every item
    sku_ids: Mapped[list] = mapped_column(JSON, default=list)
    product_ids: Mapped[list] = mapped_column(JSON, default=list)
    category_ids: Mapped[list] = mapped_column(JSON, default=list)  # with their children
    brand_ids: Mapped[list] = mapped_column(JSON, default=list)
    store_ids: Mapped[list] = mapped_column(JSON, default=list)  # empty: every store
    channels: Mapped[list] = mapped_column(JSON, default=list)  # empty: every channel
    starts_at: Mapped[datetime | None]  # naive UTC
    ends_at: Mapped[datetime | None]
    weekdays: Mapped[list] = mapped_column(JSON, default=list)  # 0 = Monday; empty: every day
    hour_from: Mapped[int | None]  # local hours, [from, to)
    hour_to: Mapped[int | None]
    members_only: Mapped[bool] = mapped_column(default=False)  # the member hook: a predicate on the customer
    max_uses: Mapped[int | None]  # orders, in total
    per_customer: Mapped[int | None]  # orders per customer
    max_discount: Mapped[Decimal | None] = mapped_column(Money)  # total saving given
    exclusive: Mapped[bool] = mapped_column(default=False)
    stackable: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int] = mapped_column(default=0)
    margin_floor: Mapped[Decimal | None] = mapped_column(Money)  # lowest gross margin %, e.g. 10.00
    needs_coupon: Mapped[bool] = mapped_column(default=False)
    # 积分 ×2: what the lines it applies to earn in points is multiplied by this (1–10, one decimal)
    points_multiplier: Mapped[Decimal] = mapped_column(Money, default=Decimal("1.00"), server_default="100")
    source: Mapped[str] = mapped_column(String(40), default="")  # e.g. "markdown:12" for a one-tap draft
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    coupons: Mapped[list["Coupon"]] = relationship(back_populates="promotion", order_by="Coupon.id")

    def __repr__(self) -> str:
        return f"<Promotion {self.id} {self.kind} {self.name!r} {self.status}>"


class PromotionSettings(db.Model):
    """The chain's one row of promotion settings, edited where promotions are managed; missing: none set."""

    __tablename__ = "promotion_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The lowest gross margin % a promotion without a floor of its own may leave on a line (None: no floor).
    margin_floor: Mapped[Decimal | None] = mapped_column(Money)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OrderLinePromotion(db.Model):
    """What one promotion took off one order line: the allocation stored with the sale."""

    __tablename__ = "order_line_promotions"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotions.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)

    line: Mapped[OrderLine] = relationship()
    promotion: Mapped[Promotion] = relationship()


class CouponState(StrEnum):
    HELD = "held"  # on an order not yet paid
    REDEEMED = "redeemed"
    RETURNED = "returned"  # given back by a full refund


class Coupon(db.Model):
    """One code of a coupon promotion; single-use (uses = 1) or multi-use."""

    __tablename__ = "coupons"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # unique across campaigns
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotions.id"), index=True)
    uses: Mapped[int] = mapped_column(default=1)
    # The member the code was given to (a message's coupon, a referral reward): listed for them at the
    # till and in the shop. The code itself stays a bearer code: whoever shows it may use it.
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    promotion: Mapped[Promotion] = relationship(back_populates="coupons")


class CouponUse(db.Model):
    """A code on one order: at most one row per (code, order), so a retried request never uses it twice."""

    __tablename__ = "coupon_uses"
    __table_args__ = (UniqueConstraint("coupon_id", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(10), default=CouponState.HELD)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    coupon: Mapped[Coupon] = relationship()


class Simulation(db.Model):
    """A margin simulation of a promotion over past baskets; a long one runs in the background and its
    progress is read here (by any process)."""

    __tablename__ = "promotion_simulations"

    id: Mapped[int] = mapped_column(primary_key=True)
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotions.id"), index=True)
    store_ids: Mapped[list] = mapped_column(JSON, default=list)
    days: Mapped[int] = mapped_column(default=30)
    floor: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))  # the margin % the manager watches
    status: Mapped[str] = mapped_column(String(10), default="running")  # running, done, failed
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
