"""What member growth keeps: a member's profile (birthday, opt-out, referral code), their computed
figures and tags, segments, messages (campaigns and the outbox of member messages), coupons given to
members, referrals, co-purchase counts and the chain's settings.

Computed tables (``member_figures``, ``member_tags`` with ``manual`` false, ``often_bought_together``)
are rebuilt by ``flask outreach tags``; nothing else writes them.
"""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money
from webapp.promotions.models import Coupon, Promotion
from webapp.sales.models import Order
from webapp.stores.models import Store

# An index the tags own on the orders (declared here so the sales models stay as their room wrote them):
# each member's completed sales and returns with their time and total, in member order, so the members'
# figures and usual weekday and hour are read from the index alone, without a sort or a lookup per order.
ORDERS_BY_CUSTOMER = Index("ix_orders_customer_sales", Order.customer_id, Order.status, Order.kind,
                           Order.completed_at, Order.total)


class MemberProfile(db.Model):
    """What a member tells us beyond their account: birthday, whether they want messages, their WeChat
    openid. Made on first need; a member without one has the defaults."""

    __tablename__ = "member_profiles"

    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    birthday: Mapped[date | None] = mapped_column(Date)
    opted_out: Mapped[bool] = mapped_column(default=False)  # no marketing messages
    opted_out_at: Mapped[datetime | None]
    wechat_openid: Mapped[str] = mapped_column(String(64), default="")  # for WeChat subscribe messages
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[User] = relationship()


class MemberFigures(db.Model):
    """One row per member who bought: recency, frequency, money (net of returns) and the RFM segment.
    Derived from the orders and rebuilt whole (no foreign key: a million checks per rebuild for nothing)."""

    __tablename__ = "member_figures"

    customer_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    orders: Mapped[int] = mapped_column(default=0)
    spent: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))  # sales less refunds
    average_ticket: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    first_order_at: Mapped[datetime | None]
    last_order_at: Mapped[datetime | None]
    segment: Mapped[str] = mapped_column(String(20), default="")
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class MemberTag(db.Model):
    """A computed tag on a member (``rfm:high_value``, ``category:12``, ``weekday:3``, ``hour:8``,
    ``product:5``, ``birthday:05``). Rebuilt whole by each recompute; clustered by member (SQLite: without
    rowid), so a segment's per-member checks are one index lookup each."""

    __tablename__ = "member_tags"
    __table_args__ = {"sqlite_with_rowid": False}

    customer_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)


class MemberManualTag(db.Model):
    """A tag a manager gave a member by hand (read as ``manual:<name>``); recomputing leaves it alone."""

    __tablename__ = "member_manual_tags"

    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Segment(db.Model):
    """A saved combination of tags: members with all of ``all_tags``, at least one of ``any_tags`` (when
    given) and none of ``none_tags``; ``store_id``: only members who bought at that store."""

    __tablename__ = "member_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    all_tags: Mapped[list] = mapped_column(JSON, default=list)
    any_tags: Mapped[list] = mapped_column(JSON, default=list)
    none_tags: Mapped[list] = mapped_column(JSON, default=list)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[Store | None] = relationship()


class Campaign(db.Model):
    """A message sent to a segment once: its text, its coupon, and what happened."""

    __tablename__ = "member_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("member_segments.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    promotion_id: Mapped[int | None] = mapped_column(ForeignKey("promotions.id"))
    queued: Mapped[int] = mapped_column(default=0)
    skipped_opted_out: Mapped[int] = mapped_column(default=0)
    skipped_capped: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    segment: Mapped[Segment] = relationship()
    promotion: Mapped[Promotion | None] = relationship()


class MessageKind(StrEnum):
    CAMPAIGN = "campaign"
    BIRTHDAY = "birthday"
    WIN_BACK = "win_back"
    BACK_IN_STOCK = "back_in_stock"
    REFERRAL = "referral"  # a reward: not marketing, not capped


MARKETING = (MessageKind.CAMPAIGN, MessageKind.BIRTHDAY, MessageKind.WIN_BACK, MessageKind.BACK_IN_STOCK)


class MemberMessage(db.Model):
    """The outbox of messages to members: written in the transaction that decided them, sent by the
    configured sender (``flask outreach send``). ``once_key`` makes a journey's message exactly once per
    member (``birthday:2026``, ``win_back:2026-11-02``, ``campaign:7``)."""

    __tablename__ = "member_messages"
    __table_args__ = (UniqueConstraint("customer_id", "once_key"),
                      Index("ix_member_messages_unsent", "sent_at", "id"),
                      Index("ix_member_messages_customer_time", "customer_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    once_key: Mapped[str] = mapped_column(String(60))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("member_campaigns.id"), index=True)
    phone: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text)
    coupon_id: Mapped[int | None] = mapped_column(ForeignKey("coupons.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(200), default="")

    customer: Mapped[User] = relationship()


class MemberCoupon(db.Model):
    """A coupon code given to a member (a message's, a referral reward): theirs to see and use."""

    __tablename__ = "member_coupons"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(20))  # a MessageKind
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    coupon: Mapped[Coupon] = relationship()


class ReferralState(StrEnum):
    SIGNED_UP = "signed_up"  # waiting for the friend's first order to complete and pass the return window
    REWARDED = "rewarded"  # both have their coupon
    RETURNED = "returned"  # the first order was given back in full: no reward
    REFUSED = "refused"  # self-referral found when rewarding


class Referral(db.Model):
    """A friend who signed up by a member's link; one referrer per friend."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    referrer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    friend_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    state: Mapped[str] = mapped_column(String(12), default=ReferralState.SIGNED_UP, index=True)
    first_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None]

    referrer: Mapped[User] = relationship(foreign_keys=[referrer_id])
    friend: Mapped[User] = relationship(foreign_keys=[friend_id])


class OftenBoughtTogether(db.Model):
    """Co-purchase counts: in how many orders ``other`` was bought with ``product`` (top 4 per product)."""

    __tablename__ = "often_bought_together"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    orders: Mapped[int]
    rank: Mapped[int]


class StockSeen(db.Model):
    """Whether a product was on sale online at the last "back in stock" run (to see what came back)."""

    __tablename__ = "outreach_stock_seen"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    in_stock: Mapped[bool]


class OutreachSettings(db.Model):
    """The chain's one row of member-growth settings; missing means the defaults."""

    __tablename__ = "outreach_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    cap_messages: Mapped[int] = mapped_column(default=2)  # marketing messages per member ...
    cap_days: Mapped[int] = mapped_column(default=7)  # ... per this many days
    return_window_days: Mapped[int] = mapped_column(default=7)  # a referral is rewarded after it
    referral_reward: Mapped[Decimal] = mapped_column(Money, default=Decimal("10.00"))
    reward_minimum: Mapped[Decimal] = mapped_column(Money, default=Decimal("20.00"))  # spend to use it
    win_back_days: Mapped[int] = mapped_column(default=60)
    referral_promotion_id: Mapped[int | None] = mapped_column(ForeignKey("promotions.id"))
    birthday_promotion_id: Mapped[int | None] = mapped_column(ForeignKey("promotions.id"))
    win_back_promotion_id: Mapped[int | None] = mapped_column(ForeignKey("promotions.id"))
