"""Margin simulation before launch, and the review (活动复盘) after.

Simulation is a *static replay*: the last N days of completed sales at the
chosen stores are priced again by the real engine, each basket as it was
(same items, same quantities, the base price it was sold at, each line's cost
at the time of sale from the ledger), once with the promotions running now and
once with this one added. No change in demand is assumed. Revenue, discount
and gross margin before and after, per store, category and SKU, and the SKUs
whose margin would fall below the floor the manager watches.

The review compares, for the items the promotion covers, what sold while it
ran against the same length of time just before: sales, discount given by it
(from the allocations stored with the sales), gross margin, per store.
"""
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from webapp.catalog.models import SKU, Category, Product
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import FEN
from webapp.promotions import engine, rules
from webapp.promotions.engine import Item, Rule, RuleBook
from webapp.promotions.models import OrderLinePromotion, Promotion
from webapp.sales.models import Order, OrderKind, OrderLine, OrderStatus
from webapp.stores.models import Store

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
BATCH = 2000  # baskets between progress reports


def as_launched(promotion: Promotion) -> Rule:
    """The promotion as if it ran over the replayed days: its stores, channels, weekdays and hours kept,
    its dates, budget and coupon left out (a replay asks what it does to the baskets, not when)."""
    return replace(rules.to_rule(promotion, rules.children(), rules.chain_floor()), starts_at=None, ends_at=None, max_uses=None,
                   per_customer=None, max_discount=None, needs_coupon=False)


def baskets(store_ids: list[int], start: datetime, end: datetime):
    """Completed sales as (order id, store id, moment, channel, [(sku, product, category, qty, unit price,
    unit cost, amount, brand)]), one statement, oldest first."""
    query = (select(Order.id, Order.store_id, Order.created_at, Order.channel, OrderLine.sku_id, SKU.product_id,
                    Product.category_id, OrderLine.quantity, OrderLine.unit_price, OrderLine.unit_cost, SKU.cost,
                    OrderLine.amount, Product.brand_id)
             .join(OrderLine, OrderLine.order_id == Order.id).join(SKU, SKU.id == OrderLine.sku_id)
             .join(Product, Product.id == SKU.product_id)
             .where(Order.kind == OrderKind.SALE.value, Order.status == OrderStatus.COMPLETED.value,
                    Order.completed_at >= start, Order.completed_at < end)
             .order_by(Order.id, OrderLine.id))
    if store_ids:
        query = query.where(Order.store_id.in_(store_ids))
    current, lines = None, []
    for row in db.session.execute(query).yield_per(5000):
        if current is not None and row[0] != current[0]:
            yield (*current, lines)
            lines = []
        current = row[:4]
        cost = row[9] if row[9] is not None else (row[10] or ZERO)
        lines.append((row[4], row[5], row[6], row[7], row[8], cost, row[11], row[12]))
    if current is not None:
        yield (*current, lines)


def count_baskets(store_ids: list[int], start: datetime, end: datetime) -> int:
    query = select(func.count(Order.id)).where(
        Order.kind == OrderKind.SALE.value, Order.status == OrderStatus.COMPLETED.value,
        Order.completed_at >= start, Order.completed_at < end)
    if store_ids:
        query = query.where(Order.store_id.in_(store_ids))
    return db.session.scalar(query) or 0


class _Sums:
    __slots__ = ("revenue", "discount", "cost", "revenue_after", "discount_after")

    def __init__(self):
        self.revenue = self.discount = self.cost = self.revenue_after = self.discount_after = ZERO

    def add(self, other: "_Sums") -> None:
        self.revenue += other.revenue
        self.discount += other.discount
        self.revenue_after += other.revenue_after
        self.discount_after += other.discount_after
        self.cost += other.cost

    def as_dict(self) -> dict:
        margin, margin_after = self.revenue - self.cost, self.revenue_after - self.cost
        return {"revenue": str(self.revenue), "discount": str(self.discount), "cost": str(self.cost),
                "margin": str(margin), "margin_pct": _pct(margin, self.revenue),
                "revenue_after": str(self.revenue_after), "discount_after": str(self.discount_after),
                "margin_after": str(margin_after), "margin_pct_after": _pct(margin_after, self.revenue_after)}


