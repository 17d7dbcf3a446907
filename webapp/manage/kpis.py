"""The seeds' KPIs, each computed exactly as its definition on screen says, with the rows behind it.

A KPI covers a period (the last N local days, today included) and a scope (one store, a person's
stores, or the chain). Each ``*_rows`` function returns the orders or SKUs behind the number (the
drill-down); the KPI is computed from exactly those rows, so the two always agree.
"""
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from webapp.catalog.models import SKU, Product
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.fulfil.models import Shortage
from webapp.manage.today import percent
from webapp.reports import sql
from webapp.reports import turnover as turnover_queries
from webapp.reports.periods import Period
from webapp.reports.stores import store_margins
from webapp.sales.models import Order, OrderKind, OrderLine, OrderStatus
from webapp.sales.online.models import (
    Fulfilment,
    NotificationKind,
    OnlineOrder,
    OnlineStatus,
    OrderNotification,
    TillShortfall,
)
from webapp.stock.models import Location, Reason, StockLevel, StockMove, Usage
from webapp.stores.models import Store

UNSHIPPED_HOURS = 48
PICKUP_HOURS = 2  # a pickup order should be ready this many hours after it was accepted
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Kpi:
    key: str
    title: object
    value: Decimal | None  # None: nothing to measure in the period
    unit: str  # "%", "h", "d" (days), "pt" (percentage points)
    counts: str  # the numerator and denominator, as the card shows them
    definition: object


# ---------------------------------------------------------------- oversell rate

@dataclass(frozen=True)
class OversoldLine:
    online_order_id: int
    store_id: int
    number: str
    sku_id: int
    quantity: Decimal
    at: datetime


def _online_orders(store_ids: list[int] | None, period: Period):
    query = (select(OnlineOrder.id).join(Order, Order.id == OnlineOrder.order_id)
             .where(OnlineOrder.created_at >= period.start, OnlineOrder.created_at < period.end))
    return query.where(Order.store_id.in_(store_ids)) if store_ids is not None else query


def oversold_lines(store_ids: list[int] | None, period: Period) -> list[OversoldLine]:
    """Online order lines placed in the period that the store could not fulfil from stock: marked
    unavailable while picking, or left short by a till sale (once per order and SKU, whichever came first)."""
    orders = _online_orders(store_ids, period)
    rows: dict[tuple[int, int], OversoldLine] = {}
    for kept in (Shortage, TillShortfall):
        query = (select(kept.online_order_id, Order.store_id, Order.number, kept.sku_id, kept.quantity, kept.created_at)
                 .join(OnlineOrder, OnlineOrder.id == kept.online_order_id)
                 .join(Order, Order.id == OnlineOrder.order_id)
                 .where(kept.online_order_id.in_(orders)).order_by(kept.created_at))
        for row in db.session.execute(query):
            line = OversoldLine(*row)
            known = rows.get((line.online_order_id, line.sku_id))
            if known is None:
                rows[line.online_order_id, line.sku_id] = line
            elif kept is TillShortfall and line.at <= known.at:
                # a till sale's shortfall of a line later marked unavailable: the quantity the till took
                rows[line.online_order_id, line.sku_id] = line
    return sorted(rows.values(), key=lambda r: r.at, reverse=True)


def oversell_rate(store_ids: list[int] | None, period: Period) -> Kpi:
    orders = _online_orders(store_ids, period)
    kept = db.session.scalar(select(func.count(OrderLine.id)).join(OnlineOrder, OnlineOrder.order_id == OrderLine.order_id)
                             .where(OnlineOrder.id.in_(orders)))
    oversold = oversold_lines(store_ids, period)
    lines = kept + len(_dropped(store_ids, period))  # an unavailable line is dropped; its shortage row keeps it
    return Kpi("oversell", _l("Oversell rate"), percent(len(oversold), lines), "%",
               f"{len(oversold)} / {lines}",
               _l("Online order lines placed in the period that the store could not fulfil from stock (marked "
                  "unavailable while picking, or sold at the till while held for the order) ÷ all online order "
                  "lines placed in the period."))


