"""Today at a glance: the figures of the day so far, from the completed orders of every channel.

    sales            Σ totals of the completed sales (after discounts; delivery fees are not sales)
    refunds          Σ totals of the completed returns (the money given back)
    orders           the number of completed sales
    average ticket   sales ÷ orders
    gross margin     (sales − cost of the lines sold) − (refunds − cost of the lines taken back);
                     each line keeps its unit cost (the SKU's average cost if a line has none)
    margin %         gross margin ÷ (sales − refunds)
    items per basket (pieces sold + one per weighed line) ÷ orders
    by hour          sales per local hour today, against the same weekday last week
    growth           sales so far today ÷ sales last week on the same weekday up to the same time − 1

"Today" is the local day (the shop's time zone) up to now; an order counts when it is completed:
a till sale when paid, an online order when handed over or sent out for delivery.
Everything is summed in SQL as integers (fen, thousandths) and turned into Decimals once.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, literal_column, or_, select

from webapp.catalog.models import SKU, Category, Product
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.reports import sql
from webapp.reports.periods import Period
from webapp.sales.models import Order, OrderKind, OrderLine, OrderStatus, Payment, PaymentStatus

ZERO = Decimal("0.00")
WEEK = timedelta(days=7)
TOP = 5


def local_hour(column, offset: timedelta):
    """SQL: the local hour (0–23) of a stored naive-UTC time."""
    seconds = int(offset.total_seconds())
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("hour", column + literal_column(f"interval '{seconds} seconds'"))
    return func.cast(func.strftime("%H", column, f"{seconds:+d} seconds"), db.Integer)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole as a percentage to one decimal, half-up; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """One store's (or a scope's) day so far."""
    sales: Decimal = ZERO
    refunds: Decimal = ZERO
    orders: int = 0
    returns: int = 0
    cost: Decimal = ZERO  # of the lines sold, less the cost of the lines taken back
    items: Decimal = Decimal("0")
    last_week: Decimal = ZERO  # sales last week, same weekday, up to the same time

    @property
    def net_sales(self) -> Decimal:
        return self.sales - self.refunds

    @property
    def margin(self) -> Decimal:
        return self.net_sales - self.cost

    @property
    def margin_rate(self) -> Decimal | None:
        return percent(self.margin, self.net_sales) if self.net_sales > 0 else None

    @property
    def average_ticket(self) -> Decimal | None:
        if not self.orders:
            return None
        return (self.sales / self.orders).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def items_per_basket(self) -> Decimal | None:
        if not self.orders:
            return None
        return (self.items / self.orders).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def growth(self) -> Decimal | None:
        """Sales against last week's same weekday up to the same time, in percent; None without a base."""
        if self.last_week <= 0:
            return None
        return percent(self.sales - self.last_week, self.last_week)


@dataclass
class Share:
    key: str  # a channel, payment method or category name
    amount: Decimal
    count: int = 0


@dataclass
class Seller:
    sku_id: int
    code: str
    name: str
    sold: Decimal
    amount: Decimal


@dataclass
class Today:
    at: datetime  # naive UTC: when the figures were read
    local_at: datetime
    figures: Figures
    hours: list[tuple[int, Decimal, Decimal]]  # (local hour, today, last week same weekday)
    channels: list[Share]
    payments: list[Share]
    categories: list[Share]
    top: list[Seller]
    stores: dict[int, Figures] = field(default_factory=dict)  # per store, for the ranking

    @property
    def ranking(self) -> list[tuple[int, Figures]]:
        return sorted(self.stores.items(), key=lambda item: (-item[1].sales, item[0]))


def _within(store_ids: list[int] | None, *conditions):
    found = [Order.status == OrderStatus.COMPLETED.value, *conditions]
    if store_ids is not None:
        found.append(Order.store_id.in_(store_ids))
    return found


def today(store_ids: list[int] | None, now: datetime | None = None) -> Today:
    """The day so far for these stores (None: the whole chain)."""
    from webapp.clock import local_time

    now = now or utcnow()
    day = Period.last_days(1, now)
    start, week_start, week_end = day.start, day.start - WEEK, day.start - WEEK + timedelta(days=1)
    today_ = and_(Order.completed_at >= start, Order.completed_at < now)
    last_week = and_(Order.completed_at >= week_start, Order.completed_at < week_end)

    stores: dict[int, Figures] = {}
    hours = {h: [ZERO, ZERO] for h in range(24)}
    channels: dict[str, Share] = {}
    hour = local_hour(Order.completed_at, day.offset).label("hour")
    is_today = case((Order.completed_at >= start, 1), else_=0).label("is_today")
    before_now = case((Order.completed_at < now - WEEK, 1), else_=0).label("before_now")
    query = (select(Order.store_id, Order.channel, Order.kind, is_today, before_now, hour,
                    func.count(), func.sum(sql.raw(Order.total)))
             .where(*_within(store_ids, or_(today_, last_week)))
             .group_by(Order.store_id, Order.channel, Order.kind, is_today, before_now, hour))
    for store_id, channel, kind, on_day, early, at_hour, count, total in db.session.execute(query):
        amount = sql.money(total)
        figures = stores.setdefault(store_id, Figures())
        if kind == OrderKind.TOPUP.value:  # stored value paid in: a liability, not a sale
            continue
        if kind == OrderKind.RETURN.value:
            if on_day:
                figures.refunds += amount
                figures.returns += count
            continue
        if on_day:
            figures.sales += amount
            figures.orders += count
            hours[int(at_hour)][0] += amount
            share = channels.setdefault(channel, Share(channel, ZERO))
            share.amount += amount
            share.count += count
        else:
            hours[int(at_hour)][1] += amount
            if early:
                figures.last_week += amount

    _add_lines(stores, store_ids, today_)
    top, categories = _sellers(store_ids, today_)
    scope = Figures()
    for figures in stores.values():
        for name in ("sales", "refunds", "orders", "returns", "cost", "items", "last_week"):
            setattr(scope, name, getattr(scope, name) + getattr(figures, name))
    stores = {store_id: f for store_id, f in stores.items() if f.orders or f.returns or f.last_week}
    return Today(now, local_time(now), scope, [(h, *hours[h]) for h in range(24)],
                 sorted(channels.values(), key=lambda s: -s.amount), _payments(store_ids, today_),
                 categories, top, stores)


