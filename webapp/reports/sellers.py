"""Hot and slow sellers: what sold most, and what sits on the shelf selling little or nothing.

Sales come from completed orders of every channel, less completed returns,
by the time they were completed. Each line keeps its unit cost, so per SKU:

    quantity sold  = Σ sale line quantity − Σ return line quantity
    sales value    = Σ sale line amount − Σ return line amount   (after discounts)
    cost of sales  = Σ ± line quantity × line unit cost          (the SKU's average cost if a line has none)
    gross margin   = sales value − cost of sales

On hand is the SKU's stock on the shelves in scope (one store's, or every
store's and the HQ warehouse's), valued at the SKU's moving-average cost.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from sqlalchemy import Select, and_, case, func, select

from webapp.catalog.models import SKU, Product
from webapp.reports import sql
from webapp.reports.periods import Period
from webapp.sales.models import Order, OrderKind, OrderLine, OrderStatus
from webapp.stock.models import StockLevel
from webapp.stores.models import Store


class Sort(StrEnum):
    QUANTITY = "quantity"
    VALUE = "value"
    MARGIN = "margin"


@dataclass(frozen=True)
class SellerRow:
    sku: sql.Item
    sold: Decimal
    sales_value: Decimal
    cost: Decimal
    on_hand: Decimal
    on_hand_value: Decimal

    @property
    def margin(self) -> Decimal:
        return self.sales_value - self.cost

    @property
    def margin_rate(self) -> Decimal | None:
        """Gross margin as a percentage of sales value, to one decimal; None without sales."""
        if self.sales_value <= 0:
            return None
        return (self.margin * 100 / self.sales_value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def sales_by_sku(store: Store | None, period: Period):
    """Subquery: per SKU the raw sums sold (thousandths), value (fen) and cost (1/100,000 yuan)."""
    sign = case((Order.kind == OrderKind.RETURN.value, -1), else_=1)
    # the SKU's average cost is looked up only for a line without its own (COALESCE stops at the first)
    average_cost = select(sql.raw(SKU.cost)).where(SKU.id == OrderLine.sku_id).scalar_subquery()
    unit_cost = func.coalesce(sql.raw(OrderLine.unit_cost), average_cost)
    query = (
        select(OrderLine.sku_id.label("sku_id"),
               func.sum(sign * sql.raw(OrderLine.quantity)).label("sold"),
               func.sum(sign * sql.raw(OrderLine.amount)).label("value"),
               func.sum(sign * sql.raw(OrderLine.quantity) * unit_cost).label("cost"))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status == OrderStatus.COMPLETED.value,
               Order.completed_at >= period.start, Order.completed_at < period.end)
        .group_by(OrderLine.sku_id)
    )
    if store is not None:
        query = query.where(Order.store_id == store.id)
    return query.subquery("sales")


def on_hand_by_sku(store: Store | None):
    """Subquery: per SKU the raw on hand (thousandths) on the shelves in scope."""
    return (
        select(StockLevel.sku_id.label("sku_id"), func.sum(sql.raw(StockLevel.on_hand)).label("on_hand"))
        .where(StockLevel.location_id.in_(sql.shelves(store)))
        .group_by(StockLevel.sku_id)
        .subquery("stocked")
    )


def hot_sellers(store: Store | None, period: Period, sort: Sort = Sort.QUANTITY) -> Select:
    """SKUs that sold in the period, best first by quantity, sales value or gross margin."""
    sales, stocked = sales_by_sku(store, period), on_hand_by_sku(store)
    margin = sales.c.value * sql.THOUSANDTHS - sales.c.cost
    key = {Sort.QUANTITY: sales.c.sold, Sort.VALUE: sales.c.value, Sort.MARGIN: margin}[Sort(sort)]
    return (
        _columns(sales, stocked)
        .join(sales, sales.c.sku_id == SKU.id)
        .outerjoin(stocked, stocked.c.sku_id == SKU.id)
        .where(sales.c.sold > 0)
        .order_by(key.desc(), SKU.code)
    )


def slow_sellers(store: Store | None, period: Period) -> Select:
    """SKUs in stock on the shelves in scope, those that sold least (or nothing) first.

    Ties go to the one with most money on the shelf.
    """
    sales, stocked = sales_by_sku(store, period), on_hand_by_sku(store)
    on_hand_value = stocked.c.on_hand * sql.raw(SKU.cost)
    return (
        _columns(sales, stocked)
        .join(stocked, and_(stocked.c.sku_id == SKU.id, stocked.c.on_hand > 0))
        .outerjoin(sales, sales.c.sku_id == SKU.id)
        .order_by(func.coalesce(sales.c.sold, 0), on_hand_value.desc(), SKU.code)
    )


def _columns(sales, stocked) -> Select:
    return (
        select(*sql.ITEM_COLUMNS, sales.c.sold, sales.c.value, sales.c.cost, stocked.c.on_hand)
        .join(Product, Product.id == SKU.product_id)
    )


def rows(result) -> list[SellerRow]:
    found = []
    for row in result:
        sku, (sold, value, cost, on_hand) = sql.item(row), row[len(sql.ITEM_COLUMNS):]
        on_hand_qty = sql.quantity(on_hand)
        found.append(SellerRow(sku, sql.quantity(sold), sql.money(value), sql.value(cost), on_hand_qty,
                               sql.stock_value(on_hand_qty, sku.cost)))
    return found
