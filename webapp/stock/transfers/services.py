"""Transfers' rules, first half: create, fill a draft, send (sender's shelf → receiver's transit place).

Goods on their way to a store sit in that store's transit place
(``location(Usage.TRANSIT, destination)``), so "in transit" anywhere in the
chain is a stock level there. Receiving and settling differences are in
receiving.py. Every stock change goes through the ledger in
webapp/stock/services.py, in the caller's transaction.
"""
import uuid
from decimal import Decimal

from sqlalchemy import select

from webapp.catalog.models import SKU, Tracking
from webapp.clock import utcnow
from webapp.errors import InvalidQuantity
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.stock import services as ledger
from webapp.stock.models import Lot, StockMove, Usage
from webapp.stock.transfers import errors
from webapp.stock.transfers.guards import lock, positive, step
from webapp.stock.transfers.models import Transfer, TransferLine, TransferStatus
from webapp.stores.models import Store


def create(source: Store, destination: Store, *, user, note: str = "") -> Transfer:
    if source.id == destination.id:
        raise errors.SameStore()
    transfer = Transfer(number=_number(), source_store_id=source.id, destination_store_id=destination.id,
                        note=note.strip()[:200], created_by_id=user.id if user else None)
    db.session.add(transfer)
    db.session.flush()
    return transfer


def _number() -> str:
    return f"DB{utcnow():%y%m%d}-{uuid.uuid4().hex[:6].upper()}"


# ---------------------------------------------------------------- lines (a draft)


def add_line(transfer: Transfer, sku: SKU, qty, *, serial: str | None = None) -> TransferLine:
    """Add a SKU to a draft; a SKU scanned again adds to its line. Serial goods: one line per serial."""
    lock(transfer)
    if transfer.status != TransferStatus.DRAFT:
        raise errors.NotDraft(number=transfer.number)
    qty = positive(qty)
    if sku.product.tracking == Tracking.SERIAL:
        return _add_serial(transfer, sku, qty, serial)
    line = next((li for li in transfer.lines if li.sku_id == sku.id), None)
    if line is None:
        line = TransferLine(sku=sku, quantity=qty)
        transfer.lines.append(line)
    else:
        line.quantity += qty
    db.session.flush()
    return line


def _add_serial(transfer: Transfer, sku: SKU, qty: Decimal, serial: str | None) -> TransferLine:
    serial = (serial or "").strip()
    if not serial or qty != 1:
        raise errors.SerialNeeded(name=sku.display_name)
    lot = db.session.scalar(select(Lot).where(Lot.sku_id == sku.id, Lot.code == serial))
    if lot is None:
        raise errors.UnknownSerial(name=sku.display_name, code=serial)
    if any(li.lot_id == lot.id for li in transfer.lines):
        raise errors.SerialTwice(code=serial)
    line = TransferLine(sku=sku, lot=lot, quantity=qty)
    transfer.lines.append(line)
    db.session.flush()
    return line


def change_line(transfer: Transfer, line: TransferLine, qty) -> None:
    """A draft line's new quantity; zero takes the line off."""
    lock(transfer)
    if transfer.status != TransferStatus.DRAFT:
        raise errors.NotDraft(number=transfer.number)
    qty = quantity(qty)
    if qty < 0 or (line.lot_id and qty > 1):
        raise InvalidQuantity(quantity=qty)
    if qty == 0:
        transfer.lines.remove(line)
    else:
        line.quantity = qty
    db.session.flush()


# ---------------------------------------------------------------- sending


def send(transfer: Transfer, *, user) -> list[StockMove]:
    """Every line leaves the sender's shelf for the receiver's transit place, first-expiring first.

    Once: a second send is refused. More than the shelf has available is
    refused with the SKU, what was wanted and what there is.
    """
    lock(transfer)  # the lines as they are, none added meanwhile left behind
    if not transfer.lines:
        raise errors.EmptyTransfer()
    step(transfer, TransferStatus.DRAFT, TransferStatus.SENT, errors.AlreadySent,
          sent_by_id=user.id if user else None, sent_at=utcnow())
    source, transit = ledger.shelf(transfer.source), ledger.location(Usage.TRANSIT, transfer.destination)
    moves = []
    for line in transfer.lines:
        moves += ledger.transfer(line.sku, line.quantity, source, transit, user=user,
                                 document=transfer.document, lot=line.lot)
    return moves
