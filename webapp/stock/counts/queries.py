"""Reads for the count screens: scope, the counter's own entries, the variance report."""
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from webapp.catalog.models import SKU, Product
from webapp.catalog.queries import _category_and_below
from webapp.extensions import db
from webapp.numbers import round_money
from webapp.stock.counts.models import CountEntry, CountLine, Scope, StockCount
from webapp.stock.models import Lot, StockLevel
from webapp.stock.queries import shelf_of
from webapp.stores.models import Store

ZERO = Decimal("0")


@dataclass
class Variance:
    """One SKU (and lot) of a count: what the system expected, what people counted."""

    sku: SKU
    lot: Lot | None
    expected: Decimal
    counted: Decimal
    unit_cost: Decimal
    uncounted: bool = False

    @property
    def difference(self) -> Decimal:
        return self.counted - self.expected

    @property
    def value(self) -> Decimal:
        return round_money(self.difference * self.unit_cost)


@dataclass
class Totals:
    gain_qty: Decimal
    gain_value: Decimal
    loss_qty: Decimal
    loss_value: Decimal

    @property
    def net_value(self) -> Decimal:
        return self.gain_value + self.loss_value


def totals(lines: list[Variance]) -> Totals:
    gains = [v for v in lines if v.difference > 0]
    losses = [v for v in lines if v.difference < 0]
    return Totals(sum((v.difference for v in gains), ZERO), sum((v.value for v in gains), ZERO),
                  sum((v.difference for v in losses), ZERO), sum((v.value for v in losses), ZERO))


def counts_of(store: Store) -> list[StockCount]:
    return list(db.session.scalars(
        select(StockCount).where(StockCount.store_id == store.id)
        .options(selectinload(StockCount.category)).order_by(StockCount.id.desc()).limit(100)))


def count_in(store_id: int, count_id: int) -> StockCount | None:
    return db.session.scalar(select(StockCount).where(StockCount.id == count_id, StockCount.store_id == store_id))


def scope_label(count: StockCount) -> str:
    if count.scope == Scope.CATEGORY and count.category:
        return str(_l("Category %(name)s", name=count.category.path))
    return str(_l("Whole store"))


def _scope_condition(count: StockCount):
    if count.scope == Scope.CATEGORY:
        return Product.category_id.in_(_category_and_below(count.category_id))
    return True


def in_scope(count: StockCount, sku: SKU) -> bool:
    if count.scope != Scope.CATEGORY:
        return True
    return sku.product.category_id in _category_and_below(count.category_id)


def on_hand(store: Store, sku: SKU, lot: Lot | None) -> Decimal:
    """The shelf's on hand of a SKU (and lot) in the ledger now."""
    shelf = shelf_of(store)
    if shelf is None:
        return ZERO
    lot_match = StockLevel.lot_id.is_(None) if lot is None else StockLevel.lot_id == lot.id
    value = db.session.scalar(select(StockLevel.on_hand).where(
        StockLevel.location_id == shelf.id, StockLevel.sku_id == sku.id, lot_match))
    return value if value is not None else ZERO


def my_entries(count: StockCount, user, limit: int = 30) -> list[CountEntry]:
    return list(db.session.scalars(
        select(CountEntry).where(CountEntry.count_id == count.id, CountEntry.user_id == user.id)
        .options(selectinload(CountEntry.sku).selectinload(SKU.product), selectinload(CountEntry.lot))
        .order_by(CountEntry.id.desc()).limit(limit)))


def all_entries(count: StockCount) -> list[CountEntry]:
    """Every entry of a count, oldest first: who counted what, where and when."""
    return list(db.session.scalars(
        select(CountEntry).where(CountEntry.count_id == count.id)
        .options(selectinload(CountEntry.sku).selectinload(SKU.product), selectinload(CountEntry.lot),
                 selectinload(CountEntry.user))
        .order_by(CountEntry.id)))


def progress(count: StockCount) -> tuple[int, int]:
    """(entries, people counting)."""
    return db.session.execute(
        select(func.count(CountEntry.id), func.count(func.distinct(CountEntry.user_id)))
        .where(CountEntry.count_id == count.id)).one()


def live_variance(count: StockCount) -> list[Variance]:
    """Per SKU and lot: everyone's entries added up, against the snapshot of the latest entry."""
    grouped = (
        select(CountEntry.sku_id, CountEntry.lot_id, func.sum(CountEntry.quantity).label("counted"),
               func.max(CountEntry.id).label("last_id"))
        .where(CountEntry.count_id == count.id).group_by(CountEntry.sku_id, CountEntry.lot_id).subquery())
    last = aliased(CountEntry)
    rows = db.session.execute(
        select(SKU, Lot, grouped.c.counted, last.expected)
        .join(grouped, grouped.c.sku_id == SKU.id).join(last, last.id == grouped.c.last_id)
        .outerjoin(Lot, Lot.id == grouped.c.lot_id).join(Product, Product.id == SKU.product_id)
        .options(selectinload(SKU.product)).order_by(Product.name, SKU.code, Lot.code))
    return [Variance(sku, lot, expected, counted, sku.cost) for sku, lot, counted, expected in rows]


def uncounted(count: StockCount) -> list[Variance]:
    """Stock in the count's scope that nobody counted (on hand not zero), as a count of zero."""
    shelf = shelf_of(count.store)
    if shelf is None:
        return []
    counted = exists().where(
        CountEntry.count_id == count.id, CountEntry.sku_id == StockLevel.sku_id,
        or_(CountEntry.lot_id == StockLevel.lot_id, and_(CountEntry.lot_id.is_(None), StockLevel.lot_id.is_(None))))
    rows = db.session.execute(
        select(SKU, Lot, StockLevel.on_hand).join(StockLevel, StockLevel.sku_id == SKU.id)
        .outerjoin(Lot, Lot.id == StockLevel.lot_id).join(Product, Product.id == SKU.product_id)
        .where(StockLevel.location_id == shelf.id, StockLevel.on_hand != 0, ~counted, _scope_condition(count))
        .options(selectinload(SKU.product)).order_by(Product.name, SKU.code, Lot.code))
    return [Variance(sku, lot, on_hand, ZERO, sku.cost, uncounted=True) for sku, lot, on_hand in rows]


def frozen_variance(count: StockCount) -> list[Variance]:
    """The lines as they were approved: the report never changes afterwards."""
    lines = db.session.scalars(
        select(CountLine).join(SKU, SKU.id == CountLine.sku_id).join(Product, Product.id == SKU.product_id)
        .where(CountLine.count_id == count.id)
        .options(selectinload(CountLine.sku).selectinload(SKU.product), selectinload(CountLine.lot))
        .order_by(CountLine.uncounted, Product.name, SKU.code, CountLine.id))
    return [Variance(li.sku, li.lot, li.expected, li.counted, li.unit_cost, li.uncounted) for li in lines]


def report(count: StockCount) -> tuple[list[Variance], list[Variance]]:
    """(counted lines, uncounted lines): live while open, frozen once approved."""
    if count.is_open:
        return live_variance(count), uncounted(count)
    lines = frozen_variance(count)
    return [v for v in lines if not v.uncounted], [v for v in lines if v.uncounted]
