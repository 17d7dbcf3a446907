"""Reads for the transfer screens: a store's transfers in and out, and one transfer with its lines."""
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.stock.transfers.models import Discrepancy, Transfer, TransferLine, TransferStatus
from webapp.stores.models import Store, StoreKind

RECENT = 30


def transfer_of(store: Store, transfer_id: int) -> Transfer | None:
    """The transfer, when this store sends or receives it."""
    return db.session.scalar(
        select(Transfer)
        .where(Transfer.id == transfer_id,
               or_(Transfer.source_store_id == store.id, Transfer.destination_store_id == store.id))
        .options(selectinload(Transfer.lines).selectinload(TransferLine.sku).selectinload(SKU.product),
                 selectinload(Transfer.lines).selectinload(TransferLine.lot),
                 selectinload(Transfer.discrepancies).selectinload(Discrepancy.line)))


def on_its_way_to(store: Store) -> list[Transfer]:
    """Sent to this store and not yet received: what the store should expect."""
    return _list(Transfer.destination_store_id == store.id, Transfer.status == TransferStatus.SENT.value)


def to_settle(store: Store) -> list[Transfer]:
    """Received transfers of this store (either end) with discrepancies still open."""
    open_ones = select(Discrepancy.transfer_id).where(Discrepancy.resolution.is_(None))
    return _list(or_(Transfer.source_store_id == store.id, Transfer.destination_store_id == store.id),
                 Transfer.id.in_(open_ones))


def drafts_from(store: Store) -> list[Transfer]:
    return _list(Transfer.source_store_id == store.id, Transfer.status == TransferStatus.DRAFT.value)


def recent(store: Store) -> list[Transfer]:
    """Sent or received by this store lately, newest first (what is on its way here is listed apart)."""
    coming_here = and_(Transfer.destination_store_id == store.id, Transfer.status == TransferStatus.SENT.value)
    return _list(or_(Transfer.source_store_id == store.id, Transfer.destination_store_id == store.id),
                 Transfer.status != TransferStatus.DRAFT.value, ~coming_here, limit=RECENT)


def _list(*conditions, limit: int | None = None) -> list[Transfer]:
    query = (select(Transfer).where(*conditions)
             .options(selectinload(Transfer.source), selectinload(Transfer.destination),
                      selectinload(Transfer.lines), selectinload(Transfer.discrepancies))
             .order_by(Transfer.created_at.desc(), Transfer.id.desc()))
    return list(db.session.scalars(query.limit(limit) if limit else query))


def destinations_for(store: Store) -> list[Store]:
    """Where this store can send to: every other active store, the warehouse first."""
    not_warehouse = Store.kind != StoreKind.HQ_WAREHOUSE.value
    return list(db.session.scalars(
        select(Store).where(Store.id != store.id, Store.active.is_(True)).order_by(not_warehouse, Store.code)))
