"""Transfers' rules: create, send (sender's shelf → receiver's transit place), receive, settle.

Goods on their way to a store sit in that store's transit place
(``location(Usage.TRANSIT, destination)``), so "in transit" anywhere in the
chain is a stock level there. A receipt moves what arrived onto the shelf;
what was short or damaged stays in transit until a manager settles it:
back to the sender, or written off. Every stock change goes through the
ledger in webapp/stock/services.py, in the caller's transaction.
"""
import uuid
from decimal import Decimal

from sqlalchemy import select, update

from webapp.catalog.models import SKU, Tracking
from webapp.clock import utcnow
from webapp.errors import InvalidQuantity
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.stock import services as ledger
from webapp.stock.errors import InsufficientStock
from webapp.stock.models import Lot, StockMove, Usage
from webapp.stock.transfers import errors
from webapp.stock.transfers.models import (
    RESOLUTIONS,
    Discrepancy,
    DiscrepancyKind,
    Resolution,
    Transfer,
    TransferLine,
    TransferStatus,
)
from webapp.stores.models import Store

ZERO = Decimal("0")
# A count beyond this many times what was sent is a typo, not a delivery.
COUNT_LIMIT = 10


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
    _lock(transfer)
    if transfer.status != TransferStatus.DRAFT:
        raise errors.NotDraft(number=transfer.number)
    qty = _positive(qty)
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
    _lock(transfer)
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
    if not transfer.lines:
        raise errors.EmptyTransfer()
    _step(transfer, TransferStatus.DRAFT, TransferStatus.SENT, errors.AlreadySent,
          sent_by_id=user.id if user else None, sent_at=utcnow())
    source, transit = ledger.shelf(transfer.source), ledger.location(Usage.TRANSIT, transfer.destination)
    moves = []
    for line in transfer.lines:
        moves += ledger.transfer(line.sku, line.quantity, source, transit, user=user,
                                 document=transfer.document, lot=line.lot)
    return moves


# ---------------------------------------------------------------- receiving


def scan(transfer: Transfer, sku: SKU, qty=1, *, damaged: bool = False) -> TransferLine:
    """One scan at the receiving store: the SKU's line counts one more (good or damaged)."""
    _lock(transfer)
    _receivable(transfer)
    qty = _positive(qty)
    lines = [li for li in transfer.lines if li.sku_id == sku.id]
    if not lines:
        raise errors.NotOnTransfer(name=sku.display_name, number=transfer.number)
    line = next((li for li in lines if li.received + li.damaged < li.quantity), lines[-1])
    _check_count(line, line.received + line.damaged + qty)
    if damaged:
        line.damaged += qty
    else:
        line.received += qty
    db.session.flush()
    return line


def count(transfer: Transfer, line: TransferLine, received, damaged) -> None:
    """Set a line's count outright (a miscounted scan corrected by hand)."""
    _lock(transfer)
    _receivable(transfer)
    received, damaged = quantity(received), quantity(damaged)
    if received < 0 or damaged < 0:
        raise InvalidQuantity(quantity=min(received, damaged))
    _check_count(line, received + damaged)
    line.received, line.damaged = received, damaged
    db.session.flush()


def _check_count(line: TransferLine, total: Decimal) -> None:
    if total > line.quantity * COUNT_LIMIT:
        raise errors.CountTooLarge(quantity=total, sent=line.quantity)


def _receivable(transfer: Transfer) -> None:
    if transfer.status == TransferStatus.RECEIVED:
        raise errors.AlreadyReceived(number=transfer.number)
    if transfer.status != TransferStatus.SENT:
        raise errors.NotOnItsWay(number=transfer.number)


def confirm_receipt(transfer: Transfer, *, user) -> list[Discrepancy]:
    """What arrived in good order goes onto the shelf; short, damaged and over become discrepancies.

    Once: a second confirmation is refused. Short and damaged goods stay in
    the receiver's transit place until a manager settles them.
    """
    _step(transfer, TransferStatus.SENT, TransferStatus.RECEIVED, errors.AlreadyReceived,
          received_by_id=user.id if user else None, received_at=utcnow())
    transit, shelf = ledger.location(Usage.TRANSIT, transfer.destination), ledger.shelf(transfer.destination)
    found = []
    for line in transfer.lines:
        good = min(line.received, line.quantity)
        damaged = min(line.damaged, line.quantity - good)
        short = line.quantity - good - damaged
        over = line.received + line.damaged - line.quantity
        _move_left(transfer, line, good, transit, shelf, user)
        for kind, amount in ((DiscrepancyKind.SHORT, short), (DiscrepancyKind.DAMAGED, damaged),
                             (DiscrepancyKind.OVER, over)):
            if amount > 0:
                found.append(Discrepancy(line=line, kind=kind.value, quantity=amount))
    transfer.discrepancies.extend(found)
    db.session.flush()
    return found


# ---------------------------------------------------------------- settling discrepancies


