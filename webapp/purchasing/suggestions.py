"""The figures replenishment needs for one store, read in one statement, then exact arithmetic.

One SELECT joins, per SKU a supplier sells (from the SKU's preferred supplier, else the
first that sells it): its sales out of the store's shelf in 7 and 30 days, on hand at the
shelf and at the store's transit place, and what open purchase orders still expect.
It keeps only the SKUs whose target exceeds their stock position, a test done exactly in
integers (quantities are stored as thousandths; see `_needs_ordering`). Python then does the
arithmetic of `replenishment.suggest` in Decimals for those SKUs alone.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import BigInteger, and_, case, func, select, type_coerce
from sqlalchemy.orm import aliased

from webapp.catalog.models import SKU, Product, Supplier
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import GRAM
from webapp.purchasing.models import OPEN, PurchaseOrder, PurchaseOrderLine, SupplierItem
from webapp.purchasing.replenishment import REVIEW_DAYS, Inputs, SuggestedLine, SupplierSuggestions, suggest
from webapp.stock import services as stock
from webapp.stock.models import Reason, StockLevel, StockMove, Usage
from webapp.stores.models import Store

SOLD = (Reason.SALE.value, Reason.HANDOVER.value)


@dataclass(frozen=True)
class SkuRef:
    """What the suggestions page shows of a SKU, without loading the catalogue's objects."""

    id: int
    code: str
    name: str
    attributes: dict

    @property
    def display_name(self) -> str:
        label = " / ".join(str(v) for v in (self.attributes or {}).values())
        return f"{self.name} {label}" if label else self.name


@dataclass(frozen=True)
class ItemRef:
    id: int
    cost_price: Decimal
    pack_size: Decimal


def suggestions_for(store: Store, supplier_id: int | None = None, *, now=None) -> list[SupplierSuggestions]:
    """Per supplier, the SKUs the store should order now, with the figures behind each."""
    now = now or utcnow()
    shelf, transit = stock.shelf(store), stock.location(Usage.TRANSIT, store)
    rows = db.session.execute(_candidates(store.id, shelf.id, transit.id, stock.location(Usage.CUSTOMER).id,
                                          now, supplier_id)).all()
    suppliers = {s.id: s for s in db.session.scalars(select(Supplier).where(
        Supplier.id.in_({row.supplier_id for row in rows})))} if rows else {}
    wanted = []
    for row in rows:
        if row.chosen_item_id != row.item_id:
            continue  # another supplier's item for this SKU is the one it is ordered by
        inputs = Inputs(sold_7=_qty(row.s7), sold_30=_qty(row.s30), on_hand=_qty(row.on_hand),
                        on_order=_qty(row.on_order), in_transit=_qty(row.in_transit),
                        lead_time_days=row.lead_time_days, pack_size=_qty(row.pack_size),
                        min_order_qty=_qty(row.min_order_qty))
        suggestion = suggest(inputs)
        if suggestion.quantity > 0:
            wanted.append((row, inputs, suggestion))
    grouped: dict[int, SupplierSuggestions] = {}
    for row, inputs, suggestion in wanted:
        sku = SkuRef(row.sku_id, row.code, row.name, row.attributes)
        item = ItemRef(row.item_id, row.cost_price, inputs.pack_size)
        group = grouped.setdefault(row.supplier_id, SupplierSuggestions(suppliers[row.supplier_id]))
        group.lines.append(SuggestedLine(sku, item, inputs, suggestion))
    for group in grouped.values():
        group.lines.sort(key=lambda line: (line.sku.name, line.sku.code))
    return sorted(grouped.values(), key=lambda g: g.supplier.name)


def _raw(column):
    """A Quantity column as its stored integer (thousandths): summed and compared without conversion."""
    return type_coerce(column, BigInteger)


