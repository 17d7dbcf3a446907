"""Reads of the ledger for the stock screens."""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from webapp.catalog.models import SKU, Barcode, Product
from webapp.clock import utcnow
from webapp.extensions import db
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


def store_overview(store: Store, text: str = ""):
    """A select of each SKU the store stocks: on hand, reserved, 7-day sales, warning line."""
    shelf = shelf_of(store)
    shelf_id = shelf.id if shelf else -1
    levels = (
        select(StockLevel.sku_id, func.sum(StockLevel.on_hand).label("on_hand"),
               func.sum(StockLevel.reserved).label("reserved"))
        .where(StockLevel.location_id == shelf_id).group_by(StockLevel.sku_id).subquery()
    )
    sales = (
        select(StockMove.sku_id, func.sum(StockMove.quantity).label("sold"))
        .where(StockMove.from_location_id == shelf_id, StockMove.reason.in_(SOLD),
               StockMove.created_at >= utcnow() - timedelta(days=7))
        .group_by(StockMove.sku_id).subquery()
    )
    query = (
        select(SKU, levels.c.on_hand, levels.c.reserved, sales.c.sold, StockRule.warning_qty)
        .join(levels, levels.c.sku_id == SKU.id)
        .join(Product, Product.id == SKU.product_id)
        .outerjoin(sales, sales.c.sku_id == SKU.id)
        .outerjoin(StockRule, and_(StockRule.sku_id == SKU.id, StockRule.store_id == store.id))
        .order_by(Product.name, SKU.code)
    )
    text = text.strip()
    if text:
        query = query.where(or_(
            Product.name.icontains(text, autoescape=True),
            Product.initials.contains(text.lower(), autoescape=True),
            SKU.code == text,
            SKU.id.in_(select(Barcode.sku_id).where(Barcode.code == text)),
        ))
    return query


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
