"""Write-offs (报损): scan the lines into a draft, then post them to the loss place in one go.

Posting moves every line through the ledger's ``write_off`` (the shelf's
available stock is checked; more than there is is refused with the figures)
and flips the draft to posted with a guarded UPDATE, so a double submit posts
once. The photo note is checked here; the view stores the file.
"""
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from webapp.clock import utcnow
from webapp.errors import InvalidQuantity, check_length
from webapp.extensions import db
from webapp.stock import services as ledger
from webapp.stock.counts.scanning import scanned, scanned_lot
from webapp.stock.write_offs import photos
from webapp.stock.write_offs.errors import NoLines, ReasonRequired, WriteOffPosted
from webapp.stock.write_offs.models import WriteOff, WriteOffLine, WriteOffReason, WriteOffStatus
from webapp.stores.models import Store


def start(store: Store, *, user) -> WriteOff:
    write_off = WriteOff(store_id=store.id, number=f"BS-{uuid.uuid4().hex[:10].upper()}",
                         created_by_id=user.id if user else None)
    db.session.add(write_off)
    db.session.flush()
    return write_off


def add_line(write_off: WriteOff, code: str, qty=None, *, lot_code: str | None = None) -> WriteOffLine:
    """Scan (one more, or a scale label's weight) or type a quantity; the same SKU and lot again adds to its line."""
    _check_draft(write_off)
    sku, qty = scanned(code, qty)
    if qty <= 0:
        raise InvalidQuantity(quantity=qty)
    lot = scanned_lot(sku, lot_code)
    line = next((li for li in write_off.lines if li.sku_id == sku.id and li.lot_id == (lot.id if lot else None)), None)
    if line is None:
        line = WriteOffLine(sku=sku, lot=lot, quantity=qty)
        write_off.lines.append(line)
        db.session.flush()
        return line
    # One more of the same: added in the database, so two quick scans both count.
    db.session.execute(update(WriteOffLine).where(WriteOffLine.id == line.id)
                       .values(quantity=WriteOffLine.quantity + qty).execution_options(synchronize_session="fetch"))
    db.session.refresh(line)
    return line


def remove_line(write_off: WriteOff, line: WriteOffLine) -> None:
    _check_draft(write_off)
    if line.write_off_id == write_off.id:
        write_off.lines.remove(line)
        db.session.flush()


def post(write_off: WriteOff, *, user, reason: str | None, note: str = "", photo: bytes | None = None,
         photo_limit: int = photos.LIMIT) -> str | None:
    """Send every line to the loss place; returns the photo's file name for the caller to store."""
    if not write_off.lines:
        raise NoLines()
    try:
        reason = WriteOffReason(reason)
    except ValueError:
        raise ReasonRequired() from None
    photo_name = f"{write_off.number}.{photos.check(photo, photo_limit)}" if photo else None
    result = db.session.execute(
        update(WriteOff).where(WriteOff.id == write_off.id, WriteOff.status == WriteOffStatus.DRAFT.value)
        .values(status=WriteOffStatus.POSTED.value, reason=reason.value, posted_at=utcnow(),
                note=check_length((note or "").strip(), 500, _l("The note")), photo=photo_name)
        .execution_options(synchronize_session="fetch"))
    if result.rowcount != 1:
        raise WriteOffPosted()
    store, document = write_off.store, ("write_off", write_off.number)
    for line in write_off.lines:
        line.unit_cost = line.sku.cost
        ledger.write_off(store, line.sku, line.quantity, user=user, document=document, lot=line.lot)
    db.session.flush()
    return photo_name


def _check_draft(write_off: WriteOff) -> None:
    """Still a draft, and held so until this request ends: a line never joins a posted write-off."""
    db.session.execute(select(WriteOff.id).where(WriteOff.id == write_off.id).with_for_update())
    db.session.refresh(write_off, ["status", "lines"])
    for line in write_off.lines:
        db.session.refresh(line)  # another phone's scans, read after the lock
    if not write_off.is_draft:
        raise WriteOffPosted()

