"""The figures replenishment needs for one store, read set-based, then the arithmetic per SKU.

Five grouped reads (sales, shelf, transit, on order, supplier terms), each by an index,
then `replenishment.suggest` for each SKU a supplier sells; only the suggested SKUs
are loaded as objects.
"""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from webapp.catalog.models import SKU, Product, Supplier
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.purchasing.models import OPEN, PurchaseOrder, PurchaseOrderLine, SupplierItem
from webapp.purchasing.replenishment import Inputs, SuggestedLine, SupplierSuggestions, suggest
from webapp.stock import services as stock
from webapp.stock.models import Reason, StockLevel, StockMove, Usage
from webapp.stores.models import Store

ZERO = Decimal("0")
SOLD = (Reason.SALE.value, Reason.HANDOVER.value)


def suggestions_for(store: Store, supplier_id: int | None = None, *, now=None) -> list[SupplierSuggestions]:
    """Per supplier, the SKUs the store should order now, with the figures behind each."""
    now = now or utcnow()
    shelf, transit = stock.shelf(store), stock.location(Usage.TRANSIT, store)
    sold_7, sold_30 = _sold(shelf.id, stock.location(Usage.CUSTOMER).id, now)
    on_hand, in_transit = _levels(shelf.id), _levels(transit.id)
    on_order = _on_order(store.id)
    suppliers = {s.id: s for s in db.session.scalars(select(Supplier))}

    chosen: dict[int, tuple] = {}  # SKU → (item id, supplier id, inputs, suggestion)
    for item_id, item_supplier, sku_id, pack, minimum, _preferred in _terms(supplier_id):
        if sku_id in chosen:
            continue  # a SKU is ordered from its preferred supplier, else from the first that sells it
        inputs = Inputs(sold_7=sold_7.get(sku_id, ZERO), sold_30=sold_30.get(sku_id, ZERO),
                        on_hand=on_hand.get(sku_id, ZERO), on_order=on_order.get(sku_id, ZERO),
                        in_transit=in_transit.get(sku_id, ZERO),
                        lead_time_days=suppliers[item_supplier].lead_time_days, pack_size=pack,
                        min_order_qty=minimum)
        chosen[sku_id] = (item_id, item_supplier, inputs, suggest(inputs))

    wanted = {sku_id: c for sku_id, c in chosen.items() if c[3].quantity > 0}
    items = {i.id: i for i in db.session.scalars(
        select(SupplierItem).where(SupplierItem.id.in_([c[0] for c in wanted.values()]))
        .options(selectinload(SupplierItem.sku).selectinload(SKU.product)))} if wanted else {}
    grouped: dict[int, SupplierSuggestions] = {}
    for item_id, item_supplier, inputs, suggestion in wanted.values():
        item = items[item_id]
        group = grouped.setdefault(item_supplier, SupplierSuggestions(suppliers[item_supplier]))
        group.lines.append(SuggestedLine(item.sku, item, inputs, suggestion))
    for group in grouped.values():
        group.lines.sort(key=lambda line: (line.sku.product.name, line.sku.code))
    return sorted(grouped.values(), key=lambda g: g.supplier.name)


def _sold(shelf_id: int, customer_id: int, now) -> tuple[dict, dict]:
    week_ago, month_ago = now - timedelta(days=7), now - timedelta(days=30)
    recent = case((StockMove.created_at >= week_ago, StockMove.quantity), else_=0)
    rows = db.session.execute(
        select(StockMove.sku_id, func.sum(recent), func.sum(StockMove.quantity))
        .where(StockMove.from_location_id == shelf_id, StockMove.to_location_id == customer_id,
               StockMove.reason.in_(SOLD), StockMove.created_at >= month_ago)
        .group_by(StockMove.sku_id))
    sold_7, sold_30 = {}, {}
    for sku_id, week, month in rows:
        sold_7[sku_id], sold_30[sku_id] = _qty(week), _qty(month)
    return sold_7, sold_30


def _levels(location_id: int) -> dict[int, Decimal]:
    """On hand per SKU at a place, all lots together (two reads, each on its own unique index)."""
    totals: dict[int, Decimal] = {}
    for lots in (StockLevel.lot_id.is_(None), StockLevel.lot_id.is_not(None)):
        rows = db.session.execute(select(StockLevel.sku_id, func.sum(StockLevel.on_hand))
                                  .where(StockLevel.location_id == location_id, lots)
                                  .group_by(StockLevel.sku_id))
        for sku_id, on_hand in rows:
            totals[sku_id] = totals.get(sku_id, ZERO) + _qty(on_hand)
    return totals


def _on_order(store_id: int) -> dict[int, Decimal]:
    rows = db.session.execute(
        select(PurchaseOrderLine.sku_id, func.sum(PurchaseOrderLine.quantity - PurchaseOrderLine.received))
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(PurchaseOrder.store_id == store_id, PurchaseOrder.status.in_([s.value for s in OPEN]),
               PurchaseOrderLine.quantity > PurchaseOrderLine.received)
        .group_by(PurchaseOrderLine.sku_id))
    return {sku_id: _qty(outstanding) for sku_id, outstanding in rows}


def _terms(supplier_id: int | None):
    """(item, supplier, SKU, pack size, minimum quantity, preferred supplier) of active SKUs, preferred first."""
    query = (select(SupplierItem.id, SupplierItem.supplier_id, SupplierItem.sku_id, SupplierItem.pack_size,
                    SupplierItem.min_order_qty, Product.preferred_supplier_id)
             .join(SKU, SKU.id == SupplierItem.sku_id).join(Product, Product.id == SKU.product_id)
             .where(SKU.active.is_(True), Product.active.is_(True)).order_by(SupplierItem.id))
    rows = list(db.session.execute(query))
    rows.sort(key=lambda r: r[1] != r[5])  # stable: the preferred supplier's item comes first
    if supplier_id is not None:
        # A SKU belongs to the supplier that would be chosen for it, so decide over all rows first.
        first = {}
        for row in rows:
            first.setdefault(row[2], row[1])
        rows = [row for row in rows if first[row[2]] == supplier_id and row[1] == supplier_id]
    return rows


def _qty(value) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(Decimal("0.001"))
