"""Orders for every channel, their lines and payments.

Signs: a sale and a return both carry positive quantities and amounts (a
return order's total is the money given back); only payments carry the
direction of the money: a refund is a payment with a negative amount.

An order refers to the till it was rung up on (``Register``, ``Shift`` of
``webapp.pos.models``) and to its online side (``OnlineOrder``) by name only, so
sales never imports the till; ``webapp.models`` imports every model at once.
"""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money, Quantity
from webapp.stock.models import Lot
from webapp.stores.models import Store

if TYPE_CHECKING:  # rooms above sales, named here only as the relationships' targets
    from webapp.pos.models import Register, Shift
    from webapp.sales.online.models import OnlineOrder

ZERO = Decimal("0.00")


class OrderKind(StrEnum):
    SALE = "sale"
    RETURN = "return"
    TOPUP = "topup"  # stored value paid in (or, with an original, given back): a liability, never a sale


class OrderStatus(StrEnum):
    OPEN = "open"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    VOIDED = "voided"


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    STORED_VALUE = "stored_value"  # the member's balance (webapp.members.wallet)
    POINTS = "points"  # the member's points (webapp.members.points)

    @property
    def label(self) -> str:
        return str(METHOD_LABELS[self])


METHOD_LABELS = {
    PaymentMethod.CASH: _l("Cash"),
    PaymentMethod.CARD: _l("Bank card"),
    PaymentMethod.WECHAT: _l("WeChat Pay"),
    PaymentMethod.ALIPAY: _l("Alipay"),
    PaymentMethod.STORED_VALUE: _l("Stored value"),
    PaymentMethod.POINTS: _l("Points"),
}
MEMBER_METHODS = (PaymentMethod.STORED_VALUE, PaymentMethod.POINTS)  # paid from the sale's member's account


class PaymentStatus(StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    TIMEOUT = "timeout"
    PENDING = "pending"  # the provider has not said yet (after a timeout): ask it again


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_store_status", "store_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # HZ01-20261121-0007
    channel: Mapped[str] = mapped_column(String(10))  # webapp.promotions.services.Channel
    kind: Mapped[str] = mapped_column(String(10), default=OrderKind.SALE)
    status: Mapped[str] = mapped_column(String(10), default=OrderStatus.OPEN)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    register_id: Mapped[int | None] = mapped_column(ForeignKey("pos_registers.id"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("pos_shifts.id"), index=True)
    cashier_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who bought: the customer (a member) of an online order or of a till sale the member was named at;
    # a return carries its original's. Empty for an anonymous till sale. Looked up through
    # ``ix_orders_customer_sales`` (outreach's tags), whose first column it is: no index of its own.
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The idempotency key: the till's UUID for this sale; a retried "pay" finds the sale made.
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)
    original_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    subtotal: Mapped[Decimal] = mapped_column(Money, default=ZERO)  # priced lines, before discounts
    discount: Mapped[Decimal] = mapped_column(Money, default=ZERO)  # line discounts + order discount
    order_discount: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    order_discount_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    total: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    # A return: the manager who approved its refund with their PIN (or gave it themselves), when one had to.
    refund_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    store: Mapped[Store] = relationship()
    cashier: Mapped[User | None] = relationship(foreign_keys=[cashier_id])
    customer: Mapped[User | None] = relationship(foreign_keys=[customer_id])
    order_discount_approved_by: Mapped[User | None] = relationship(foreign_keys=[order_discount_approved_by_id])
    refund_approved_by: Mapped[User | None] = relationship(foreign_keys=[refund_approved_by_id])
    register: Mapped["Register | None"] = relationship()
    shift: Mapped["Shift | None"] = relationship()
    original: Mapped["Order | None"] = relationship(remote_side=[id])
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan")
    payments: Mapped[list["Payment"]] = relationship(
        back_populates="order", order_by="Payment.id", cascade="all, delete-orphan")
    online: Mapped["OnlineOrder | None"] = relationship(back_populates="order", uselist=False)  # shop orders

    @property
    def is_return(self) -> bool:
        return self.kind == OrderKind.RETURN

    @property
    def amount_due(self) -> Decimal:
        """What the customer pays in all: the total, and an online order's delivery fee."""
        online = self.online if self.channel == "shop" else None  # a till sale reads no online row
        return self.total + (online.delivery_fee if online is not None else ZERO)

    @property
    def paid(self) -> Decimal:
        """What the customer has paid and not been given back (refunds are negative payments)."""
        return sum((p.amount for p in self.payments if p.status == PaymentStatus.SUCCEEDED), ZERO)

    @property
    def due(self) -> Decimal:
        """What is left to pay."""
        return self.amount_due - self.paid

    @property
    def has_pending_payment(self) -> bool:
        """A charge the provider has not answered yet: ask again before taking another."""
        return any(p.status == PaymentStatus.PENDING for p in self.payments)

    def __repr__(self) -> str:
        return f"<Order {self.number} {self.kind} {self.status}>"


class OrderLine(db.Model):
    """amount = priced_amount − line_discount − order_discount_share, exact to the fen."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Money)  # from the pricing seam
    regular_price: Mapped[Decimal] = mapped_column(Money)
    priced_amount: Mapped[Decimal] = mapped_column(Money)  # the seam's line amount, rounded once
    line_discount: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    discount_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    order_discount_share: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    amount: Mapped[Decimal] = mapped_column(Money)
    unit_cost: Mapped[Decimal | None] = mapped_column(Money)  # the SKU's cost when rung up; the moves' at completion
    # What the promotions applied to the line multiply its points by (积分 ×2), stored when it is priced
    points_multiplier: Mapped[Decimal] = mapped_column(Money, default=Decimal("1.00"), server_default="100")
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    serial: Mapped[str | None] = mapped_column(String(60))
    original_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"), index=True)

    # Not a column: the quantity the line's amounts were priced at while a change in hand waits for its
    # pricing (set by ``sales.cart`` before it changes the quantity; ``promotions.services.record`` reads it
    # to know whether the line holds stored promotion rows, and clears it).
    priced_quantity = None

    order: Mapped[Order] = relationship(back_populates="lines")
    sku: Mapped[SKU] = relationship()
    lot: Mapped[Lot | None] = relationship()
    discount_approved_by: Mapped[User | None] = relationship()
    original_line: Mapped["OrderLine | None"] = relationship(remote_side=[id])


class Payment(db.Model):
    """Money for an order: positive in, negative out (a refund)."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[str] = mapped_column(String(40))  # PaymentMethod, and later stored_value, points, providers
    amount: Mapped[Decimal] = mapped_column(Money)  # what counts toward the order (cash: net of change)
    tendered: Mapped[Decimal | None] = mapped_column(Money)  # cash handed over
    change: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    reference: Mapped[str] = mapped_column(String(64), default="")  # terminal ref or provider transaction id
    merchant_reference: Mapped[str | None] = mapped_column(String(64), index=True)  # ours, for query()
    # Who paid, as the wallet names them (WeChat Pay's openid, Alipay's buyer_id): self-referral checks.
    payer_account: Mapped[str | None] = mapped_column(String(64), index=True)
    original_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))  # a refund's payment
    status: Mapped[str] = mapped_column(String(10), default=PaymentStatus.SUCCEEDED)
    message: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="payments")
    original_payment: Mapped["Payment | None"] = relationship(remote_side=[id])


class OrderCounter(db.Model):
    """The last order number given out per store and local day."""

    __tablename__ = "order_counters"

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
