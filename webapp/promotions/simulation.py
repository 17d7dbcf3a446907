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
from sqlalchemy import BigInteger, func, null, select, type_coerce
from sqlalchemy.orm import joinedload

from webapp.catalog.models import SKU, Category, Product
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import FEN, GRAM
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
    """Revenue, discount and cost before and after, in whole fen (Decimals only in ``as_dict``)."""

    __slots__ = ("revenue", "discount", "cost", "revenue_after", "discount_after")

    def __init__(self):
        self.revenue = self.discount = self.cost = self.revenue_after = self.discount_after = 0

    @classmethod
    def of(cls, revenue: int, revenue_after: int, regular: int, cost: int) -> "_Sums":
        sums = cls()
        sums.revenue, sums.discount, sums.cost = revenue, regular - revenue, cost
        sums.revenue_after, sums.discount_after = revenue_after, regular - revenue_after
        return sums

    def add(self, other: "_Sums") -> None:
        self.revenue += other.revenue
        self.discount += other.discount
        self.revenue_after += other.revenue_after
        self.discount_after += other.discount_after
        self.cost += other.cost

    def as_dict(self) -> dict:
        revenue, discount, cost = _yuan(self.revenue), _yuan(self.discount), _yuan(self.cost)
        revenue_after, discount_after = _yuan(self.revenue_after), _yuan(self.discount_after)
        margin, margin_after = revenue - cost, revenue_after - cost
        return {"revenue": str(revenue), "discount": str(discount), "cost": str(cost),
                "margin": str(margin), "margin_pct": _pct(margin, revenue),
                "revenue_after": str(revenue_after), "discount_after": str(discount_after),
                "margin_after": str(margin_after), "margin_pct_after": _pct(margin_after, revenue_after)}


def replay(promotion: Promotion, store_ids: list[int], days: int = 30, floor: Decimal = ZERO,
           progress: Callable[[int], None] | None = None, end: datetime | None = None) -> dict:
    """The static replay of the promotion over the last ``days`` of baskets (see the module).

    The tight loop: the baskets streamed in whole numbers (``_past_baskets``, one Item per kind of line), each
    priced by the engine without and with this promotion from one rule book built once (``engine.Replay``: a
    kind of line's own item step worked out once for the whole replay, the order step run per basket, the
    second time only where this promotion saves something; the figures those of pricing each basket twice),
    its lines summed per store and SKU in fen; stores, categories and the chain total are rolled up from those
    sums at the end."""
    end = end or utcnow()
    start = end - timedelta(days=days)
    mine = as_launched(promotion)
    others = [rule for rule in rules.active_book().rules if rule.id != promotion.id]
    with_mine = RuleBook([*others, mine])
    timed = any(rule.starts_at or rule.ends_at or rule.weekdays or rule.hour_from is not None
                for rule in [*others, mine])
    contexts = _contexts(timed)
    in_store: dict[int, dict[int, list[int]]] = {}  # store → SKU → [revenue, revenue after, regular, cost] in fen
    category_of: dict[int, int | None] = {}
    count = 0
    priced_twice = engine.Replay(with_mine, mine)
    for store_id, moment, channel, items, costs in _past_baskets(store_ids, start, end, moments=timed):
        priced = priced_twice(items, contexts(store_id, channel, moment))
        rows = in_store.get(store_id)
        if rows is None:
            rows = in_store[store_id] = {}
        for item, cost, (regular, before, after) in zip(items, costs, priced, strict=True):
            row = rows.get(item.sku_id)
            if row is None:
                row = rows[item.sku_id] = [0, 0, 0, 0]
                category_of[item.sku_id] = item.category_id
            row[0] += before
            row[1] += after
            row[2] += regular
            row[3] += cost
        count += 1
        if progress is not None and count % BATCH == 0:
            progress(count)
    total, by_store, by_category, by_sku = _Sums(), {}, {}, {}
    for store_id, rows in in_store.items():
        for sku_id, figures in rows.items():
            row = _Sums.of(*figures)
            total.add(row)
            for key, table in ((store_id, by_store), (category_of[sku_id], by_category), (sku_id, by_sku)):
                table.setdefault(key, _Sums()).add(row)
    skus = sorted(by_sku.items(), key=lambda kv: kv[1].revenue_after - kv[1].revenue)
    below = [(k, v) for k, v in skus if v.revenue_after > 0 and v.discount_after > v.discount
             and (v.revenue_after - v.cost) * HUNDRED < floor * v.revenue_after][:100]
    names = _names(by_store, by_category, {k for k, _ in skus[:50]} | {k for k, _ in below})
    return {
        "label": "static", "days": days, "start": start.isoformat(), "end": end.isoformat(), "baskets": count,
        "touched": priced_twice.touched, "floor": str(floor), "others": [rule.name for rule in others],
        "total": total.as_dict(),
        "stores": [{"name": names["store"].get(k, "—"), **v.as_dict()} for k, v in sorted(by_store.items())],
        "categories": [{"name": names["category"].get(k, "—"), **v.as_dict()}
                       for k, v in sorted(by_category.items(), key=lambda kv: kv[0] or 0)],
        "skus": [{"name": names["sku"].get(k, "—"), **v.as_dict()} for k, v in skus[:50]],
        "below_floor": [{"name": names["sku"].get(k, "—"), **v.as_dict()} for k, v in below],
    }