def _orders(store_ids, today_):
    """SQL: the ids of today's completed orders; lines and payments are then read by their order id
    (the orders' completion-time index first, then the lines' order index: never a scan of all lines)."""
    return select(Order.id).where(*_within(store_ids, today_))


def _unit_cost():
    """A line's unit cost in fen; the SKU's average cost for a line without one (as the reports do).
    The query joins the line's SKU."""
    return func.coalesce(sql.raw(OrderLine.unit_cost), sql.raw(SKU.cost))


def _add_lines(stores: dict[int, Figures], store_ids, today_) -> None:
    """Per store: the cost of the lines sold less the lines taken back, and the items sold."""
    sign = case((Order.kind == OrderKind.RETURN.value, -1), else_=1)
    sold = Order.kind == OrderKind.SALE.value
    pieces = case((and_(sold, Product.weighed.is_(False)), sql.raw(OrderLine.quantity)), else_=0)
    weighed_lines = case((and_(sold, Product.weighed.is_(True)), 1), else_=0)
    query = (select(Order.store_id, func.sum(sign * sql.raw(OrderLine.quantity) * _unit_cost()),
                    func.sum(pieces), func.sum(weighed_lines))
             .select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
             .join(SKU, SKU.id == OrderLine.sku_id).join(Product, Product.id == SKU.product_id)
             .where(OrderLine.order_id.in_(_orders(store_ids, today_))).group_by(Order.store_id))
    for store_id, cost, piece_qty, weighed in db.session.execute(query):
        figures = stores.setdefault(store_id, Figures())
        figures.cost = sql.value(cost)
        figures.items = sql.quantity(piece_qty) + int(weighed or 0)


def _sellers(store_ids, today_) -> tuple[list[Seller], list[Share]]:
    """Today's best sellers by sales value (less returns), and sales per top-level category."""
    sign = case((Order.kind == OrderKind.RETURN.value, -1), else_=1)
    amount = func.sum(sign * sql.raw(OrderLine.amount))
    per_sku = (select(OrderLine.sku_id, func.sum(sign * sql.raw(OrderLine.quantity)), amount)
               .join(Order, Order.id == OrderLine.order_id)
               .where(OrderLine.order_id.in_(_orders(store_ids, today_))).group_by(OrderLine.sku_id).subquery())
    rows = db.session.execute(
        select(per_sku.c[0], per_sku.c[1], per_sku.c[2], SKU.code, Product.name, SKU.attributes, Product.category_id)
        .join(SKU, SKU.id == per_sku.c[0]).join(Product, Product.id == SKU.product_id)).all()
    top = sorted(rows, key=lambda r: (-(r[2] or 0), r[3]))[:TOP]
    sellers = [Seller(r[0], r[3], sql.Item(r[0], r[3], r[4], r[5], ZERO).display_name,
                      sql.quantity(r[1]), sql.money(r[2])) for r in top if (r[2] or 0) > 0]
    roots = _category_roots()
    by_category: dict[str, Share] = {}
    for row in rows:
        name = roots.get(row[6], "")
        share = by_category.setdefault(name, Share(name, ZERO))
        share.amount += sql.money(row[2])
    return sellers, sorted((s for s in by_category.values() if s.amount), key=lambda s: -s.amount)


def _category_roots() -> dict[int, str]:
    """Category id → the name of its top-level category (the category list is short)."""
    parents = {c.id: (c.parent_id, c.name) for c in db.session.execute(select(Category.id, Category.parent_id,
                                                                                 Category.name))}
    roots = {}
    for category_id in parents:
        current, seen = category_id, set()
        while parents[current][0] in parents and current not in seen:
            seen.add(current)
            current = parents[current][0]
        roots[category_id] = parents[current][1]
    return roots


def _payments(store_ids, today_) -> list[Share]:
    """What today's sales were paid with (money taken in; refunds are shown apart)."""
    query = (select(Payment.method, func.count(), func.sum(sql.raw(Payment.amount)))
             .join(Order, Order.id == Payment.order_id)
             .where(Payment.order_id.in_(_orders(store_ids, today_)), Order.kind == OrderKind.SALE.value,
                    Payment.status == PaymentStatus.SUCCEEDED.value, Payment.amount > 0)
             .group_by(Payment.method))
    return sorted((Share(method, sql.money(total), count) for method, count, total in db.session.execute(query)),
                  key=lambda s: -s.amount)
