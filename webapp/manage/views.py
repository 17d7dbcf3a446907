"""The manager's dashboard: today at a glance (refreshing itself), the KPIs with their drill-downs,
the alerts with their actions. Store managers and franchisees read their stores, HQ any store or
the whole chain (``?store=<id>|all``, see scope.py). Every page works without JavaScript; htmx only
refreshes the day's figures and loads the slower sections after the first paint.
"""
import uuid
from datetime import timedelta

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from webapp.auth.guards import require_role
from webapp.auth.models import MANAGERS
from webapp.catalog.models import SKU
from webapp.clock import local_time
from webapp.extensions import db
from webapp.manage import alerts as alert_queries
from webapp.manage import charts, kpis, services
from webapp.manage.blueprint import bp
from webapp.manage.scope import Scope, current_scope, one_store
from webapp.manage.today import today
from webapp.replica import reads_from_replica
from webapp.reports import sellers
from webapp.reports.periods import Period
from webapp.sales.models import Order, OrderKind, OrderStatus
from webapp.sales.receipts import method_label
from webapp.stock.alerts.labels import KIND_LABELS
from webapp.stores.models import Store
from webapp.web import htmx_redirect, render

READERS = MANAGERS  # and HQ
REFRESH_SECONDS = 5
KPI_DAYS = (7, 30, 90)
CHANNELS = {"pos": _l("Till"), "shop": _l("Online shop"), "supply": _l("Store orders")}
ALERT_LABELS = {
    **{kind.value: label for kind, label in KIND_LABELS.items()},
    "late_order": _l("Online order waiting"), "cash_variance": _l("Cash variance at shift close"),
    "refunds": _l("Refunds and voids above normal"),
}


def _context(scope: Scope) -> dict:
    return {"scope": scope, "refresh_seconds": REFRESH_SECONDS, "stores_by_id": {s.id: s for s in scope.stores}}


@bp.get("/")
@require_role(*READERS)
@reads_from_replica
def index():
    """The page; an htmx poll of the same URL gets only the day's figures (templates/manage/_today.html)."""
    scope = current_scope()
    day = today(scope.store_ids)
    ranking = _ranking(scope, day) if scope.store is None and len(scope.stores) > 1 else []
    return render("manage/index.html", "manage/_today.html", day=day, ranking=ranking,
                  hours=charts.hour_bars(day.hours, day.local_at.hour),
                  channels=charts.share_bars(day.channels, lambda key: CHANNELS.get(key, key)),
                  payments=charts.share_bars(day.payments, method_label),
                  categories=charts.share_bars(day.categories, lambda key: key or _("No category")),
                  **_context(scope))


def _ranking(scope: Scope, day) -> list:
    """Every store in scope, the day's best first (a store without a sale today shows with zeros)."""
    from webapp.manage.today import Figures

    return sorted(((store, day.stores.get(store.id, Figures())) for store in scope.stores),
                  key=lambda pair: (-pair[1].sales, pair[0].code))


@bp.get("/slow-sellers")
@require_role(*READERS)
@reads_from_replica
def slow_sellers():
    """Loaded after the first paint: the stocked SKUs that sold least in the last 7 days."""
    scope = current_scope()
    store = one_store(scope)
    rows = []
    if store is not None or scope.chain:
        period = Period.last_days(7)
        rows = sellers.rows(db.session.execute(sellers.slow_sellers(store, period).limit(5)))
    return render("manage/_slow_sellers.html", rows=rows, store=store, **_context(scope))


@bp.get("/alerts")
@require_role(*READERS)
@reads_from_replica
def alerts():
    """The full list as a page; the dashboard loads its first few as a fragment."""
    scope = current_scope()
    stores = [scope.store] if scope.store is not None else scope.stores
    found = alert_queries.alerts(stores, with_stock=not scope.chain)
    shown = found if not request.args.get("short") else found[:alert_queries.SHOWN]
    return render("manage/alerts.html", "manage/_alerts.html", alerts=shown, total=len(found),
                  labels=ALERT_LABELS, key=uuid.uuid4().hex, late_minutes=alert_queries.LATE_TO_PICK_MINUTES,
                  **_context(scope))