def _dropped(store_ids: list[int] | None, period: Period) -> set[tuple[int, int]]:
    """(online order, SKU) of the lines marked unavailable: gone from their orders, counted from here."""
    return set(db.session.execute(
        select(Shortage.online_order_id, Shortage.sku_id)
        .where(Shortage.online_order_id.in_(_online_orders(store_ids, period)))).all())


# ---------------------------------------------------------------- late online orders

@dataclass(frozen=True)
class LateOrder:
    online_order_id: int
    store_id: int
    number: str
    fulfilment: str
    since: datetime  # paid (delivery) or accepted (pickup)
    done_at: datetime | None  # out for delivery / ready; None: not yet
    status: str


def _ready_at():
    """SQL: when a pickup order was first ready (its "ready" message to the customer)."""
    return (select(func.min(OrderNotification.created_at))
            .where(OrderNotification.online_order_id == OnlineOrder.id,
                   OrderNotification.kind == NotificationKind.READY.value).scalar_subquery())


def _due_orders(store_ids, period: Period, fulfilment: Fulfilment, hours: int, now: datetime):
    """Orders whose deadline (``hours`` after payment, or acceptance for pay-at-pickup) has passed."""
    started = func.coalesce(OnlineOrder.paid_at, OnlineOrder.created_at)
    done = Order.completed_at if fulfilment == Fulfilment.DELIVERY else func.coalesce(_ready_at(), Order.completed_at)
    paid = OnlineOrder.paid_at.is_not(None) if fulfilment == Fulfilment.DELIVERY else \
        (OnlineOrder.paid_at.is_not(None) | OnlineOrder.pay_at_pickup.is_(True))
    query = (select(OnlineOrder.id, Order.store_id, Order.number, OnlineOrder.fulfilment, started, done,
                    OnlineOrder.status, OnlineOrder.status_changed_at)
             .join(Order, Order.id == OnlineOrder.order_id)
             .where(OnlineOrder.fulfilment == fulfilment.value, paid,
                    started >= period.start, started < period.end, started <= now - timedelta(hours=hours)))
    if store_ids is not None:
        query = query.where(Order.store_id.in_(store_ids))
    due, late = [], []
    for online_id, store_id, number, kind, since, done_at, status, changed in db.session.execute(query):
        deadline = since + timedelta(hours=hours)
        if status in (OnlineStatus.CANCELLED, OnlineStatus.EXPIRED) and changed <= deadline and done_at is None:
            continue  # called off before it was due: neither late nor on time
        order = LateOrder(online_id, store_id, number, kind, since, done_at, status)
        due.append(order)
        if done_at is None or done_at > deadline:
            late.append(order)
    return due, sorted(late, key=lambda o: o.since)


def unshipped(store_ids, period: Period, now: datetime | None = None) -> tuple[Kpi, list[LateOrder]]:
    due, late = _due_orders(store_ids, period, Fulfilment.DELIVERY, UNSHIPPED_HOURS, now or utcnow())
    return Kpi("unshipped", _l("48-hour unshipped rate"), percent(len(late), len(due)), "%", f"{len(late)} / {len(due)}",
               _l("Paid delivery orders not out for delivery within 48 hours of payment ÷ paid delivery orders "
                  "whose 48 hours have passed (paid in the period; an order cancelled before its 48 hours is left "
                  "out).")), late


def pickup_not_ready(store_ids, period: Period, now: datetime | None = None,
                     hours: int = PICKUP_HOURS) -> tuple[Kpi, list[LateOrder]]:
    due, late = _due_orders(store_ids, period, Fulfilment.PICKUP, hours, now or utcnow())
    return Kpi("pickup_late", _l("Pickup not ready in %(hours)s h", hours=hours), percent(len(late), len(due)), "%",
               f"{len(late)} / {len(due)}",
               _l("Pickup orders (paid, or to pay at pickup) not ready within %(hours)s hours of being accepted ÷ "
                  "pickup orders accepted in the period whose %(hours)s hours have passed.", hours=hours)), late


# ---------------------------------------------------------------- stockout duration

@dataclass(frozen=True)
class Stockout:
    store_id: int
    sku_id: int
    began: datetime
    ended: datetime | None  # None: still out now

    def hours(self, now: datetime) -> Decimal:
        seconds = int(((self.ended or now) - self.began).total_seconds())
        return (Decimal(seconds) / 3600).quantize(TENTH, rounding=ROUND_HALF_UP)


