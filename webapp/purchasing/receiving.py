"""Receiving by scanning into a draft receiving note (入库单), then confirming it once.

The scanned lines live on the server in the draft note, so a reload or a dropped
connection loses nothing. Confirming writes the ledger moves (supplier → shelf,
through ``stock.services.receive``, which also keeps the moving-average cost),
records what the order expected against what came, and moves the order on.
"""
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from webapp.catalog.errors import UnknownCode
from webapp.catalog.models import SKU, Supplier, Tracking
from webapp.catalog.scanning import find
from webapp.clock import utcnow
from webapp.errors import InvalidPrice, InvalidQuantity, check_length
from webapp.extensions import db
from webapp.numbers import money, quantity
from webapp.purchasing import orders
from webapp.purchasing.errors import (
    NoteConfirmed,
    NoteEmpty,
    NotOnOrder,
    OrderNotReceivable,
    OtherSuppliersItem,
)
from webapp.purchasing.models import (
    OPEN,
    NoteStatus,
    PurchaseOrder,
    ReceivingLine,
    ReceivingNote,
    SupplierItem,
)
from webapp.purchasing.numbering import document_number
from webapp.purchasing.suppliers import item_for
from webapp.stock import services as stock
from webapp.stock.errors import SerialQuantity
from webapp.stores.models import Store

DOCUMENT = "receiving_note"


def start(store: Store, *, user, order: PurchaseOrder | None = None,
          supplier: Supplier | None = None, key: str | None = None) -> ReceivingNote:
    """The draft note to scan into: against an order, the one already in progress if any.

    ``key`` is the start form's one-time token: a double tap finds the note the first one made.
    """
    key = (key or "").strip()[:40] or None
    if key:
        done = db.session.scalar(select(ReceivingNote).where(ReceivingNote.key == key))
        if done is not None:
            return done
    if order is not None:
        if order.status not in OPEN:
            raise OrderNotReceivable(number=order.number, status=orders.status_label(order.status))
        draft = db.session.scalar(select(ReceivingNote).where(
            ReceivingNote.order_id == order.id, ReceivingNote.status == NoteStatus.DRAFT.value))
        if draft is not None:
            return draft
        supplier = order.supplier
    try:
        with db.session.begin_nested():  # two taps at once: the second finds the first one's note
            note = ReceivingNote(number=document_number("RN"), store_id=store.id,
                                 supplier_id=supplier.id if supplier else None, order_id=order.id if order else None,
                                 status=NoteStatus.DRAFT, key=key, created_by_id=user.id if user else None)
            db.session.add(note)
            db.session.flush()
    except IntegrityError:
        done = db.session.scalar(select(ReceivingNote).where(ReceivingNote.key == key)) if key else None
        if done is None:
            raise
        return done
    return note


def scan(note: ReceivingNote, code: str, *, as_pack: bool = False, add_anyway: bool = False) -> ReceivingLine:
    """One scan counts one unit, or a pack (the case's barcode, or the user chose "pack")."""
    _lock_draft(note)
    code = (code or "").strip()
    pack_item = db.session.scalar(select(SupplierItem).where(SupplierItem.pack_barcode == code)) if code else None
    sku = pack_item.sku if pack_item else find(code) if code else None
    if sku is None:
        raise UnknownCode(code=code[:48])
    order_line = _order_line(note, sku)
    if order_line is None and not add_anyway:
        _check_supplier(note, sku)
    if pack_item is not None:
        count = pack_item.pack_size
    elif as_pack:
        count = order_line.pack_size if order_line else _pack_size(note, sku)
    else:
        count = Decimal("1")
    return _add(note, sku, count, order_line, off_order=order_line is None and note.order_id is not None)


def set_line(line: ReceivingLine, *, qty, unit_cost, lot_code: str | None = None,
             expiry: date | None = None) -> None:
    """Correct a line: the counted quantity, its cost, its lot and expiry or serial number."""
    _lock_draft(line.note)
    qty, cost = quantity(qty), money(unit_cost)
    if qty <= 0:
        raise InvalidQuantity(quantity=qty)
    if cost < 0:
        raise InvalidPrice(price=cost)
    if line.sku.product.tracking == Tracking.SERIAL and qty != 1:
        raise SerialQuantity(name=line.sku.display_name)
    line.quantity, line.unit_cost = qty, cost
    if line.sku.product.tracking != Tracking.NONE:
        line.lot_code = check_length((lot_code or "").strip(), 60, _l("The lot or serial number")) or None
        line.expiry = expiry
    db.session.flush()


def new_lot(line: ReceivingLine) -> ReceivingLine:
    """Another lot of the same SKU: an empty line that takes the next scans of it."""
    _lock_draft(line.note)
    fresh = ReceivingLine(note_id=line.note_id, sku_id=line.sku_id, order_line_id=line.order_line_id,
                          quantity=Decimal("0"), unit_cost=line.unit_cost, off_order=line.off_order)
    line.note.lines.append(fresh)
    db.session.flush()
    return fresh


def remove_line(line: ReceivingLine) -> None:
    _lock_draft(line.note)
    line.note.lines.remove(line)
    db.session.flush()