@bp.post("/stores/<int:store_id>/replenish/<int:sku_id>")
@require_role(*READERS)
def replenish(store_id: int, sku_id: int):
    """An out-of-stock or low alert's action: a draft purchase order from the replenishment suggestions."""
    store, sku = db.get_or_404(Store, store_id), db.get_or_404(SKU, sku_id)
    key = request.form.get("key", "")
    if len(key) > 40:
        abort(400)
    order = services.replenish(store, sku, user=current_user, key=key or None)
    db.session.commit()
    flash(_("Draft purchase order %(number)s made from the suggestions.", number=order.number), "success")
    return htmx_redirect(url_for("purchasing.order", store_id=store.id, order_id=order.id))


@bp.get("/refunds")
@require_role(*READERS)
@reads_from_replica
def refunds():
    """Today's returns and voided till sales: where the "refunds above normal" alert leads."""
    scope = current_scope()
    day = Period.last_days(1)
    returns = (Order.kind == OrderKind.RETURN.value) & (Order.status == OrderStatus.COMPLETED.value) & \
        (Order.completed_at >= day.start)
    voids = (Order.kind == OrderKind.SALE.value) & (Order.status == OrderStatus.VOIDED.value) & \
        (Order.channel == "pos") & (Order.created_at >= day.start)
    query = select(Order).where(returns | voids).order_by(Order.created_at.desc()).limit(500)
    if scope.store_ids is not None:
        query = query.where(Order.store_id.in_(scope.store_ids))
    return render("manage/refunds.html", orders=list(db.session.scalars(query)), local_time=local_time,
                  **_context(scope))


def _period() -> Period:
    days = request.args.get("days", type=int)
    return Period.last_days(days if days in KPI_DAYS else 30)


@bp.get("/kpis")
@require_role(*READERS)
@reads_from_replica
def kpi_list():
    scope, period = current_scope(), _period()
    return render("manage/kpis.html", kpis=kpis.all_kpis(scope.store_ids, period), period=period,
                  day_choices=KPI_DAYS, **_context(scope))


DRILLS = {"oversell", "unshipped", "pickup_late", "stockout", "returns"}


@bp.get("/kpis/<name>")
@require_role(*READERS)
@reads_from_replica
def kpi(name: str):
    """The orders or SKUs behind a KPI. Turnover and margin open the reports that already list them."""
    scope, period = current_scope(), _period()
    store = one_store(scope)
    if name in ("turnover", "margin") and (store is not None or scope.chain):
        endpoint = "turnover" if name == "turnover" else "hot_sellers"
        args = {"days": period.days if period.days in (7, 30, 90) else 30}
        if name == "margin":
            args["sort"] = "margin"
        if store is not None:
            return htmx_redirect(url_for(f"reports.{endpoint}", store_id=store.id, **args))
        return htmx_redirect(url_for(f"reports.chain_{endpoint}", **args))
    if name not in DRILLS:
        abort(404)
    store_ids = scope.store_ids
    context = {"name": name, "period": period, "local_time": local_time, "day_choices": KPI_DAYS}
    if name == "oversell":
        found = kpis.oversell_rate(store_ids, period)
        rows = kpis.oversold_lines(store_ids, period)
        context["names"] = kpis.sku_names([r.sku_id for r in rows])
    elif name == "unshipped":
        found, rows = kpis.unshipped(store_ids, period)
    elif name == "pickup_late":
        found, rows = kpis.pickup_not_ready(store_ids, period)
    elif name == "stockout":
        found, rows = kpis.stockout_duration(store_ids, period)
        context["names"] = kpis.sku_names([r.sku_id for r in rows])
        context["now"] = period.end
    else:
        found, rows = kpis.return_rate(store_ids, period), kpis.returned_orders(store_ids, period)
    return render("manage/kpi.html", kpi=found, rows=rows[:500], more=max(0, len(rows) - 500),
                  hours_since=lambda since: int((period.end - since) / timedelta(hours=1)),
                  **context, **_context(scope))
