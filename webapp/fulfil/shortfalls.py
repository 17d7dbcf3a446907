"""The store's choices for an online order left short by a till sale ("short: sold at the till").

Each choice settles the order's open ``TillShortfall`` rows for the SKU, in the caller's
transaction, and never commits:

- ``ask_transfer``: another store sends the units. A draft transfer from that store to this one is
  made with the line (``webapp.stock.transfers``), for the sending store to fill and send; the order
  keeps its hold and waits for the goods.
- ``take_off``: the line is marked unavailable, as while picking (``services.mark_unavailable``): its
  hold released through the ledger, its amount off the order, refunded through the payment path
  when paid, the customer told.
- ``cancel``: the whole order is cancelled as the store cancels any order (``online.cancel``: holds
  released, what was paid refunded).
- ``keep``: goods came in meanwhile (a delivery, a return) and the shelf covers every hold of the SKU
  again: the order is fulfilled as ordered.
"""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.fulfil import services
from webapp.fulfil.errors import LineGone, ShortfallSettled, StillShort
from webapp.fulfil.models import Shortage
from webapp.sales.online import services as online
from webapp.sales.online import shortfalls
from webapp.sales.online.models import HOLDING, OnlineOrder, ShortfallResolution, TillShortfall
from webapp.stock.models import Location, StockLevel, Usage
from webapp.stock.transfers import services as transfers
from webapp.stock.transfers.models import Transfer
from webapp.stock.transfers.queries import destinations_for
from webapp.stores.models import Store

TRANSFER_NOTE = _l("For online order %(number)s: sold at the till")


def ask_transfer(found: OnlineOrder, shortfall: TillShortfall, source: Store, user: User) -> Transfer:
    """A draft transfer of the short units from ``source`` to the order's store."""
    _require_open(found, shortfall)
    store = found.order.store
    transfer = transfers.create(source, store, user=user, note=str(TRANSFER_NOTE % {"number": found.order.number}))
    transfers.add_line(transfer, shortfall.sku, shortfall.quantity)
    _settle(found, shortfall.sku_id, ShortfallResolution.TRANSFER, user, transfer=transfer)
    return transfer


def take_off(found: OnlineOrder, shortfall: TillShortfall, user: User) -> Shortage:
    """The short SKU's line comes off the order (refunded if paid)."""
    _require_open(found, shortfall)
    line = next((ln for ln in found.order.lines if ln.sku_id == shortfall.sku_id), None)
    if line is None:
        raise LineGone(number=found.order.number)
    shortage = services.mark_unavailable(found, line.id, user, allowed=HOLDING)
    _settle(found, shortfall.sku_id, ShortfallResolution.UNAVAILABLE, user)
    return shortage


def cancel(found: OnlineOrder, user: User, reason: str) -> None:
    """The order is cancelled and refunded; its shortfalls are settled with it."""
    online.cancel(found, by_customer=False, reason=reason)
    _settle(found, None, ShortfallResolution.CANCELLED, user)


def keep(found: OnlineOrder, shortfall: TillShortfall, user: User) -> None:
    """The shelf has the SKU for every hold again: the order goes on as ordered."""
    _require_open(found, shortfall)
    if not covered(found.order.store, shortfall.sku_id):
        raise StillShort(name=shortfall.sku.display_name)
    _settle(found, shortfall.sku_id, ShortfallResolution.RESTOCKED, user)


def covered(store: Store, sku_id: int) -> bool:
    """Does the store's shelf hold at least as many of the SKU as its online orders hold?"""
    on_hand, held = db.session.execute(
        select(func.coalesce(func.sum(StockLevel.on_hand), 0), func.coalesce(func.sum(StockLevel.reserved), 0))
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.sku_id == sku_id, Location.usage == Usage.INTERNAL.value,
               Location.store_id == store.id)).one()
    return on_hand >= held


def settle_cancelled(found: OnlineOrder, user: User) -> None:
    """An order the store cancelled from its page: its open shortfalls say so."""
    _settle(found, None, ShortfallResolution.CANCELLED, user)


def sources_for(found: OnlineOrder, shortfall: TillShortfall) -> list[tuple[Store, Decimal]]:
    """The stores (the warehouse first) with the short units available on their shelf, and how many."""
    stores = destinations_for(found.order.store)
    available = dict(db.session.execute(
        select(Location.store_id, func.sum(StockLevel.on_hand - StockLevel.reserved))
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.sku_id == shortfall.sku_id, Location.usage == Usage.INTERNAL.value,
               Location.store_id.in_([s.id for s in stores]))
        .group_by(Location.store_id)).all())
    return [(store, available[store.id]) for store in stores
            if available.get(store.id) is not None and available[store.id] >= shortfall.quantity]


def _require_open(found: OnlineOrder, shortfall: TillShortfall) -> None:
    online.refresh(found)
    if shortfall.online_order_id != found.id or shortfall not in shortfalls.open_for(found):
        raise ShortfallSettled(number=found.order.number)


def _settle(found: OnlineOrder, sku_id: int | None, resolution: ShortfallResolution, user: User,
            transfer: Transfer | None = None) -> None:
    for row in db.session.scalars(
            select(TillShortfall).where(TillShortfall.online_order_id == found.id, TillShortfall.resolution.is_(None))):
        if sku_id is None or row.sku_id == sku_id:
            row.resolution, row.resolved_at = resolution.value, utcnow()
            row.resolved_by_id = user.id if user else None
            row.transfer_id = transfer.id if transfer else None
    db.session.flush()