def stockouts(store_ids, period: Period, now: datetime | None = None) -> list[Stockout]:
    """Every time a store's shelf ran out of a SKU in the period: from the move that took on hand to zero
    or below to the next move that put it above zero (or now, while it is still out).

    On hand at the period's start is today's level less the period's moves; the moves are then replayed
    in order. (The ledger keeps on hand; reservations are not replayed.)
    """
    now = now or utcnow()
    shelves = select(Location.id, Location.store_id).where(Location.usage == Usage.INTERNAL.value,
                                                           Location.store_id.is_not(None))
    if store_ids is not None:
        shelves = shelves.where(Location.store_id.in_(store_ids))
    store_of = dict(db.session.execute(shelves).all())
    if not store_of:
        return []
    ids = list(store_of)
    balance: dict[tuple[int, int], int] = defaultdict(int)
    rows = db.session.connection()  # plain rows: hundreds of thousands of them for the chain
    for location_id, sku_id, on_hand in rows.execute(
            select(StockLevel.location_id, StockLevel.sku_id, func.sum(sql.raw(StockLevel.on_hand)))
            .where(StockLevel.location_id.in_(ids)).group_by(StockLevel.location_id, StockLevel.sku_id)):
        balance[(location_id, sku_id)] = int(on_hand or 0)
    moves = rows.execute(
        select(StockMove.from_location_id, StockMove.to_location_id, StockMove.sku_id, sql.raw(StockMove.quantity),
               StockMove.created_at)
        # every reason named, so the (reason, time) index reads just the period's moves
        .where(StockMove.reason.in_([r.value for r in Reason]),
               StockMove.created_at >= period.start, StockMove.created_at < now,
               StockMove.from_location_id.in_(ids) | StockMove.to_location_id.in_(ids))
        .order_by(StockMove.created_at, StockMove.id)).all()
    for source, target, sku_id, qty, _at in moves:  # back to the period's start
        if source in store_of:
            balance[(source, sku_id)] += qty
        if target in store_of:
            balance[(target, sku_id)] -= qty
    out_since: dict[tuple[int, int], datetime] = {}
    found = []
    for source, target, sku_id, qty, at in moves:
        for location, change in ((source, -qty), (target, qty)):
            if location not in store_of:
                continue
            key = (location, sku_id)
            before = balance[key]
            balance[key] = after = before + change
            if before > 0 >= after:
                out_since[key] = at
            elif before <= 0 < after and key in out_since:
                found.append(Stockout(store_of[location], sku_id, out_since.pop(key), at))
    found += [Stockout(store_of[location], sku_id, began, None) for (location, sku_id), began in out_since.items()]
    return sorted(found, key=lambda s: (s.ended is not None, s.began))


def stockout_duration(store_ids, period: Period, now: datetime | None = None) -> tuple[Kpi, list[Stockout]]:
    now = now or utcnow()
    found = stockouts(store_ids, period, now)
    hours = [s.hours(now) for s in found]
    median = Decimal(statistics.median(hours)).quantize(TENTH, rounding=ROUND_HALF_UP) if hours else None
    still_out = sum(1 for s in found if s.ended is None)
    return Kpi("stockout", _l("Median stockout duration"), median, "h",
               _l("%(times)s stockouts, %(open)s still out", times=len(found), open=still_out),
               _l("Per store and SKU, from the stock move that took the shelf's on hand to zero to the next one "
                  "that put it above zero (a SKU still out counts until now); the median over every stockout "
                  "that began in the period.")), found


# ---------------------------------------------------------------- turnover, margin, returns

def _stores(store_ids) -> list[Store | None]:
    """The reports take one store or the chain; several stores are read one by one and added up."""
    if store_ids is None:
        return [None]
    return [db.session.get(Store, store_id) for store_id in store_ids]


def turnover_days(store_ids, period: Period) -> Kpi:
    value = cogs = Decimal("0")
    for store in _stores(store_ids):
        for row in turnover_queries.category_rows(
                db.session.execute(turnover_queries.by_category(store, period)), period):
            value += row.on_hand_value
            cogs += row.cost_of_sales
    days = (value * period.days / cogs).quantize(TENTH, rounding=ROUND_HALF_UP) if cogs > 0 else None
    return Kpi("turnover", _l("Stock turnover days"), days, "d", f"¥{value} ÷ (¥{cogs} ÷ {period.days})",
               _l("Stock on the shelves at average cost ÷ cost of goods sold per day in the period (goods that "
                  "left the shelves for customers, less returns put back)."))


