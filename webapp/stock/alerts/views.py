"""A store's stock alerts: the list, filterable by kind, and the badge in the stock screens' tabs."""
from flask import request
from flask_login import current_user

from webapp.auth.guards import STAFF, require_role
from webapp.auth.models import MANAGERS
from webapp.extensions import db
from webapp.stock.alerts import queries
from webapp.stock.alerts.blueprint import bp
from webapp.stock.alerts.labels import KIND_LABELS
from webapp.stores.models import Store
from webapp.web import render

SHOWN = 100  # stock alerts listed at once, most urgent first; the filters narrow the rest



@bp.get("")
@require_role(*STAFF)
def index(store_id: int):
    store = db.get_or_404(Store, store_id)
    kind = request.args.get("kind")
    kind = queries.Kind(kind) if kind in queries.Kind.__members__.values() else None
    counts = queries.counts(store)
    total = sum(counts.values())
    alerts = queries.alerts(store, kind, limit=SHOWN)
    return render("stock/alerts/index.html", "stock/alerts/_list.html", store=store, kind=kind, counts=counts,
                  total=total, alerts=alerts, more=(counts.get(kind, 0) if kind else total) - len(alerts),
                  kind_labels=KIND_LABELS, is_manager=current_user.role in MANAGERS or current_user.is_hq)


@bp.get("/badge")
@require_role(*STAFF)
def badge(store_id: int):
    """The number on the Alerts tab, fetched by the tab after the page has loaded."""
    store = db.get_or_404(Store, store_id)
    return render("stock/alerts/_badge.html", alert_count=queries.badge(store))
