"""Write-offs and count variances over time, from the ledger's moves.

Write-offs are the goods that went into the loss place for any reason but a
count: written off from a shelf (damaged, expired, stolen, used in store), or
taken back from a customer damaged (that move starts at the chain's customer
place, so its store is the return order's). Count variances are the moves a
count made: a gain comes from the adjustment place onto the shelf, a loss
goes from the shelf to the loss place.

Values are each move's quantity × its unit cost (the average cost when it
was made), summed exactly and rounded half-up to the fen once per row.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from webapp.catalog.models import SKU, Product
from webapp.extensions import db
from webapp.reports import sql
from webapp.reports.periods import Bucket, Period, as_date, bucket_of
from webapp.reports.turnover import category_paths
from webapp.sales.models import Order
from webapp.stock.models import Location, Reason, StockMove, Usage
from webapp.stores.models import Store

ZERO = Decimal("0")


@dataclass(frozen=True)
class WriteOffRow:
    label: date | str | None  # a week's Monday, a month's first day, or a category path (None: none)
    quantity: Decimal
    value: Decimal


@dataclass(frozen=True)
class VarianceRow:
    label: date | str | None
    gain_quantity: Decimal
    gain_value: Decimal
    loss_quantity: Decimal
    loss_value: Decimal

    @property
    def net_value(self) -> Decimal:
        return self.gain_value - self.loss_value


def write_offs(store: Store | None, period: Period, by: Bucket | str) -> list[WriteOffRow]:
    """Quantity and value written off per week, month or category (every week or month shown)."""
    From, To = aliased(Location), aliased(Location)  # noqa: N806 (the move's two ends)
    amount = sql.raw(StockMove.quantity) * sql.raw(StockMove.unit_cost)
    query = (
        select(func.sum(sql.raw(StockMove.quantity)), func.sum(amount))
        .select_from(StockMove)
        .join(From, From.id == StockMove.from_location_id)
        .join(To, To.id == StockMove.to_location_id)
        .where(To.usage == Usage.LOSS.value, StockMove.reason != Reason.COUNT.value, *_within(period))
    )
    if store is not None:
        # a damaged return's order, looked up by its number (unique) only for moves from the customer
        returned_here = select(Order.id).where(Order.number == StockMove.document_id, Order.store_id == store.id)
        query = query.where(or_(
            From.store_id == store.id,
            and_(From.usage == Usage.CUSTOMER.value, StockMove.document_type == "order", returned_here.exists()),
        ))
    found = {label: WriteOffRow(label, sql.quantity(qty), sql.value(value))
             for label, qty, value in _grouped(query, period, by)}
    return _filled(found, period, by, lambda label: WriteOffRow(label, ZERO, ZERO))


def count_variances(store: Store | None, period: Period, by: Bucket | str) -> list[VarianceRow]:
    """Count gains and losses (quantity and value) per week, month or category."""
    shelves = sql.shelves(store)
    gain = StockMove.to_location_id.in_(shelves)
    loss = StockMove.from_location_id.in_(shelves)
    qty, cost = sql.raw(StockMove.quantity), sql.raw(StockMove.unit_cost)
    query = (
        select(func.sum(case((gain, qty), else_=0)), func.sum(case((gain, qty * cost), else_=0)),
               func.sum(case((loss, qty), else_=0)), func.sum(case((loss, qty * cost), else_=0)))
        .select_from(StockMove)
        .where(StockMove.reason == Reason.COUNT.value, or_(gain, loss), *_within(period))
    )
    found = {label: VarianceRow(label, sql.quantity(gq), sql.value(gv), sql.quantity(lq), sql.value(lv))
             for label, gq, gv, lq, lv in _grouped(query, period, by)}
    return _filled(found, period, by, lambda label: VarianceRow(label, ZERO, ZERO, ZERO, ZERO))


def _within(period: Period) -> list:
    return [StockMove.created_at >= period.start, StockMove.created_at < period.end]


def _grouped(query, period: Period, by: str):
    """Run the sums grouped by week, month or category; yields (label, *sums)."""
    if by == "category":
        names = category_paths()
        grouped = (query.join(SKU, SKU.id == StockMove.sku_id).join(Product, Product.id == SKU.product_id)
                   .add_columns(Product.category_id).group_by(Product.category_id))
        for *sums, category_id in db.session.execute(grouped):
            yield (names.get(category_id), *sums)
        return
    bucket = bucket_of(StockMove.created_at, period, Bucket(by)).label("bucket")
    for *sums, day in db.session.execute(query.add_columns(bucket).group_by(bucket)):
        yield (as_date(day), *sums)


def _filled(found: dict, period: Period, by: str, empty) -> list:
    """Weeks and months in order, those without moves as zero rows; categories by value, largest first."""
    if by == "category":
        return sorted(found.values(), key=lambda row: (-_size(row), row.label or ""))
    return [found.get(day) or empty(day) for day in period.buckets(Bucket(by))]


def _size(row) -> Decimal:
    return row.value if isinstance(row, WriteOffRow) else row.gain_value + row.loss_value