def previous(period: Period) -> Period:
    """The period of the same length just before this one."""
    length = period.end - period.start
    return Period(period.days, period.start - length, period.start, period.first_day - timedelta(days=period.days),
                  period.first_day - timedelta(days=1), period.offset)


def margin_rate(store_ids, period: Period) -> tuple[Decimal, Decimal, Decimal | None]:
    """Sales (less returns), gross margin and margin % of the period, from the lines' kept costs
    (the reports' margin per store, added up)."""
    amount = cost = Decimal("0.00")
    for store in _stores(store_ids):
        for row in store_margins(store, period):
            amount += row.sales_value
            cost += row.cost
    margin = amount - cost
    return amount, margin, percent(margin, amount) if amount > 0 else None


def margin_change(store_ids, period: Period) -> Kpi:
    _now_sales, _now_margin, now_rate = margin_rate(store_ids, period)
    _before_sales, _before_margin, before_rate = margin_rate(store_ids, previous(period))
    change = now_rate - before_rate if now_rate is not None and before_rate is not None else None
    shown = lambda rate: "—" if rate is None else f"{rate}%"  # noqa: E731
    return Kpi("margin", _l("Gross margin change"), change, "pt", f"{shown(now_rate)} ← {shown(before_rate)}",
               _l("Gross margin percentage of this period minus that of the period of the same length before it, in "
                  "percentage points; margin = sales after discounts less returns − the cost kept on each line."))


@dataclass(frozen=True)
class ReturnedOrder:
    order_id: int
    store_id: int
    number: str
    completed_at: datetime
    total: Decimal
    returned: Decimal


def _sales_in(store_ids, period: Period):
    query = select(Order.id).where(Order.kind == OrderKind.SALE.value, Order.status == OrderStatus.COMPLETED.value,
                                   Order.completed_at >= period.start, Order.completed_at < period.end)
    return query.where(Order.store_id.in_(store_ids)) if store_ids is not None else query


def returned_orders(store_ids, period: Period) -> list[ReturnedOrder]:
    """The period's completed sales that have had a completed return (so far)."""
    Return = aliased(Order)  # noqa: N806
    query = (select(Order.id, Order.store_id, Order.number, Order.completed_at, Order.total,
                    func.sum(sql.raw(Return.total)))
             .join(Return, and_(Return.original_order_id == Order.id, Return.kind == OrderKind.RETURN.value,
                                Return.status == OrderStatus.COMPLETED.value))
             .where(Order.id.in_(_sales_in(store_ids, period)))
             .group_by(Order.id, Order.store_id, Order.number, Order.completed_at, Order.total)
             .order_by(Order.completed_at.desc()))
    return [ReturnedOrder(*row[:5], sql.money(row[5])) for row in db.session.execute(query)]


def return_rate(store_ids, period: Period) -> Kpi:
    sold = db.session.scalar(select(func.count()).select_from(_sales_in(store_ids, period).subquery()))
    returned = len(returned_orders(store_ids, period))
    return Kpi("returns", _l("After-sales (return) rate"), percent(returned, sold), "%", f"{returned} / {sold}",
               _l("Sales completed in the period that have had a return (so far) ÷ sales completed in the period, "
                  "every channel."))


def all_kpis(store_ids, period: Period, now: datetime | None = None) -> list[Kpi]:
    now = now or utcnow()
    return [oversell_rate(store_ids, period), unshipped(store_ids, period, now)[0],
            pickup_not_ready(store_ids, period, now)[0], stockout_duration(store_ids, period, now)[0],
            turnover_days(store_ids, period), margin_change(store_ids, period), return_rate(store_ids, period)]


def sku_names(sku_ids) -> dict[int, str]:
    rows = db.session.execute(select(*sql.ITEM_COLUMNS).join(Product, Product.id == SKU.product_id)
                              .where(SKU.id.in_(set(sku_ids)))) if sku_ids else []
    return {row[0]: f"{row[1]} {sql.item(row).display_name}" for row in rows}
