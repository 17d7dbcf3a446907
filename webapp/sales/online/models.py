"""Online orders: the fulfilment side of an ``Order`` from the shop, one to one.

An online order is an ordinary ``Order`` (channel ``shop``, its lines priced
by the one pricing seam, its ``Payment`` rows) plus one ``OnlineOrder`` row
that says how it reaches the customer:

- ``status`` (``OnlineStatus``)::

      new ──▶ picking ──▶ ready ──▶ handed_over                  (pickup)
                               └──▶ out_for_delivery ──▶ delivered  (delivery)
      new ──▶ cancelled (customer or store) · new/picking/ready ──▶ cancelled (store)
      new ──▶ expired (unpaid past the store's hold time)

  The ``Order`` row follows: ``open`` while the goods are held, ``completed``
  at hand-over or dispatch (the reservation is consumed then), ``voided``
  when cancelled or expired (the reservation is released then).
- Stock is reserved at the fulfilling store (``Order.store``) when the order
  is placed, in the same transaction; the reservations are the ledger's
  ``Reservation`` rows with the document ``("order", order.number)``.
- ``fulfilment`` is ``pickup`` or ``delivery``; a delivery carries the
  address, district and coordinates, and the store's delivery fee.
- The amount due is ``order.total + delivery_fee``. It is paid online
  (``paid_at`` set) or, where the store allows, at pickup (``pay_at_pickup``).
  An order neither paid nor pay-at-pickup expires at ``expires_at``.
- ``pickup_code``: six digits the customer says at the counter (unique among
  the store's open online orders); ``pickup_token``: what the pickup QR code
  holds; ``access_token``: the secret in the customer's order-page URL.
- ``checkout_key``: the checkout form's idempotency key (a double submit makes
  one order).

``OrderNotification`` is the outbox of messages to the customer (accepted,
ready for pickup, out for delivery...), sent by a pluggable sender.
"""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from webapp.auth.models import User
from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money, Quantity
from webapp.sales.models import Order
from webapp.stock.transfers.models import Transfer


class OnlineStatus(StrEnum):
    NEW = "new"
    PICKING = "picking"
    READY = "ready"
    HANDED_OVER = "handed_over"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


# What a customer and the staff read, in their language: labels, never the codes above.
STATUS_LABELS = {
    OnlineStatus.NEW: _l("Accepted"),
    OnlineStatus.PICKING: _l("Being picked"),
    OnlineStatus.READY: _l("Ready"),
    OnlineStatus.HANDED_OVER: _l("Collected"),
    OnlineStatus.OUT_FOR_DELIVERY: _l("Out for delivery"),
    OnlineStatus.DELIVERED: _l("Delivered"),
    OnlineStatus.CANCELLED: _l("Cancelled"),
    OnlineStatus.EXPIRED: _l("Expired (not paid in time)"),
}

# Statuses in which the goods are still held for the customer at the store.
HOLDING = (OnlineStatus.NEW, OnlineStatus.PICKING, OnlineStatus.READY)
FINISHED = (OnlineStatus.HANDED_OVER, OnlineStatus.DELIVERED, OnlineStatus.CANCELLED, OnlineStatus.EXPIRED)


class Fulfilment(StrEnum):
    PICKUP = "pickup"
    DELIVERY = "delivery"


class OnlineOrder(db.Model):
    __tablename__ = "online_orders"
    __table_args__ = (Index("ix_online_orders_status_expires", "status", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=OnlineStatus.NEW)
    fulfilment: Mapped[str] = mapped_column(String(10))
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(200), default="")
    district: Mapped[str] = mapped_column(String(50), default="")
    # Positions, not money or stock: floats are fine here.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    distance_m: Mapped[int | None]  # from the store to the customer, as the crow flies
    delivery_fee: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    pay_at_pickup: Mapped[bool] = mapped_column(default=False)
    paid_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    pickup_code: Mapped[str] = mapped_column(String(6), index=True)
    pickup_token: Mapped[str] = mapped_column(String(32), unique=True)
    access_token: Mapped[str] = mapped_column(String(32), unique=True)
    checkout_key: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")

    order: Mapped[Order] = relationship(back_populates="online")
    customer: Mapped[User] = relationship()

    @property
    def amount_due(self) -> Decimal:
        return self.order.amount_due

    @property
    def paid(self) -> Decimal:
        return self.order.paid

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def is_open(self) -> bool:
        return self.status in HOLDING

    @property
    def is_pickup(self) -> bool:
        return self.fulfilment == Fulfilment.PICKUP

    @property
    def next_step(self) -> str | None:
        """The store's next step on this order ("start", "ready", "dispatch", "delivered"), or None
        (a ready pickup order is handed over at the till)."""
        if self.status == OnlineStatus.NEW:
            return "start"
        if self.status == OnlineStatus.PICKING:
            return "ready"
        if self.status == OnlineStatus.READY and not self.is_pickup:
            return "dispatch"
        if self.status == OnlineStatus.OUT_FOR_DELIVERY:
            return "delivered"
        return None

    def __repr__(self) -> str:
        return f"<OnlineOrder {self.order.number} {self.status}>"


class NotificationKind(StrEnum):
    ACCEPTED = "accepted"
    READY = "ready"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    ITEM_UNAVAILABLE = "item_unavailable"


class OrderNotification(db.Model):
    """One message to a customer about their order; sent once by the configured sender."""

    __tablename__ = "order_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    online_order_id: Mapped[int] = mapped_column(ForeignKey("online_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(200), default="")

    online_order: Mapped[OnlineOrder] = relationship(
        backref=backref("notifications", order_by="OrderNotification.id"))


class ShortfallResolution(StrEnum):
    TRANSFER = "transfer"  # a transfer from another store was asked for
    UNAVAILABLE = "unavailable"  # the line was taken off the order (and refunded if paid)
    CANCELLED = "cancelled"  # the order was cancelled (and refunded)
    RESTOCKED = "restocked"  # the shelf covers the order's hold again (goods came in): fulfilled as ordered


class TillShortfall(db.Model):
    """Units an online order holds that a till sale took off the shelf: "short: sold at the till".

    Made in the till sale's transaction (``shortfalls.flag_sold_at_till``): the shelf has fewer of the
    SKU on hand than it holds for online orders, and this order's reservation is among the newest that
    are no longer covered. Open until the store chooses what to do (``resolution``); an order that ends
    another way (handed over, cancelled by the customer) leaves its row as it was, no longer asking.
    """

    __tablename__ = "till_shortfalls"

    id: Mapped[int] = mapped_column(primary_key=True)
    online_order_id: Mapped[int] = mapped_column(ForeignKey("online_orders.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)  # units of this order's hold no longer on the shelf
    sale_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)  # the till sale that took them
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolution: Mapped[str | None] = mapped_column(String(20))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]

    online_order: Mapped[OnlineOrder] = relationship()
    sku: Mapped[SKU] = relationship()
    sale: Mapped[Order] = relationship(foreign_keys=[sale_id])
    transfer: Mapped[Transfer | None] = relationship()
    resolved_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.resolution is None
