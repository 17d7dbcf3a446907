"""Purchasing: what a supplier sells us, purchase orders, and receiving notes (入库单)."""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.catalog.models import SKU, Supplier
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money, Quantity
from webapp.stores.models import Store

if TYPE_CHECKING:
    from webapp.auth.models import User


class SupplierItem(db.Model):
    """A supplier's terms for one SKU: cost price, pack size, smallest order, the pack's barcode."""

    __tablename__ = "supplier_items"
    __table_args__ = (UniqueConstraint("supplier_id", "sku_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    cost_price: Mapped[Decimal] = mapped_column(Money)
    pack_size: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("1"))
    min_order_qty: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    # The barcode printed on the case: one scan of it counts a whole pack.
    pack_barcode: Mapped[str | None] = mapped_column(String(48), unique=True)

    supplier: Mapped[Supplier] = relationship()
    sku: Mapped[SKU] = relationship()


class OrderStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"
    CLOSED = "closed"


# Orders whose outstanding lines are still expected: "on order" for replenishment.
OPEN = (OrderStatus.SENT, OrderStatus.PARTLY_RECEIVED)


class PurchaseOrder(db.Model):
    __tablename__ = "purchase_orders"
    __table_args__ = (Index("ix_purchase_orders_store_status", "store_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.DRAFT)
    note: Mapped[str] = mapped_column(String(200), default="")
    # The one-time token of the form that made it: a double tap finds this order, not a second one.
    key: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    expected_on: Mapped[date | None]
    closed_at: Mapped[datetime | None]

    store: Mapped[Store] = relationship()
    supplier: Mapped[Supplier] = relationship()
    created_by: Mapped["User | None"] = relationship("User")
    lines: Mapped[list["PurchaseOrderLine"]] = relationship(
        back_populates="order", order_by="PurchaseOrderLine.id", cascade="all, delete-orphan")

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


class PurchaseOrderLine(db.Model):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (UniqueConstraint("order_id", "sku_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)  # in units, a whole number of packs
    pack_size: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("1"))
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    received: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))

    order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    sku: Mapped[SKU] = relationship()

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))

    @property
    def outstanding(self) -> Decimal:
        return max(self.quantity - self.received, Decimal("0"))


class NoteStatus(StrEnum):
    DRAFT = "draft"  # scanning in progress, kept on the server
    CONFIRMED = "confirmed"  # received into stock, once


class ReceivingNote(db.Model):
    """A receiving note (入库单): what arrived, against a purchase order or without one."""

    __tablename__ = "receiving_notes"
    __table_args__ = (Index("ix_receiving_notes_store_status", "store_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=NoteStatus.DRAFT)
    key: Mapped[str | None] = mapped_column(String(40), unique=True)  # the start form's one-time token
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]

    store: Mapped[Store] = relationship()
    supplier: Mapped[Supplier | None] = relationship()
    order: Mapped[PurchaseOrder | None] = relationship()
    created_by: Mapped["User | None"] = relationship("User", foreign_keys=[created_by_id])
    confirmed_by: Mapped["User | None"] = relationship("User", foreign_keys=[confirmed_by_id])
    lines: Mapped[list["ReceivingLine"]] = relationship(
        back_populates="note", order_by="ReceivingLine.id", cascade="all, delete-orphan")

    @property
    def is_draft(self) -> bool:
        return self.status == NoteStatus.DRAFT


class ReceivingLine(db.Model):
    __tablename__ = "receiving_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("receiving_notes.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order_lines.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    lot_code: Mapped[str | None] = mapped_column(String(60))
    expiry: Mapped[date | None]
    # Added on purpose though not on the order (another supplier's item, or simply not ordered).
    off_order: Mapped[bool] = mapped_column(default=False)
    # Set on confirming: what the order still expected of this SKU then (None: no order).
    expected: Mapped[Decimal | None] = mapped_column(Quantity)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    note: Mapped[ReceivingNote] = relationship(back_populates="lines")
    sku: Mapped[SKU] = relationship()
    order_line: Mapped[PurchaseOrderLine | None] = relationship()

    @property
    def difference(self) -> Decimal | None:
        """Over (+) or under (−) what was expected; None without an order."""
        return None if self.expected is None else self.quantity - self.expected
