"""Alerts that lead somewhere: a short list, most urgent first, each with the one action it calls for.

    negative stock         a till sold more than the books had          → count it
    online orders short    a till sale took units held for online orders → the fulfilment queue
    out of stock           nothing available on the shelf               → draft purchase order
    online order late      accepted (paid, or to pay at pickup) LATE_TO_PICK_MINUTES ago and not
                           picked yet                                    → open the order
    cash variance          a shift closed in the last day with counted − expected ≥ CASH_VARIANCE
                                                                          → its Z report
    refunds above normal   today's returns and voided till sales: more than twice the daily
                           average of the previous 28 days, and at least 3 → today's refunds
    below warning line     available under the store's warning line     → draft purchase order
    near expiry            a lot within its expiry window                → suggest a markdown
    overstock              more than N days of cover at recent sales      → the turnover report

Nothing is stored: an alert is there while its cause is. Stock alerts come from the stock room's
own alert queries, per store; the whole chain's list leaves them out (120 stores' shelves are read
per store, on the store's page).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.pos.models import Register, Shift, ShiftStatus
from webapp.reports.periods import Period
from webapp.sales.models import Order, OrderKind, OrderStatus
from webapp.sales.online.models import OnlineOrder, OnlineStatus
from webapp.stock.alerts import queries as stock_alerts
from webapp.stock.alerts.queries import Kind as StockKind
from webapp.stores.models import Store

LATE_TO_PICK_MINUTES = 30
CASH_VARIANCE = Decimal("5.00")
NORMAL_DAYS = 28
SHOWN = 8  # on the dashboard
STOCK_PER_STORE = 40  # stock alerts read per store, most urgent first

# Most urgent first.
ORDER = ["negative", "promised", "out", "late_order", "cash_variance", "refunds", "low", "near_expiry", "overstock"]


@dataclass
class Alert:
    kind: str
    store: Store
    stock: stock_alerts.Alert | None = None
    online: OnlineOrder | None = None
    shift: Shift | None = None
    refunds_today: int = 0
    refunds_normal: Decimal | None = None
    minutes: int = 0

    @property
    def rank(self) -> int:
        return ORDER.index(self.kind)


def alerts(stores: list[Store], *, with_stock: bool = True, now: datetime | None = None) -> list[Alert]:
    now = now or utcnow()
    found: list[Alert] = []
    by_id = {s.id: s for s in stores}
    if with_stock:
        for store in stores:
            found += [Alert(a.kind.value, store, stock=a)
                      for a in stock_alerts.alerts(store, limit=STOCK_PER_STORE)]
    found += _late_orders(by_id, now)
    found += _cash_variances(by_id, now)
    found += _refunds(by_id, now)
    return sorted(found, key=lambda a: (a.rank, -a.minutes, a.store.code))


def _late_orders(stores: dict[int, Store], now: datetime) -> list[Alert]:
    accepted = func.coalesce(OnlineOrder.paid_at, OnlineOrder.created_at)
    query = (select(OnlineOrder, accepted).join(Order, Order.id == OnlineOrder.order_id)
             .where(Order.store_id.in_(stores), OnlineOrder.status.in_((OnlineStatus.NEW.value, OnlineStatus.PICKING.value)),
                    OnlineOrder.paid_at.is_not(None) | OnlineOrder.pay_at_pickup.is_(True),
                    accepted <= now - timedelta(minutes=LATE_TO_PICK_MINUTES)))
    return [Alert("late_order", stores[online.order.store_id], online=online,
                  minutes=int((now - since).total_seconds() // 60))
            for online, since in db.session.execute(query)]


def _cash_variances(stores: dict[int, Store], now: datetime) -> list[Alert]:
    query = (select(Shift, Register.store_id).join(Register, Register.id == Shift.register_id)
             .where(Register.store_id.in_(stores), Shift.status == ShiftStatus.CLOSED.value,
                    Shift.closed_at >= now - timedelta(days=1), Shift.variance.is_not(None)))
    return [Alert("cash_variance", stores[store_id], shift=shift)
            for shift, store_id in db.session.execute(query) if abs(shift.variance) >= CASH_VARIANCE]


def refunds_and_voids(store_ids: list[int], start: datetime, end: datetime) -> dict[int, int]:
    """Per store: completed returns and voided till sales between two times (two reads, each by an index:
    returns by completion time, voids by store and status)."""
    returns = (select(Order.store_id, func.count())
               .where(Order.completed_at >= start, Order.completed_at < end, Order.kind == OrderKind.RETURN.value,
                      Order.status == OrderStatus.COMPLETED.value, Order.store_id.in_(store_ids))
               .group_by(Order.store_id))
    voids = (select(Order.store_id, func.count())
             .where(Order.store_id.in_(store_ids), Order.status == OrderStatus.VOIDED.value,
                    Order.kind == OrderKind.SALE.value, Order.channel == "pos",
                    Order.created_at >= start, Order.created_at < end)
             .group_by(Order.store_id))
    found: dict[int, int] = {}
    for query in (returns, voids):
        for store_id, count in db.session.execute(query):
            found[store_id] = found.get(store_id, 0) + count
    return found


def _refunds(stores: dict[int, Store], now: datetime) -> list[Alert]:
    day = Period.last_days(1, now)
    today = refunds_and_voids(list(stores), day.start, now)
    before = refunds_and_voids(list(stores), day.start - timedelta(days=NORMAL_DAYS), day.start)
    found = []
    for store_id, count in today.items():
        normal = Decimal(before.get(store_id, 0)) / NORMAL_DAYS
        if count >= 3 and count > 2 * normal:
            found.append(Alert("refunds", stores[store_id], refunds_today=count,
                               refunds_normal=normal.quantize(Decimal("0.1"))))
    return found


def shown_kinds() -> list[str]:
    return ORDER


__all__ = ["Alert", "alerts", "StockKind"]