def discard(note: ReceivingNote) -> None:
    """Throw a draft away: nothing was received."""
    _lock_draft(note)
    db.session.delete(note)
    db.session.flush()


def confirm(note: ReceivingNote, *, user) -> None:
    """Receive the note's goods into the store, once; a second confirm is refused, not repeated."""
    note = _lock_draft(note)
    counted = [line for line in note.lines if line.quantity > 0]
    if not counted:
        raise NoteEmpty()
    result = db.session.execute(
        update(ReceivingNote).where(ReceivingNote.id == note.id, ReceivingNote.status == NoteStatus.DRAFT.value)
        .values(status=NoteStatus.CONFIRMED.value, confirmed_at=utcnow(), confirmed_by_id=user.id if user else None)
        .execution_options(synchronize_session="fetch"))
    if result.rowcount != 1:
        raise NoteConfirmed(number=note.number)
    store = note.store
    for line in counted:
        stock.receive(store, line.sku, line.quantity, line.unit_cost, user=user,
                      document=(DOCUMENT, note.number), lot_code=line.lot_code, expiry=line.expiry)
    for line in [line for line in note.lines if line.quantity <= 0]:
        note.lines.remove(line)
    if note.order is not None:
        _settle_order(note)
    db.session.flush()
    db.session.refresh(note)


def _settle_order(note: ReceivingNote) -> None:
    """Keep on the note what the order expected, then count the goods against the order."""
    order = note.order
    if order.status not in OPEN:
        raise OrderNotReceivable(number=order.number, status=orders.status_label(order.status))
    received: dict[int, Decimal] = {}
    for line in note.lines:
        if line.order_line_id is not None:
            line.expected = line.order_line.outstanding
            received[line.order_line_id] = received.get(line.order_line_id, Decimal("0")) + line.quantity
    for order_line in order.lines:  # ordered but nothing came: recorded as a short line
        if order_line.id not in received and order_line.outstanding > 0:
            note.lines.append(ReceivingLine(sku_id=order_line.sku_id, order_line_id=order_line.id,
                                            quantity=Decimal("0"), unit_cost=order_line.unit_cost,
                                            expected=order_line.outstanding))
    db.session.flush()
    orders.record_received(order, received)


def _add(note: ReceivingNote, sku: SKU, count: Decimal, order_line, *, off_order: bool) -> ReceivingLine:
    tracking = sku.product.tracking
    existing = [line for line in note.lines if line.sku_id == sku.id]
    if tracking == Tracking.SERIAL:
        line = None  # one line per serial number
        count = Decimal("1")
    elif tracking == Tracking.LOT:
        line = existing[-1] if existing else None  # the newest lot takes the scans
    else:
        line = existing[0] if existing else None
    if line is None:
        line = ReceivingLine(note_id=note.id, sku_id=sku.id, order_line_id=order_line.id if order_line else None,
                             quantity=count, unit_cost=_cost(note, sku, order_line), off_order=off_order)
        db.session.add(line)
        note.lines.append(line)
    else:
        db.session.execute(update(ReceivingLine).where(ReceivingLine.id == line.id)
                           .values(quantity=ReceivingLine.quantity + count, updated_at=utcnow())
                           .execution_options(synchronize_session="fetch"))
    db.session.flush()
    db.session.refresh(line)
    return line


def _lock_draft(note: ReceivingNote) -> ReceivingNote:
    """Scans and the confirm of one note take turns (the row is locked on PostgreSQL)."""
    status = db.session.scalar(select(ReceivingNote.status).where(ReceivingNote.id == note.id).with_for_update())
    if status != NoteStatus.DRAFT:
        db.session.refresh(note)
        raise NoteConfirmed(number=note.number)
    return note


def _order_line(note: ReceivingNote, sku: SKU):
    if note.order is None:
        return None
    return next((line for line in note.order.lines if line.sku_id == sku.id), None)


def _check_supplier(note: ReceivingNote, sku: SKU) -> None:
    """On an order receipt any SKU not ordered asks first; without an order, another supplier's item does."""
    suppliers = db.session.scalars(select(Supplier).join(SupplierItem, SupplierItem.supplier_id == Supplier.id)
                                   .where(SupplierItem.sku_id == sku.id).order_by(Supplier.name)).all()
    theirs = note.supplier_id is not None and suppliers and all(s.id != note.supplier_id for s in suppliers)
    if theirs:
        raise OtherSuppliersItem(sku, ", ".join(s.name for s in suppliers))
    if note.order_id is not None:
        raise NotOnOrder(sku)


def _pack_size(note: ReceivingNote, sku: SKU) -> Decimal:
    item = item_for(note.supplier_id, sku.id)
    return item.pack_size if item else Decimal("1")


def _cost(note: ReceivingNote, sku: SKU, order_line) -> Decimal:
    """The order's price, else this supplier's, else any supplier's, else the average cost (editable)."""
    if order_line is not None:
        return order_line.unit_cost
    item = item_for(note.supplier_id, sku.id) or db.session.scalar(
        select(SupplierItem).where(SupplierItem.sku_id == sku.id).order_by(SupplierItem.id).limit(1))
    return item.cost_price if item else sku.cost