def _candidates(store_id: int, shelf_id: int, transit_id: int, customer_id: int, now, supplier_id: int | None):
    week_ago, month_ago = now - timedelta(days=7), now - timedelta(days=30)
    sold = (select(StockMove.sku_id,
                   func.sum(case((StockMove.created_at >= week_ago, _raw(StockMove.quantity)), else_=0)).label("s7"),
                   func.sum(_raw(StockMove.quantity)).label("s30"))
            .where(StockMove.from_location_id == shelf_id, StockMove.created_at >= month_ago,
                   StockMove.to_location_id == customer_id, StockMove.reason.in_(SOLD))
            .group_by(StockMove.sku_id).subquery("sold"))
    shelf_level, shelf_lots = _levels(shelf_id, "shelf")
    transit_level, transit_lots = _levels(transit_id, "transit")
    on_order = (select(PurchaseOrderLine.sku_id,
                       func.sum(_raw(PurchaseOrderLine.quantity) - _raw(PurchaseOrderLine.received)).label("q"))
                .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
                .where(PurchaseOrder.store_id == store_id, PurchaseOrder.status.in_([s.value for s in OPEN]),
                       PurchaseOrderLine.quantity > PurchaseOrderLine.received)
                .group_by(PurchaseOrderLine.sku_id).subquery("on_order"))

    preferred = aliased(SupplierItem, name="preferred")
    first = (select(SupplierItem.sku_id, func.min(SupplierItem.id).label("item_id"))
             .group_by(SupplierItem.sku_id).subquery("first_item"))
    chosen_item = func.coalesce(preferred.id, first.c.item_id)
    s7, s30 = func.coalesce(sold.c.s7, 0), func.coalesce(sold.c.s30, 0)
    on_hand = func.coalesce(_raw(shelf_level.on_hand), 0) + func.coalesce(shelf_lots.c.q, 0)
    in_transit = func.coalesce(_raw(transit_level.on_hand), 0) + func.coalesce(transit_lots.c.q, 0)
    position = on_hand + in_transit + func.coalesce(on_order.c.q, 0)
    query = (
        select(SupplierItem.id.label("item_id"), chosen_item.label("chosen_item_id"), SupplierItem.supplier_id,
               Supplier.lead_time_days,
               SupplierItem.sku_id, SKU.code, SKU.attributes, Product.name, SupplierItem.cost_price,
               s7.label("s7"), s30.label("s30"), on_hand.label("on_hand"), in_transit.label("in_transit"),
               func.coalesce(on_order.c.q, 0).label("on_order"),
               _raw(SupplierItem.pack_size).label("pack_size"), _raw(SupplierItem.min_order_qty).label("min_order_qty"))
        .join(Supplier, Supplier.id == SupplierItem.supplier_id)
        .join(SKU, SKU.id == SupplierItem.sku_id).join(Product, Product.id == SKU.product_id)
        .outerjoin(preferred, and_(preferred.sku_id == SupplierItem.sku_id,
                                   preferred.supplier_id == Product.preferred_supplier_id))
        .join(first, first.c.sku_id == SupplierItem.sku_id)
        .outerjoin(sold, sold.c.sku_id == SupplierItem.sku_id)
        .outerjoin(shelf_level, and_(shelf_level.location_id == shelf_id, shelf_level.sku_id == SupplierItem.sku_id,
                                     shelf_level.lot_id.is_(None)))
        .outerjoin(shelf_lots, shelf_lots.c.sku_id == SupplierItem.sku_id)
        .outerjoin(transit_level, and_(transit_level.location_id == transit_id,
                                       transit_level.sku_id == SupplierItem.sku_id, transit_level.lot_id.is_(None)))
        .outerjoin(transit_lots, transit_lots.c.sku_id == SupplierItem.sku_id)
        .outerjoin(on_order, on_order.c.sku_id == SupplierItem.sku_id)
        # The supplier the SKU is ordered from is picked in Python from chosen_item_id, not here:
        # as a filter, databases cannot estimate it and PostgreSQL plans nested loops for one row.
        .where(SKU.active.is_(True), Product.active.is_(True),
               _needs_ordering(s7, s30, Supplier.lead_time_days, position))
    )
    if supplier_id is not None:
        query = query.where(SupplierItem.supplier_id == supplier_id)
    return query


def _needs_ordering(s7, s30, lead_time, position):
    """target > position, exactly, in integers: the formula of `replenishment.suggest` times 420.

    210 × daily demand = max(30 × sold in 7 days, 7 × sold in 30 days), and
    target = demand × (L + R + max(1, L / 2)), so 420 × target = max(30 s7, 7 s30) × (2L + 2R + max(2, L)).
    """
    demand_210 = case((30 * s7 > 7 * s30, 30 * s7), else_=7 * s30)
    days_2 = 2 * lead_time + 2 * REVIEW_DAYS + case((lead_time > 2, lead_time), else_=2)
    return demand_210 * days_2 > 420 * position


def _levels(location_id: int, name: str):
    """A place's levels without a lot, joined one by one through their unique index, and its lots'
    on hand summed per SKU (few rows: only lot- and serial-tracked goods have them)."""
    lots = (select(StockLevel.sku_id, func.sum(_raw(StockLevel.on_hand)).label("q"))
            .where(StockLevel.location_id == location_id, StockLevel.lot_id.is_not(None))
            .group_by(StockLevel.sku_id).subquery(f"{name}_lots"))
    return aliased(StockLevel, name=f"{name}_level"), lots


def _qty(raw) -> Decimal:
    """A stored integer of thousandths as a quantity."""
    return (Decimal(int(raw or 0)) * GRAM).quantize(GRAM)
