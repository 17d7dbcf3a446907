"""Stock turnover days: how many days the stock on the shelf lasts at the period's pace of sales.

    turnover days = on hand at cost ÷ average daily cost of goods sold
                  = (on hand × average cost) × days in the period ÷ cost of goods sold in the period

Cost of goods sold comes from the ledger: the cost of goods that left the
shelves in scope for a customer (till sales and online orders handed over),
at each move's unit cost, less the cost of customer returns put back on those
shelves. On hand is valued at the SKU's moving-average cost today. A SKU (or
category) that sold nothing has no turnover: it shows "no sales", never
infinity. Days are rounded half-up to one decimal.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, case, func, literal, or_, select, union_all

from webapp.catalog.models import SKU, Category, Product
from webapp.extensions import db
from webapp.reports import sql
from webapp.reports.periods import Period
from webapp.stock.models import Reason, StockLevel, StockMove
from webapp.stores.models import Store

SOLD = (Reason.SALE.value, Reason.HANDOVER.value)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class TurnoverRow:
    on_hand_value: Decimal
    cost_of_sales: Decimal
    days: int  # the period's

    @property
    def turnover_days(self) -> Decimal | None:
        """None when nothing sold (no turnover)."""
        if self.cost_of_sales <= 0:
            return None
        return (self.on_hand_value * self.days / self.cost_of_sales).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SkuTurnover(TurnoverRow):
    sku: sql.Item
    on_hand: Decimal


@dataclass(frozen=True)
class CategoryTurnover(TurnoverRow):
    category: str | None  # None: products without a category


def _per_sku(store: Store | None, period: Period):
    """Subquery: per SKU raw on hand (thousandths) and raw cost of goods sold (1/100,000 yuan)."""
    shelves = sql.shelves(store)
    levels = (
        select(StockLevel.sku_id.label("sku_id"), sql.raw(StockLevel.on_hand).label("on_hand"),
               literal(0).label("cogs"))
        .where(StockLevel.location_id.in_(shelves))
    )
    out = StockMove.from_location_id.in_(shelves)
    moves = (
        select(StockMove.sku_id.label("sku_id"), literal(0).label("on_hand"),
               (case((out, 1), else_=-1) * sql.raw(StockMove.quantity) * sql.raw(StockMove.unit_cost))
               .label("cogs"))
        .where(StockMove.created_at >= period.start, StockMove.created_at < period.end,
               or_(StockMove.reason.in_(SOLD) & out,
                   (StockMove.reason == Reason.RETURN.value) & StockMove.to_location_id.in_(shelves)))
    )
    both = union_all(levels, moves).subquery("both")
    return (
        select(both.c.sku_id, func.sum(both.c.on_hand).label("on_hand"), func.sum(both.c.cogs).label("cogs"))
        .group_by(both.c.sku_id)
        .having(or_(func.sum(both.c.on_hand) != 0, func.sum(both.c.cogs) != 0))
        .subquery("turnover")
    )


def by_sku(store: Store | None, period: Period) -> Select:
    """SKUs on the shelf or sold: the slow movers first (most days of stock), then those that sold
    nothing (most stock value first; the slow sellers report lists them too)."""
    per_sku = _per_sku(store, period)
    value = per_sku.c.on_hand * sql.raw(SKU.cost)
    return (
        select(*sql.ITEM_COLUMNS, per_sku.c.on_hand, per_sku.c.cogs)
        .join(per_sku, per_sku.c.sku_id == SKU.id)
        .join(Product, Product.id == SKU.product_id)
        .order_by(*_slowest_first(value, per_sku.c.cogs, period), SKU.code)
    )


def by_category(store: Store | None, period: Period) -> Select:
    per_sku = _per_sku(store, period)
    value = func.sum(per_sku.c.on_hand * sql.raw(SKU.cost))
    cogs = func.sum(per_sku.c.cogs)
    return (
        select(Product.category_id, value.label("value"), cogs.label("cogs"))
        .select_from(per_sku)
        .join(SKU, SKU.id == per_sku.c.sku_id)
        .join(Product, Product.id == SKU.product_id)
        .group_by(Product.category_id)
        .order_by(*_slowest_first(value, cogs, period), Product.category_id)
    )


def _slowest_first(value, cogs, period: Period) -> list:
    """Order by: what sold, the most tenths of a day first; then what sold nothing; then most stock value
    (whole-number SQL)."""
    tenths = case((cogs > 0, value * period.days * 10 / cogs), else_=None)
    return [case((cogs > 0, 0), else_=1), tenths.desc(), value.desc()]


def sku_rows(result, period: Period) -> list[SkuTurnover]:
    found = []
    for row in result:
        sku, (on_hand, cogs) = sql.item(row), row[len(sql.ITEM_COLUMNS):]
        on_hand = sql.quantity(on_hand)
        found.append(SkuTurnover(sql.stock_value(on_hand, sku.cost), sql.value(cogs), period.days, sku, on_hand))
    return found


def category_rows(result, period: Period) -> list[CategoryTurnover]:
    names = category_paths()
    return [CategoryTurnover(sql.value(value), sql.value(cogs), period.days, names.get(category_id))
            for category_id, value, cogs in result]


def category_paths() -> dict[int, str]:
    """Every category's path ("饮料 / 碳酸饮料"), from one query of the (short) category list."""
    categories = {c.id: c for c in db.session.scalars(select(Category))}
    paths: dict[int, str] = {}

    def path(category_id: int, seen: frozenset = frozenset()) -> str:
        category = categories[category_id]
        if category.parent_id in categories and category.parent_id not in seen:
            return f"{path(category.parent_id, seen | {category_id})} / {category.name}"
        return category.name

    for category_id in categories:
        paths[category_id] = path(category_id)
    return paths