def replay(promotion: Promotion, store_ids: list[int], days: int = 30, floor: Decimal = ZERO,
           progress: Callable[[int], None] | None = None, end: datetime | None = None) -> dict:
    """The static replay of the promotion over the last ``days`` of baskets (see the module).

    The tight loop: each basket priced by the engine from two rule books built once (the running
    promotions, and the same with this one), its lines summed per (store, SKU); stores, categories and the
    chain total are rolled up from those sums at the end."""
    end = end or utcnow()
    start = end - timedelta(days=days)
    mine = as_launched(promotion)
    others = [rule for rule in rules.active_book().rules if rule.id != promotion.id]
    book, with_mine, just_mine = RuleBook(others), RuleBook([*others, mine]), RuleBook([mine])
    clock = _wall_clock()
    sums: dict[tuple[int, int], _Sums] = {}
    category_of: dict[int, int | None] = {}
    count = touched = 0
    for _order_id, store_id, moment, channel, lines in baskets(store_ids, start, end):
        items = [Item(sku, product, category, qty, price, cost, brand)
                 for sku, product, category, qty, price, cost, _, brand in lines]
        context = engine.Context(store_id=store_id, channel=channel, at=moment, local=clock(moment))
        found = book.touching(items)
        before = engine.price(items, found, context, book, hints=False)
        if just_mine.touching(items):
            touched += 1
            after = engine.price(items, with_mine.touching(items), context, with_mine, hints=False)
        else:
            after = before
        for item, line_before, line_after in zip(items, before.lines, after.lines, strict=True):
            row = sums.get((store_id, item.sku_id))
            if row is None:
                row = sums[store_id, item.sku_id] = _Sums()
                category_of[item.sku_id] = item.category_id
            row.revenue += line_before.amount
            row.discount += line_before.regular - line_before.amount
            row.revenue_after += line_after.amount
            row.discount_after += line_after.regular - line_after.amount
            row.cost += (item.cost * item.quantity).quantize(FEN)
        count += 1
        if progress is not None and count % BATCH == 0:
            progress(count)
    total, by_store, by_category, by_sku = _Sums(), {}, {}, {}
    for (store_id, sku_id), row in sums.items():
        total.add(row)
        for key, table in ((store_id, by_store), (category_of[sku_id], by_category), (sku_id, by_sku)):
            table.setdefault(key, _Sums()).add(row)
    skus = sorted(by_sku.items(), key=lambda kv: kv[1].revenue_after - kv[1].revenue)
    below = [(k, v) for k, v in skus if v.revenue_after > 0 and v.discount_after > v.discount
             and (v.revenue_after - v.cost) * HUNDRED < floor * v.revenue_after][:100]
    names = _names(by_store, by_category, {k for k, _ in skus[:50]} | {k for k, _ in below})
    return {
        "label": "static", "days": days, "start": start.isoformat(), "end": end.isoformat(), "baskets": count,
        "touched": touched, "floor": str(floor), "others": [rule.name for rule in others],
        "total": total.as_dict(),
        "stores": [{"name": names["store"].get(k, "—"), **v.as_dict()} for k, v in sorted(by_store.items())],
        "categories": [{"name": names["category"].get(k, "—"), **v.as_dict()}
                       for k, v in sorted(by_category.items(), key=lambda kv: kv[0] or 0)],
        "skus": [{"name": names["sku"].get(k, "—"), **v.as_dict()} for k, v in skus[:50]],
        "below_floor": [{"name": names["sku"].get(k, "—"), **v.as_dict()} for k, v in below],
    }


