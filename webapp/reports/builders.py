"""Each report's columns, and its rows as table cells."""
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

from webapp.reports.losses import VarianceRow, WriteOffRow
from webapp.reports.periods import Bucket
from webapp.reports.sellers import SellerRow
from webapp.reports.stores import StoreMargin
from webapp.reports.tables import Column, Kind, Table, totals
from webapp.reports.turnover import CategoryTurnover, SkuTurnover

SOLD = Column(_l("Quantity sold"), Kind.QUANTITY)
SALES = Column(_l("Sales value"), Kind.MONEY)
MARGIN = Column(_l("Gross margin"), Kind.MONEY)
MARGIN_RATE = Column(_l("Margin %"), Kind.PERCENT)
ON_HAND = Column(_l("On hand"), Kind.QUANTITY)
ON_HAND_VALUE = Column(_l("On hand at cost"), Kind.MONEY)
COST_OF_SALES = Column(_l("Cost of goods sold"), Kind.MONEY)
TURNOVER_DAYS = Column(_l("Turnover days"), Kind.DAYS)
QUANTITY = Column(_l("Quantity"), Kind.QUANTITY)
VALUE = Column(_l("Value at cost"), Kind.MONEY)
PRODUCT = Column(_l("Product"), Kind.SKU)
GROUPS = {
    Bucket.WEEK.value: Column(_l("Week"), Kind.WEEK),
    Bucket.MONTH.value: Column(_l("Month"), Kind.MONTH),
    "category": Column(_l("Category"), Kind.TEXT),
}


def hot_sellers(rows: list[SellerRow]) -> Table:
    columns = [PRODUCT, SOLD, SALES, MARGIN, MARGIN_RATE, ON_HAND]
    return Table(columns, [[r.sku, r.sold, r.sales_value, r.margin, r.margin_rate, r.on_hand] for r in rows])


def slow_sellers(rows: list[SellerRow]) -> Table:
    columns = [PRODUCT, SOLD, SALES, ON_HAND, ON_HAND_VALUE]
    return Table(columns, [[r.sku, r.sold, r.sales_value, r.on_hand, r.on_hand_value] for r in rows])


def turnover_by_sku(rows: list[SkuTurnover]) -> Table:
    columns = [PRODUCT, ON_HAND, ON_HAND_VALUE, COST_OF_SALES, TURNOVER_DAYS]
    return Table(columns, [[r.sku, r.on_hand, r.on_hand_value, r.cost_of_sales, r.turnover_days] for r in rows])


def turnover_by_category(rows: list[CategoryTurnover]) -> Table:
    columns = [GROUPS["category"], ON_HAND_VALUE, COST_OF_SALES, TURNOVER_DAYS]
    return Table(columns, [[r.category, r.on_hand_value, r.cost_of_sales, r.turnover_days] for r in rows])


def write_offs(rows: list[WriteOffRow], by: str) -> Table:
    columns = [GROUPS[by], QUANTITY, VALUE]
    cells = [[r.label, r.quantity, r.value] for r in rows]
    return Table(columns, cells, totals(cells, columns))


def count_variances(rows: list[VarianceRow], by: str) -> Table:
    columns = [GROUPS[by], Column(_l("Gain"), Kind.QUANTITY), Column(_l("Gain value"), Kind.MONEY),
               Column(_l("Loss"), Kind.QUANTITY), Column(_l("Loss value"), Kind.MONEY),
               Column(_l("Net value"), Kind.MONEY)]
    cells = [[r.label, r.gain_quantity, r.gain_value, r.loss_quantity, r.loss_value, r.net_value] for r in rows]
    return Table(columns, cells, totals(cells, columns))


def store_margins(rows: list[StoreMargin]) -> Table:
    columns = [Column(_l("Store"), Kind.TEXT), Column(_l("Orders"), Kind.QUANTITY), SALES, COST_OF_SALES, MARGIN,
               MARGIN_RATE]
    cells = [[r.store, Decimal(r.orders), r.sales_value, r.cost, r.margin, r.margin_rate] for r in rows]
    found = totals(cells, columns)
    sales, cost = found[2], found[3]
    found[5] = ((sales - cost) * 100 / sales).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if sales > 0 else None
    return Table(columns, cells, found)
