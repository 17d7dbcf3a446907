"""Margin per store, side by side: each store's sales, cost of sales and gross margin over the period.

Sales come from completed orders of every channel less completed returns, by the time they were
completed; each line keeps its unit cost (the SKU's average cost for a line without one), as in the
hot sellers:

    sales value   = Σ sale line amount − Σ return line amount   (after discounts)
    cost of sales = Σ ± line quantity × line unit cost
    gross margin  = sales value − cost of sales;  margin % = gross margin ÷ sales value
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select

from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.reports import sql
from webapp.reports.periods import Period
from webapp.sales.models import Order, OrderKind, OrderLine, OrderStatus
from webapp.stores.models import Store, StoreKind


@dataclass(frozen=True)
class StoreMargin:
    store: str
    orders: int
    sales_value: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.sales_value - self.cost

    @property
    def margin_rate(self) -> Decimal | None:
        if self.sales_value <= 0:
            return None
        return (self.margin * 100 / self.sales_value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def store_margins(store: Store | None, period: Period) -> list[StoreMargin]:
    """Every trading store (or the one asked for), the largest sales first; a store without sales shows zeros."""
    sign = case((Order.kind == OrderKind.RETURN.value, -1), else_=1)
    unit_cost = func.coalesce(sql.raw(OrderLine.unit_cost), sql.raw(SKU.cost))
    in_period = (select(Order.id).where(Order.status == OrderStatus.COMPLETED.value,
                                        Order.completed_at >= period.start, Order.completed_at < period.end))
    if store is not None:
        in_period = in_period.where(Order.store_id == store.id)
    per_store = dict((store_id, (value, cost)) for store_id, value, cost in db.session.execute(
        select(Order.store_id, func.sum(sign * sql.raw(OrderLine.amount)),
               func.sum(sign * sql.raw(OrderLine.quantity) * unit_cost))
        .select_from(OrderLine).join(Order, Order.id == OrderLine.order_id).join(SKU, SKU.id == OrderLine.sku_id)
        .where(OrderLine.order_id.in_(in_period)).group_by(Order.store_id)))
    orders = dict(db.session.execute(
        select(Order.store_id, func.count()).where(Order.id.in_(in_period), Order.kind == OrderKind.SALE.value)
        .group_by(Order.store_id)).all())
    stores = [store] if store is not None else db.session.scalars(
        select(Store).where(Store.kind != StoreKind.HQ_WAREHOUSE.value).order_by(Store.code))
    rows = [StoreMargin(s.name, orders.get(s.id, 0), sql.money(per_store.get(s.id, (0, 0))[0]),
                        sql.value(per_store.get(s.id, (0, 0))[1])) for s in stores]
    return sorted(rows, key=lambda row: -row.sales_value)