def _wall_clock() -> Callable[[datetime], datetime]:
    """The stores' wall clock for a UTC moment, the zone looked up once (not per basket)."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))

    def local(at: datetime) -> datetime:
        return at.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    return local


def run(simulation_id: int) -> None:
    """Run a stored simulation, writing its progress as it goes (in a thread or a command)."""
    from webapp.promotions.models import Simulation

    simulation = db.session.get(Simulation, simulation_id)
    try:
        simulation.total = count_baskets(simulation.store_ids, utcnow() - timedelta(days=simulation.days), utcnow())
        db.session.commit()

        def progress(done: int) -> None:
            simulation.done = done
            db.session.commit()

        result = replay(db.session.get(Promotion, simulation.promotion_id), simulation.store_ids,
                        simulation.days, simulation.floor, progress)
        simulation.result, simulation.status, simulation.done = result, "done", result["baskets"]
        db.session.commit()
    except Exception:
        db.session.rollback()
        simulation = db.session.get(Simulation, simulation_id)
        simulation.status = "failed"
        db.session.commit()
        raise


def review(promotion: Promotion, end: datetime | None = None) -> dict:
    """活动复盘: the covered items' sales, the promotion's discount and the margin while it ran, against the
    same length of time just before, per store."""
    first_use = db.session.scalar(
        select(func.min(Order.completed_at)).join(OrderLine, OrderLine.order_id == Order.id)
        .join(OrderLinePromotion, OrderLinePromotion.order_line_id == OrderLine.id)
        .where(OrderLinePromotion.promotion_id == promotion.id))
    start = promotion.starts_at or first_use or promotion.created_at
    end = min(promotion.ends_at or utcnow(), end or utcnow())
    if end <= start:
        end = start + timedelta(days=1)
    length = end - start
    rule = as_launched(promotion)
    given = dict(db.session.execute(
        select(Order.store_id, func.sum(OrderLinePromotion.amount))
        .join(OrderLine, OrderLine.id == OrderLinePromotion.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLinePromotion.promotion_id == promotion.id, Order.status == OrderStatus.COMPLETED.value,
               Order.kind == OrderKind.SALE.value).group_by(Order.store_id)).all())
    rows: dict[int, dict] = {}
    for label, (a, b) in (("before", (start - length, start)), ("during", (start, end))):
        for _order_id, store_id, _moment, _channel, lines in baskets(list(promotion.store_ids), a, b):
            row = rows.setdefault(store_id, {"before": [ZERO, ZERO], "during": [ZERO, ZERO]})
            for sku, product, category, qty, _price, cost, amount, brand in lines:
                if rule.covers(Item(sku, product, category, qty, ZERO, brand_id=brand)):
                    row[label][0] += amount
                    row[label][1] += amount - (cost * qty).quantize(Decimal("0.01"))
    names = dict(db.session.execute(select(Store.id, Store.name).where(Store.id.in_(list(rows) or [0]))).all())
    return {"start": start, "end": end, "stores": [
        {"name": names.get(store_id, "—"), "sales_before": row["before"][0], "margin_before": row["before"][1],
         "sales": row["during"][0], "margin": row["during"][1],
         "discount": Decimal(given.get(store_id) or 0).quantize(Decimal("0.01"))}
        for store_id, row in sorted(rows.items())]}


def _pct(part: Decimal, whole: Decimal) -> str:
    return str((part * HUNDRED / whole).quantize(Decimal("0.1"))) if whole else "—"


def _names(by_store, by_category, sku_ids) -> dict:
    return {
        "store": dict(db.session.execute(select(Store.id, Store.name).where(Store.id.in_(list(by_store) or [0])))
                      .all()),
        "category": dict(db.session.execute(select(Category.id, Category.name).where(
            Category.id.in_([k for k in by_category if k] or [0]))).all()),
        "sku": {sku.id: sku.display_name for sku in db.session.scalars(
            select(SKU).options(joinedload(SKU.product)).where(SKU.id.in_(list(sku_ids) or [0])))},
    }
