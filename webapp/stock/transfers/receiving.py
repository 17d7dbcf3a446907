"""Transfers' rules, second half: receive by scanning, record differences, settle them.

A receipt moves what arrived in good order from the receiver's transit place
onto its shelf; what was short or damaged stays in transit until a manager
settles it: back to the sender, or written off. Goods over the transfer are
kept (the sender's shelf gives them) or handed back (nothing moves).
"""
from decimal import Decimal

from sqlalchemy import update

from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.errors import InvalidQuantity
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.stock import services as ledger
from webapp.stock import transit as in_transit
from webapp.stock.models import Usage
from webapp.stock.transfers import errors
from webapp.stock.transfers.guards import lock, positive, step
from webapp.stock.transfers.models import (
    RESOLUTIONS,
    Discrepancy,
    DiscrepancyKind,
    Resolution,
    Transfer,
    TransferLine,
    TransferStatus,
)

# A count beyond this many times what was sent is a typo, not a delivery.
COUNT_LIMIT = 10


def scan(transfer: Transfer, sku: SKU, qty=1, *, damaged: bool = False) -> TransferLine:
    """One scan at the receiving store: the SKU's line counts one more (good or damaged)."""
    lock(transfer)
    _receivable(transfer)
    qty = positive(qty)
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
    lock(transfer)
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
    step(transfer, TransferStatus.SENT, TransferStatus.RECEIVED, errors.AlreadyReceived,
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


def _move_left(transfer: Transfer, line: TransferLine, wanted: Decimal, transit, to, user) -> None:
    for lot, amount in _take_left(transfer, line, wanted) if wanted > 0 else []:
        ledger.transfer(line.sku, amount, transit, to, user=user, document=transfer.document, lot=lot)


def _take_left(transfer: Transfer, line: TransferLine, wanted: Decimal):
    """Split ``wanted`` over what of the line is still in the receiver's transit place."""
    return in_transit.take(ledger.location(Usage.TRANSIT, transfer.destination), transfer.document, line.sku, wanted,
                           lot_id=line.lot_id)
