"""Once, and only once: the transfer's status moves in one guarded UPDATE; its row is held while lines change."""
from decimal import Decimal

from sqlalchemy import select, update

from webapp.errors import InvalidQuantity
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.stock.transfers import errors
from webapp.stock.transfers.models import Transfer, TransferStatus


def positive(value) -> Decimal:
    qty = quantity(value)
    if qty <= 0:
        raise InvalidQuantity(quantity=qty)
    return qty


def step(transfer: Transfer, before: TransferStatus, after: TransferStatus, refusal, **values) -> None:
    """Move the transfer from one status to the next in one guarded UPDATE; a second try is refused."""
    done = db.session.execute(
        update(Transfer).where(Transfer.id == transfer.id, Transfer.status == before.value)
        .values(status=after.value, **values).execution_options(synchronize_session="fetch"))
    if done.rowcount != 1:
        db.session.refresh(transfer)
        if transfer.status == TransferStatus.DRAFT:
            raise errors.NotOnItsWay(number=transfer.number)
        raise refusal(number=transfer.number)


def lock(transfer: Transfer) -> None:
    """Hold the transfer's row while its lines change (PostgreSQL; SQLite serialises writers)."""
    db.session.execute(select(Transfer.id).where(Transfer.id == transfer.id).with_for_update())
    # Read again what others wrote before the lock was ours: the status and every line's counts.
    db.session.refresh(transfer, ["status", "lines"])
    for line in transfer.lines:
        db.session.refresh(line)