def _past_baskets(store_ids: list[int], start: datetime, end: datetime, moments: bool = True):
    """The completed sales as (store id, moment, channel, [Item], [each line's cost in fen]), oldest first.

    Set-based and streamed: the SKUs' product, category and cost in one statement; the orders, and their
    lines (amounts and quantities read as the whole fen and thousandths they are stored as, in the order of
    the lines' index: no sort), side by side in chunks; an Item made once for each kind of line met again.
    ``moments=False``: no rule looks at the time, so the sale's moment is not read (``None``)."""
    where = [Order.kind == OrderKind.SALE.value, Order.status == OrderStatus.COMPLETED.value,
             Order.completed_at >= start, Order.completed_at < end]
    if store_ids:
        where.append(Order.store_id.in_(store_ids))
    skus = {sku_id: (product_id, category_id, cost or 0, brand_id)
            for sku_id, product_id, category_id, cost, brand_id in db.session.execute(
                select(SKU.id, SKU.product_id, Product.category_id, type_coerce(SKU.cost, BigInteger), Product.brand_id)
                .join(Product, Product.id == SKU.product_id))}
    moment = Order.created_at if moments else null()
    orders = (row for chunk in _chunks(select(Order.id, Order.store_id, moment, Order.channel).where(*where)
                                       .order_by(Order.id)) for row in chunk)
    lines = _chunks(select(OrderLine.order_id, OrderLine.sku_id,
                         *(type_coerce(column, BigInteger) for column in (OrderLine.quantity, OrderLine.unit_price,
                                                                          OrderLine.unit_cost)))
                  .where(OrderLine.order_id.in_(select(Order.id).where(*where)))
                  .order_by(OrderLine.order_id, OrderLine.id))
    kinds: dict[tuple, tuple[Item, int]] = {}  # (sku, quantity, price, unit cost) → the Item, its cost in fen
    quantities, prices = _Decimals(GRAM), _Decimals(FEN)
    order_id = store_id = at = channel = None
    items: list[Item] = []
    costs: list[int] = []
    for chunk in lines:
        for line_order_id, sku_id, quantity, price, unit_cost in chunk:
            if line_order_id != order_id:
                if items:
                    yield store_id, at, channel, items, costs
                    items, costs = [], []
                order_id, store_id, at, channel = next(orders)
                while order_id != line_order_id:  # a sale without lines is no basket
                    order_id, store_id, at, channel = next(orders)
            kind = kinds.get((sku_id, quantity, price, unit_cost))
            if kind is None:
                if len(kinds) >= 200_000:
                    kinds.clear()
                product_id, category_id, sku_cost, brand_id = skus[sku_id]
                cost = unit_cost if unit_cost is not None else sku_cost
                kind = kinds[sku_id, quantity, price, unit_cost] = (
                    Item(sku_id, product_id, category_id, quantities[quantity], prices[price], prices[cost],
                         brand_id=brand_id),
                    _half_even(cost * quantity, 1000))  # cost × quantity to the fen, as quantize(FEN)
            items.append(kind[0])
            costs.append(kind[1])
    if items:
        yield store_id, at, channel, items, costs


def _chunks(statement):
    """The statement's rows in chunks, streamed (plain rows from the connection: no ORM on the way)."""
    return db.session.connection().execute(statement, execution_options={"yield_per": 5000}).partitions()


class _Decimals(dict):
    """Stored integers (fen, thousandths) as Decimals, each made once."""

    def __init__(self, step: Decimal):
        super().__init__()
        self.step = step

    def __missing__(self, stored: int) -> Decimal:
        value = self[stored] = (Decimal(stored) * self.step).quantize(self.step)
        return value


def _half_even(top: int, bottom: int) -> int:
    whole, left = divmod(top, bottom)
    return whole + 1 if 2 * left > bottom or 2 * left == bottom and whole % 2 else whole


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


def _contexts(timed: bool) -> Callable[[int, str, datetime | None], engine.Context]:
    """The basket's context for the engine: per basket with the stores' wall clock when a rule looks at the
    time, else made once per store and channel."""
    if timed:
        clock = _wall_clock()
        return lambda store_id, channel, moment: engine.Context(store_id=store_id, channel=channel, at=moment,
                                                                local=clock(moment))
    made: dict[tuple[int, str], engine.Context] = {}
    never = datetime(2000, 1, 1)  # no rule asks

    def context(store_id: int, channel: str, moment: datetime | None) -> engine.Context:
        known = made.get((store_id, channel))
        if known is None:
            known = made[store_id, channel] = engine.Context(store_id=store_id, channel=channel, at=never)
        return known
    return context


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
