"""Reads of the ledger for the stock screens."""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import exists, false, func, or_, select
from sqlalchemy.orm import contains_eager

from webapp.catalog.models import SKU, Barcode, Product
from webapp.catalog.queries import SEARCH_LIMIT
from webapp.catalog.scanning import find
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.paging import Page
from webapp.stock.models import Location, Reason, StockLevel, StockMove, StockRule, Usage
from webapp.stores.models import Store

SOLD = (Reason.SALE.value, Reason.HANDOVER.value)
ZERO = Decimal("0")


@dataclass
class StockRow:
    sku: SKU
    on_hand: Decimal
    reserved: Decimal
    sold_7_days: Decimal
    warning_qty: Decimal | None

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def below_warning(self) -> bool:
        return self.warning_qty is not None and self.available < self.warning_qty


def shelf_of(store: Store) -> Location | None:
    return db.session.scalar(
        select(Location).where(Location.store_id == store.id, Location.usage == Usage.INTERNAL.value))


def overview_page(store: Store, text: str, number: int, per_page: int) -> Page:
    """One page of the store's stock rows: the page's SKU ids first, then the figures of those SKUs only.

    A scan (an exact barcode or SKU code) finds its SKU by index; a search reads
    the matching ids once (the count is their number); no search counts the
    shelf's levels on their index and reads one window of ids.
    """
    number = max(1, number)
    text = text.strip()
    shelf_id = _shelf_id(store)
    if not text:
        total = db.session.scalar(select(func.count(func.distinct(StockLevel.sku_id)))
                                  .where(StockLevel.location_id == shelf_id))
        ids = list(db.session.scalars(overview_skus(store, shelf_id=shelf_id)
                                      .limit(per_page).offset((number - 1) * per_page)))
    else:
        exact = find(text)
        if exact is not None and db.session.scalar(select(_stocked_at(shelf_id, exact.id))):
            matching = [exact.id]
        else:
            matching = list(db.session.scalars(overview_skus(store, text, shelf_id=shelf_id)))
        total, ids = len(matching), matching[(number - 1) * per_page:number * per_page]
    found = rows(db.session.execute(store_overview(store, sku_ids=ids, shelf_id=shelf_id))) if ids else []
    return Page(found, number, per_page, total)


def overview_skus(store: Store, text: str = "", *, shelf_id: int | None = None):
    """The ids of the SKUs the store stocks (has a level on its shelf) whose product's name or pinyin
    initials hold the text, by name. (Exact barcodes and SKU codes are found before, by index.)"""
    shelf_id = _shelf_id(store) if shelf_id is None else shelf_id
    query = select(SKU.id).join(Product, Product.id == SKU.product_id).where(_stocked_at(shelf_id))
    text = text.strip()
    if text:
        query = query.where(_names_holding(text))
    return query.order_by(Product.name, SKU.code)


def store_overview(store: Store, text: str = "", sku_ids: list[int] | None = None, sales_days: int = 7,
                   shelf_id: int | None = None):
    """A select of each SKU the store stocks: on hand, reserved, sales (7 days), warning line.

    The figures are correlated lookups by (place, SKU) on indexes, so a page
    (``sku_ids``) costs the same whatever the size of the store or chain.
    """
    shelf_id = _shelf_id(store) if shelf_id is None else shelf_id
    level = (StockLevel.location_id == shelf_id, StockLevel.sku_id == SKU.id)
    on_hand = select(func.sum(StockLevel.on_hand)).where(*level).scalar_subquery()
    reserved = select(func.sum(StockLevel.reserved)).where(*level).scalar_subquery()
    sold = (select(func.sum(StockMove.quantity))
            .where(StockMove.sku_id == SKU.id, StockMove.created_at >= utcnow() - timedelta(days=sales_days),
                   StockMove.from_location_id == shelf_id, StockMove.reason.in_(SOLD))
            .scalar_subquery())
    warning = (select(StockRule.warning_qty).where(StockRule.store_id == store.id, StockRule.sku_id == SKU.id)
               .scalar_subquery())
    query = (
        select(SKU, on_hand, reserved, sold, warning)
        .join(Product, Product.id == SKU.product_id)
        .options(contains_eager(SKU.product))  # the product's name on each row, in the same statement
        .order_by(Product.name, SKU.code)
    )
    if sku_ids is not None:
        return query.where(SKU.id.in_(sku_ids))
    return _search(query.where(_stocked_at(shelf_id)), text)


def _shelf_id(store: Store) -> int:
    shelf = shelf_of(store)
    return shelf.id if shelf else -1


def _stocked_at(shelf_id: int, sku_id=SKU.id):
    return exists().where(StockLevel.location_id == shelf_id, StockLevel.sku_id == sku_id)


def _search(query, text: str):
    text = text.strip()
    if not text:
        return query
    return query.where(or_(
        _names_holding(text),
        SKU.code == text,
        SKU.id.in_(select(Barcode.sku_id).where(Barcode.code == text)),
    ))


def _names_holding(text: str):
    """Name or pinyin initials hold the text, any case (lower() LIKE: PostgreSQL's ILIKE is slower)."""
    if len(text) > SEARCH_LIMIT:  # longer than any name: nothing matches (and LIKE has its limits)
        return false()
    return or_(func.lower(Product.name).contains(text.lower(), autoescape=True),
               Product.initials.contains(text.lower(), autoescape=True))


def rows(result) -> list[StockRow]:
    return [StockRow(sku, on_hand or ZERO, reserved or ZERO, sold or ZERO, warning)
            for sku, on_hand, reserved, sold, warning in result]


def level_at(store: Store, sku: SKU) -> tuple[Decimal, Decimal]:
    """(on hand, reserved) of a SKU on a store's shelf, summed over lots."""
    shelf = shelf_of(store)
    if shelf is None:
        return ZERO, ZERO
    on_hand, reserved = db.session.execute(
        select(func.coalesce(func.sum(StockLevel.on_hand), 0), func.coalesce(func.sum(StockLevel.reserved), 0))
        .where(StockLevel.location_id == shelf.id, StockLevel.sku_id == sku.id)
    ).one()
    return Decimal(on_hand), Decimal(reserved)


def ledger(store: Store, sku: SKU, limit: int = 200) -> list[StockMove]:
    """A SKU's moves in or out of a store's places, newest first."""
    places = select(Location.id).where(Location.store_id == store.id)
    return list(db.session.scalars(
        select(StockMove)
        .where(StockMove.sku_id == sku.id,
               or_(StockMove.from_location_id.in_(places), StockMove.to_location_id.in_(places)))
        .order_by(StockMove.id.desc()).limit(limit)
    ))


def level_from_moves(location_id: int, sku_id: int, lot_id: int | None) -> Decimal:
    """What the moves say a level should be: all in, less all out."""
    lot = StockMove.lot_id.is_(None) if lot_id is None else StockMove.lot_id == lot_id

    def total(column):
        return db.session.scalar(select(func.coalesce(func.sum(StockMove.quantity), 0))
                                 .where(column == location_id, StockMove.sku_id == sku_id, lot))

    return Decimal(total(StockMove.to_location_id)) - Decimal(total(StockMove.from_location_id))