def resolve(discrepancy: Discrepancy, resolution: Resolution, *, user, note: str = "") -> None:
    """A manager settles a discrepancy, once; the ledger follows the decision.

    Short or damaged: back on the sender's shelf, or written off from transit.
    Over: kept (the sender's shelf gives them to the receiver's), or handed
    back (the books never moved them, so nothing moves).
    """
    kind = DiscrepancyKind(discrepancy.kind)
    if resolution not in RESOLUTIONS[kind]:
        raise errors.WrongResolution()
    done = db.session.execute(
        update(Discrepancy).where(Discrepancy.id == discrepancy.id, Discrepancy.resolution.is_(None))
        .values(resolution=resolution.value, note=note.strip()[:200], resolved_by_id=user.id if user else None,
                resolved_at=utcnow())
        .execution_options(synchronize_session="fetch"))
    if done.rowcount != 1:
        raise errors.AlreadyResolved()
    db.session.refresh(discrepancy)
    transfer, line = discrepancy.transfer, discrepancy.line
    transit = ledger.location(Usage.TRANSIT, transfer.destination)
    if resolution == Resolution.BACK_TO_SENDER:
        _move_left(transfer, line, discrepancy.quantity, transit, ledger.shelf(transfer.source), user)
    elif resolution in (Resolution.LOST, Resolution.WRITTEN_OFF):
        for lot, amount in _take_left(transfer, line, discrepancy.quantity):
            ledger.write_off_in_transit(transfer.destination, line.sku, amount, user=user,
                                        document=transfer.document, lot=lot)
    elif resolution == Resolution.KEPT:
        ledger.transfer(line.sku, discrepancy.quantity, ledger.shelf(transfer.source),
                        ledger.shelf(transfer.destination), user=user, document=transfer.document)
    db.session.flush()


# ---------------------------------------------------------------- what is still on its way


def left_in_transit(transfer: Transfer, line: TransferLine) -> list[tuple[int | None, Decimal]]:
    """(lot id, quantity) of a line's goods still in the receiver's transit place, first-expiring first."""
    transit = ledger.location(Usage.TRANSIT, transfer.destination)
    moves = select(StockMove.lot_id, StockMove.to_location_id, StockMove.from_location_id, StockMove.quantity).where(
        StockMove.document_type == transfer.document[0], StockMove.document_id == transfer.document[1],
        StockMove.sku_id == line.sku_id,
        (StockMove.to_location_id == transit.id) | (StockMove.from_location_id == transit.id))
    if line.lot_id is not None:
        moves = moves.where(StockMove.lot_id == line.lot_id)
    left: dict[int | None, Decimal] = {}
    for lot_id, to_id, _from_id, qty in db.session.execute(moves):
        left[lot_id] = left.get(lot_id, ZERO) + (qty if to_id == transit.id else -qty)
    expiry = _expiry_dates([lot for lot in left if lot is not None])
    ordered = sorted(left.items(), key=lambda item: (expiry.get(item[0]) is None, expiry.get(item[0]) or 0, item[0] or 0))
    return [(lot_id, qty) for lot_id, qty in ordered if qty > 0]


def _expiry_dates(lot_ids: list[int]) -> dict:
    if not lot_ids:
        return {}
    return dict(db.session.execute(select(Lot.id, Lot.expiry_date).where(Lot.id.in_(lot_ids))).all())


def _take_left(transfer: Transfer, line: TransferLine, wanted: Decimal) -> list[tuple[Lot | None, Decimal]]:
    """Split ``wanted`` over what of the line is still in transit, first-expiring first."""
    parts = []
    for lot_id, available in left_in_transit(transfer, line):
        if wanted <= 0:
            break
        part = min(wanted, available)
        parts.append((db.session.get(Lot, lot_id) if lot_id else None, part))
        wanted -= part
    if wanted > 0:  # someone moved this transfer's goods out of transit by other means
        raise InsufficientStock(name=line.sku.display_name, requested=wanted, available=ZERO)
    return parts


def _move_left(transfer: Transfer, line: TransferLine, wanted: Decimal, transit, to, user) -> None:
    for lot, amount in _take_left(transfer, line, wanted) if wanted > 0 else []:
        ledger.transfer(line.sku, amount, transit, to, user=user, document=transfer.document, lot=lot)


# ---------------------------------------------------------------- once, and only once


def _positive(value) -> Decimal:
    qty = quantity(value)
    if qty <= 0:
        raise InvalidQuantity(quantity=qty)
    return qty


def _step(transfer: Transfer, before: TransferStatus, after: TransferStatus, refusal, **values) -> None:
    """Move the transfer from one status to the next in one guarded UPDATE; a second try is refused."""
    done = db.session.execute(
        update(Transfer).where(Transfer.id == transfer.id, Transfer.status == before.value)
        .values(status=after.value, **values).execution_options(synchronize_session="fetch"))
    if done.rowcount != 1:
        db.session.refresh(transfer)
        if transfer.status == TransferStatus.DRAFT:
            raise errors.NotOnItsWay(number=transfer.number)
        raise refusal(number=transfer.number)


def _lock(transfer: Transfer) -> None:
    """Hold the transfer's row while its lines change (PostgreSQL; SQLite serialises writers)."""
    db.session.execute(select(Transfer.id).where(Transfer.id == transfer.id).with_for_update())
    db.session.refresh(transfer, ["status"])
