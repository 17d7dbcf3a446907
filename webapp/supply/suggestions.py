"""A store's suggested order from head office, per SKU it sold in the last 30 days.

The arithmetic is purchasing's (``replenishment.suggest``): daily demand from the 7- and 30-day
sales, safety stock and target over HQ's lead time (a chain setting) and a week's review, minus
the stock position — on hand at the shelf, in the store's transit place, and already ordered
(open store orders not yet shipped, and open purchase orders, a supplier's direct deliveries
included) — at least HQ's minimum and rounded up to whole packs.

One SELECT reads the figures, driven by what left the shelf as a sale in 30 days: a SKU the store
has not sold has no demand and nothing to suggest, whatever the size of the HQ catalogue.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import BigInteger, and_, case, func, select, type_coerce
from sqlalchemy.orm import aliased

from webapp.catalog.models import SKU, Product
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import GRAM
from webapp.purchasing.models import OPEN as PO_OPEN
from webapp.purchasing.models import PurchaseOrder, PurchaseOrderLine
from webapp.purchasing.replenishment import REVIEW_DAYS, Inputs, Suggestion, suggest
from webapp.stock import services as stock
from webapp.stock.models import Reason, StockLevel, StockMove, Usage
from webapp.stores.models import Store
from webapp.supply.models import OPEN, OrderStatus, StoreOrder, StoreOrderLine, SupplyItem
from webapp.supply.terms import settings

SOLD = (Reason.SALE.value, Reason.HANDOVER.value)


@dataclass(frozen=True)
class Suggested:
    sku_id: int
    code: str
    name: str
    attributes: dict
    inputs: Inputs
    suggestion: Suggestion

    @property
    def display_name(self) -> str:
        label = " / ".join(str(v) for v in (self.attributes or {}).values())
        return f"{self.name} {label}" if label else self.name


def suggested_order(store: Store, *, now=None) -> list[Suggested]:
    """The SKUs the store should order from HQ now, with the figures behind each, by name."""
    now = now or utcnow()
    lead_time = settings().lead_time_days
    shelf, transit = stock.shelf(store), stock.location(Usage.TRANSIT, store)
    rows = db.session.execute(_figures(store.id, shelf.id, transit.id, stock.location(Usage.CUSTOMER).id, now,
                                       lead_time))
    found = []
    for row in rows:
        inputs = Inputs(sold_7=_qty(row.s7), sold_30=_qty(row.s30), on_hand=_qty(row.on_hand),
                        on_order=_qty(row.on_order), in_transit=_qty(row.in_transit), lead_time_days=lead_time,
                        pack_size=_qty(row.pack_size) if row.pack_size else Decimal("1"),
                        min_order_qty=_qty(row.min_qty))
        suggestion = suggest(inputs)
        if suggestion.quantity > 0:
            found.append(Suggested(row.sku_id, row.code, row.name, row.attributes, inputs, suggestion))
    return sorted(found, key=lambda s: (s.name, s.code))


def _raw(column):
    return type_coerce(column, BigInteger)


def _figures(store_id: int, shelf_id: int, transit_id: int, customer_id: int, now, lead_time: int):
    week_ago, month_ago = now - timedelta(days=7), now - timedelta(days=30)
    sold = (select(StockMove.sku_id,
                   func.sum(case((StockMove.created_at >= week_ago, _raw(StockMove.quantity)), else_=0)).label("s7"),
                   func.sum(_raw(StockMove.quantity)).label("s30"))
            .where(StockMove.from_location_id == shelf_id, StockMove.created_at >= month_ago,
                   StockMove.to_location_id == customer_id, StockMove.reason.in_(SOLD))
            .group_by(StockMove.sku_id).subquery("sold"))
    shelf_lots = _lots(shelf_id, "shelf_lots")
    transit_lots = _lots(transit_id, "transit_lots")
    shelf_level, transit_level = aliased(StockLevel, name="shelf_level"), aliased(StockLevel, name="transit_level")
    still_coming = case((StoreOrder.status == OrderStatus.APPROVED.value, _raw(StoreOrderLine.approved)),
                        else_=_raw(StoreOrderLine.asked))
    from_hq = (select(StoreOrderLine.sku_id, func.sum(still_coming).label("q"))
               .join(StoreOrder, StoreOrder.id == StoreOrderLine.order_id)
               .where(StoreOrder.store_id == store_id, StoreOrder.status.in_([s.value for s in OPEN]),
                      StoreOrderLine.purchase_order_id.is_(None))
               .group_by(StoreOrderLine.sku_id).subquery("from_hq"))
    from_suppliers = (select(PurchaseOrderLine.sku_id,
                             func.sum(_raw(PurchaseOrderLine.quantity) - _raw(PurchaseOrderLine.received)).label("q"))
                      .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
                      .where(PurchaseOrder.store_id == store_id, PurchaseOrder.status.in_([s.value for s in PO_OPEN]),
                             PurchaseOrderLine.quantity > PurchaseOrderLine.received)
                      .group_by(PurchaseOrderLine.sku_id).subquery("from_suppliers"))
    on_hand = func.coalesce(_raw(shelf_level.on_hand), 0) + func.coalesce(shelf_lots.c.q, 0)
    in_transit = func.coalesce(_raw(transit_level.on_hand), 0) + func.coalesce(transit_lots.c.q, 0)
    on_order = func.coalesce(from_hq.c.q, 0) + func.coalesce(from_suppliers.c.q, 0)
    return (
        select(SKU.id.label("sku_id"), SKU.code, SKU.attributes, Product.name, sold.c.s7, sold.c.s30,
               on_hand.label("on_hand"), in_transit.label("in_transit"), on_order.label("on_order"),
               _raw(SupplyItem.pack_size).label("pack_size"), func.coalesce(_raw(SupplyItem.min_qty), 0).label("min_qty"))
        .select_from(sold)
        .join(SKU, SKU.id == sold.c.sku_id).join(Product, Product.id == SKU.product_id)
        .outerjoin(SupplyItem, SupplyItem.sku_id == SKU.id)
        .outerjoin(shelf_level, and_(shelf_level.location_id == shelf_id, shelf_level.sku_id == SKU.id,
                                     shelf_level.lot_id.is_(None)))
        .outerjoin(shelf_lots, shelf_lots.c.sku_id == SKU.id)
        .outerjoin(transit_level, and_(transit_level.location_id == transit_id, transit_level.sku_id == SKU.id,
                                       transit_level.lot_id.is_(None)))
        .outerjoin(transit_lots, transit_lots.c.sku_id == SKU.id)
        .outerjoin(from_hq, from_hq.c.sku_id == SKU.id)
        .outerjoin(from_suppliers, from_suppliers.c.sku_id == SKU.id)
        .where(SKU.active.is_(True), Product.active.is_(True),
               func.coalesce(SupplyItem.orderable, True).is_(True),
               _needs_ordering(sold.c.s7, sold.c.s30, lead_time, on_hand + in_transit + on_order))
    )


def _needs_ordering(s7, s30, lead_time: int, position):
    """target > position, exactly, in integers (quantities as stored thousandths): ``replenishment.suggest``'s
    formula times 420. 210 × daily demand = max(30 × sold in 7 days, 7 × sold in 30 days), and
    target = demand × (L + R + max(1, L / 2)), so 420 × target = max(30 s7, 7 s30) × (2L + 2R + max(2, L)).
    Only the SKUs that pass are read into Python."""
    demand_210 = case((30 * s7 > 7 * s30, 30 * s7), else_=7 * s30)
    return demand_210 * (2 * lead_time + 2 * REVIEW_DAYS + max(2, lead_time)) > 420 * position


def _lots(location_id: int, name: str):
    return (select(StockLevel.sku_id, func.sum(_raw(StockLevel.on_hand)).label("q"))
            .where(StockLevel.location_id == location_id, StockLevel.lot_id.is_not(None))
            .group_by(StockLevel.sku_id).subquery(name))


def _qty(raw) -> Decimal:
    return (Decimal(int(raw or 0)) * GRAM).quantize(GRAM)
