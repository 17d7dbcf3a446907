"""Reads for the purchasing and receiving screens."""
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from webapp.catalog.models import SKU, Product, Supplier
from webapp.extensions import db
from webapp.purchasing.models import (
    OPEN,
    NoteStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    ReceivingLine,
    ReceivingNote,
    SupplierItem,
)


def suppliers() -> list[Supplier]:
    return list(db.session.scalars(select(Supplier).order_by(Supplier.name)))


def items_of(supplier: Supplier) -> list[SupplierItem]:
    return list(db.session.scalars(
        select(SupplierItem).join(SKU, SKU.id == SupplierItem.sku_id).join(Product, Product.id == SKU.product_id)
        .where(SupplierItem.supplier_id == supplier.id)
        .options(selectinload(SupplierItem.sku).selectinload(SKU.product))
        .order_by(Product.name, SKU.code)))


def orders(store_id: int | None = None, status: str | None = None) -> Select:
    query = (select(PurchaseOrder).options(selectinload(PurchaseOrder.supplier), selectinload(PurchaseOrder.store),
                                           selectinload(PurchaseOrder.lines))
             .order_by(PurchaseOrder.created_at.desc(), PurchaseOrder.id.desc()))
    if store_id is not None:
        query = query.where(PurchaseOrder.store_id == store_id)
    if status:
        query = query.where(PurchaseOrder.status == status)
    return query


def open_orders(store_id: int) -> list[PurchaseOrder]:
    return list(db.session.scalars(
        select(PurchaseOrder).where(PurchaseOrder.store_id == store_id,
                                    PurchaseOrder.status.in_([s.value for s in OPEN]))
        .options(selectinload(PurchaseOrder.supplier)).order_by(PurchaseOrder.sent_at)))


def order_lines(order: PurchaseOrder) -> list[PurchaseOrderLine]:
    return list(db.session.scalars(
        select(PurchaseOrderLine).join(SKU, SKU.id == PurchaseOrderLine.sku_id)
        .join(Product, Product.id == SKU.product_id).where(PurchaseOrderLine.order_id == order.id)
        .options(selectinload(PurchaseOrderLine.sku).selectinload(SKU.product),
                 selectinload(PurchaseOrderLine.sku).selectinload(SKU.barcodes))
        .order_by(Product.name, SKU.code)))


def notes(store_id: int, status: NoteStatus, limit: int = 30) -> list[ReceivingNote]:
    return list(db.session.scalars(
        select(ReceivingNote).where(ReceivingNote.store_id == store_id, ReceivingNote.status == status.value)
        .options(selectinload(ReceivingNote.supplier), selectinload(ReceivingNote.order),
                 selectinload(ReceivingNote.lines))
        .order_by(ReceivingNote.created_at.desc(), ReceivingNote.id.desc()).limit(limit)))


def notes_of_order(order: PurchaseOrder) -> list[ReceivingNote]:
    return list(db.session.scalars(select(ReceivingNote).where(ReceivingNote.order_id == order.id)
                                   .order_by(ReceivingNote.id)))


@dataclass
class NoteRow:
    """One SKU on a receiving note: its lines (lots, serials), what came, what the order expected."""

    sku: SKU
    lines: list[ReceivingLine] = field(default_factory=list)
    expected: Decimal | None = None  # None: not on an order
    off_order: bool = False

    @property
    def received(self) -> Decimal:
        return sum((line.quantity for line in self.lines), Decimal("0"))

    @property
    def difference(self) -> Decimal | None:
        return None if self.expected is None else self.received - self.expected

    @property
    def over(self) -> bool:
        return self.difference is not None and self.difference > 0

    @property
    def short(self) -> bool:
        return self.difference is not None and self.difference < 0


def note_rows(note: ReceivingNote) -> list[NoteRow]:
    """Per SKU: the order's lines first (with what is still expected), then what came unordered."""
    rows: dict[int, NoteRow] = {}
    if note.order is not None:
        for order_line in order_lines(note.order):
            if note.is_draft and order_line.outstanding <= 0:
                continue  # already all here: shown only if more of it is scanned
            expected = order_line.outstanding if note.is_draft else None
            rows[order_line.sku_id] = NoteRow(order_line.sku, expected=expected)
    for line in note.lines:
        expected = line.order_line.outstanding if note.is_draft and line.order_line else None
        row = rows.setdefault(line.sku_id, NoteRow(line.sku, expected=expected, off_order=line.off_order))
        row.lines.append(line)
        if not note.is_draft and line.expected is not None:
            row.expected = line.expected
    if not note.is_draft:
        rows = {k: r for k, r in rows.items() if r.lines}
    return list(rows.values())
