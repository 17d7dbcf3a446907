"""A till sale that takes units held for online orders: the orders it leaves short, flagged at once.

The till sells what the customer holds in their hand (the ledger lets a POS sale drive available
below zero), so a sale can take units the shelf holds for online orders. ``flag_sold_at_till`` runs
in the sale's transaction, right after its stock moves: for each SKU sold, the shelf's holds that on
hand no longer covers (reserved − on hand, on hand counted as zero when below) are given to the
**newest holds first** — the customer who ordered last is the one told, as a shop that sold the last
units over the counter would tell the latest order; the earlier orders keep their goods. Each such
order gets a ``TillShortfall`` row for its uncovered units (one more row when a later sale uncovers
more), which the store's fulfilment queue shows as "short: sold at the till" until the store chooses
(``webapp.fulfil.shortfalls``). Nothing is refused and nothing else changes: the ledger already
holds the truth (on hand below reserved); these rows say who is affected.
"""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, exists, func, select

from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.sales.models import Order
from webapp.sales.online.models import HOLDING, OnlineOrder, TillShortfall
from webapp.stock import services as stock
from webapp.stock.models import Reservation, ReservationStatus, StockLevel
from webapp.stores.models import Store

ZERO = Decimal("0")
_HOLDING = [s.value for s in HOLDING]


def flag_sold_at_till(sale: Order, held: bool | None = None) -> list[TillShortfall]:
    """Flag the online orders whose held units this till sale took; nothing when it took none.

    ``held``: the answer to ``any_held(sale)`` when the caller asked it along with another statement
    after the sale's stock moves (False: no unit of these SKUs is held on the shelf, nothing to read)."""
    sold = {line.sku_id for line in sale.lines}
    if not sold or held is False:
        return []
    shelf = stock.shelf(sale.store)
    on_hand, reserved = func.sum(StockLevel.on_hand), func.sum(StockLevel.reserved)
    short = db.session.execute(
        select(StockLevel.sku_id, on_hand, reserved)
        .where(StockLevel.location_id == shelf.id, StockLevel.sku_id.in_(sold))
        .group_by(StockLevel.sku_id).having(reserved > 0, reserved > on_hand)).all()
    made = []
    for sku_id, held_on_hand, held in short:
        uncovered = held - max(held_on_hand, ZERO)
        made += _flag(sale, shelf.id, sku_id, uncovered - _flagged(sale.store, sku_id))
    if made:
        db.session.add_all(made)
        db.session.flush()
    return made


def any_held(sale: Order):
    """SQL asking whether the shelf holds any unit of the sale's SKUs for an online order: only then can
    the sale have taken held units (asked after the stock moves, under their row locks)."""
    return exists().where(StockLevel.location_id == stock.shelf(sale.store).id,
                          StockLevel.sku_id.in_(sorted({line.sku_id for line in sale.lines})),
                          StockLevel.reserved > 0)


def _flagged(store: Store, sku_id: int) -> Decimal:
    """Units of the SKU already flagged short at this store, on orders still held."""
    return db.session.scalar(
        select(func.coalesce(func.sum(TillShortfall.quantity), 0))
        .join(OnlineOrder, OnlineOrder.id == TillShortfall.online_order_id)
        .join(Order, Order.id == OnlineOrder.order_id)
        .where(Order.store_id == store.id, TillShortfall.sku_id == sku_id, TillShortfall.resolution.is_(None),
               OnlineOrder.status.in_(_HOLDING))) or ZERO


def _flag(sale: Order, shelf_id: int, sku_id: int, wanted: Decimal) -> list[TillShortfall]:
    """Give ``wanted`` uncovered units to the held orders of the SKU, newest hold first."""
    if wanted <= 0:
        return []
    holds = db.session.execute(
        select(OnlineOrder.id, func.sum(Reservation.quantity))
        .join(Order, Order.id == OnlineOrder.order_id)
        .join(Reservation, and_(Reservation.document_type == "order", Reservation.document_id == Order.number))
        .join(StockLevel, StockLevel.id == Reservation.level_id)
        .where(StockLevel.location_id == shelf_id, StockLevel.sku_id == sku_id,
               Reservation.status == ReservationStatus.ACTIVE.value, OnlineOrder.status.in_(_HOLDING))
        .group_by(OnlineOrder.id).order_by(func.max(Reservation.id).desc())).all()
    already = dict(db.session.execute(
        select(TillShortfall.online_order_id, func.sum(TillShortfall.quantity))
        .where(TillShortfall.sku_id == sku_id, TillShortfall.resolution.is_(None),
               TillShortfall.online_order_id.in_([order_id for order_id, _held in holds]))
        .group_by(TillShortfall.online_order_id)).all())
    made = []
    for online_order_id, held in holds:
        part = min(wanted, held - already.get(online_order_id, ZERO))
        if part > 0:
            made.append(TillShortfall(online_order_id=online_order_id, sku_id=sku_id, quantity=part, sale_id=sale.id))
            wanted -= part
        if wanted <= 0:
            break
    return made


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class TakenFromOnline:
    """What a till sale took of the units held for online orders, per SKU (the cashier's notice)."""

    sku: SKU
    quantity: Decimal


def taken_by(sale: Order) -> list[TakenFromOnline]:
    rows = db.session.execute(
        select(TillShortfall.sku_id, func.sum(TillShortfall.quantity))
        .where(TillShortfall.sale_id == sale.id).group_by(TillShortfall.sku_id).order_by(TillShortfall.sku_id))
    return [TakenFromOnline(db.session.get(SKU, sku_id), quantity) for sku_id, quantity in rows]


def open_for(online: OnlineOrder) -> list[TillShortfall]:
    """The order's shortfalls the store has not yet chosen for (none once the order ended)."""
    if online.status not in HOLDING:
        return []
    return list(db.session.scalars(
        select(TillShortfall).where(TillShortfall.online_order_id == online.id, TillShortfall.resolution.is_(None))
        .order_by(TillShortfall.id)))


def of_order(online: OnlineOrder) -> list[TillShortfall]:
    return list(db.session.scalars(
        select(TillShortfall).where(TillShortfall.online_order_id == online.id).order_by(TillShortfall.id)))


def short_orders(store: Store) -> set[int]:
    """Ids of the store's held online orders with a shortfall still to choose for (the queue's flag)."""
    return set(db.session.scalars(
        select(TillShortfall.online_order_id).distinct()
        .join(OnlineOrder, OnlineOrder.id == TillShortfall.online_order_id)
        .join(Order, Order.id == OnlineOrder.order_id)
        .where(Order.store_id == store.id, TillShortfall.resolution.is_(None), OnlineOrder.status.in_(_HOLDING))))
