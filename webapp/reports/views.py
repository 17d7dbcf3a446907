"""Reports for store managers (their stores) and HQ (any store or the whole chain).

Every report is one view function at two addresses: ``/manage/reports/stores/<id>/…``
(endpoint ``reports.<name>``; the role guard's store scope refuses other stores)
and ``/manage/reports/chain/…`` (endpoint ``reports.chain_<name>``, store None;
HQ only). ``?days=`` picks the period, ``?by=``/``?sort=`` the grouping or order,
``?format=csv`` downloads the same table; everything works without JavaScript.
"""
import re
from dataclasses import dataclass
from datetime import date

from flask import abort, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.auth.guards import require_role
from webapp.auth.models import MANAGERS, Role
from webapp.extensions import db
from webapp.paging import paginate
from webapp.replica import reads_from_replica
from webapp.reports import builders, losses, sellers, stores
from webapp.reports import models as _indexes  # noqa: F401  (the reports' indexes, in the metadata)
from webapp.reports import turnover as turnover_queries
from webapp.reports.blueprint import bp
from webapp.reports.periods import DAY_CHOICES, Bucket, Period
from webapp.reports.tables import Kind, Table, csv_file, tenths, week_end
from webapp.stores.models import Store
from webapp.stores.queries import all_stores
from webapp.web import LARGEST_ID, int_arg, render

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Report:
    endpoint: str
    title: object
    summary: object
    groups: tuple[tuple[str, object], ...] = ()  # the ?by= choices, the first the default
    sorts: tuple[tuple[str, object], ...] = ()  # the ?sort= choices


REPORTS = [
    Report("hot_sellers", _l("Hot sellers"), _l("What sold most: quantity, sales and gross margin per SKU"),
           sorts=((sellers.Sort.QUANTITY.value, _l("By quantity")), (sellers.Sort.VALUE.value, _l("By sales")),
                  (sellers.Sort.MARGIN.value, _l("By margin")))),
    Report("store_margins", _l("Margin per store"), _l("Each store's sales, cost of sales and gross margin, side by side")),
    Report("slow_sellers", _l("Slow sellers"), _l("Stocked SKUs that sold least or nothing, with the money on the shelf")),
    Report("turnover", _l("Stock turnover"), _l("How many days the stock lasts at the period's pace of sales"),
           groups=(("sku", _l("By SKU")), ("category", _l("By category")))),
    Report("write_offs", _l("Write-offs"), _l("Goods written off, per week, month or category, at cost"),
           groups=((Bucket.WEEK.value, _l("By week")), (Bucket.MONTH.value, _l("By month")),
                   ("category", _l("By category")))),
    Report("count_variances", _l("Count variances"), _l("Gains and losses found by counts, per week or month"),
           groups=((Bucket.WEEK.value, _l("By week")), (Bucket.MONTH.value, _l("By month")),
                   ("category", _l("By category")))),
]
BY_ENDPOINT = {report.endpoint: report for report in REPORTS}


def report_route(path: str):
    """Register a report view twice: for one store (store-scope guard) and for the chain (HQ only).
    Both read from the replica when one is configured (webapp/replica.py)."""
    def decorator(view):
        def chain_view(**kwargs):
            return view(None, **kwargs)

        chain_view.__name__ = f"chain_{view.__name__}"
        bp.add_url_rule(f"/stores/<int:store_id>/{path}", view.__name__,
                        require_role(*MANAGERS)(reads_from_replica(view)))
        bp.add_url_rule(f"/chain/{path}", chain_view.__name__,
                        require_role(Role.HQ_ADMIN)(reads_from_replica(chain_view)))
        return view

    return decorator


def endpoint_of(name: str, store: Store | None) -> str:
    """The endpoint of a report (or "index") for one store or for the chain."""
    return f"reports.{name}" if store is not None else f"reports.chain_{name}"


def scope_args(store: Store | None) -> dict:
    return {"store_id": store.id} if store is not None else {}


@bp.get("/")
@require_role(*MANAGERS)
def choose():
    """The pickers' target: ?store=<id|chain>&report=…&days=… goes to that report (or scope's index)."""
    stores = _stores_for_picker()
    chosen = request.args.get("store", "")
    if chosen == "chain" or (not chosen and current_user.is_hq):
        store_id = None
    elif chosen.isdigit() and len(chosen) <= 10 and int(chosen) <= LARGEST_ID:
        store_id = int(chosen)
    elif stores:
        store_id = stores[0].id
    else:  # store staff always belong to a store (the user services insist); nothing to read otherwise
        abort(403)
    report = request.args.get("report", "")
    name = report if report in BY_ENDPOINT else "index"
    keep = {k: v for k, v in request.args.items() if k in ("days", "by", "sort", "from", "to")}
    if store_id is None:
        return redirect(url_for(f"reports.chain_{name}", **keep))
    return redirect(url_for(f"reports.{name}", store_id=store_id, **keep))


@report_route("")
def index(store_id: int | None):
    store, period = _scope(store_id), _period()
    return render("reports/index.html", store=store, period=period, reports=REPORTS, report=None, choices={},
                  **_context(store, "index", period))


@report_route("hot-sellers")
def hot_sellers(store_id: int | None):
    store, period = _scope(store_id), _period()
    sort = _choice("sort", BY_ENDPOINT["hot_sellers"].sorts)
    return _paged("hot_sellers", store, period, sellers.hot_sellers(store, period, sort),
                  lambda result: builders.hot_sellers(sellers.rows(result)), sort=sort)


@report_route("store-margins")
def store_margins(store_id: int | None):
    store, period = _scope(store_id), _period()
    return _respond("store_margins", store, period, builders.store_margins(stores.store_margins(store, period)))


@report_route("slow-sellers")
def slow_sellers(store_id: int | None):
    store, period = _scope(store_id), _period()
    return _paged("slow_sellers", store, period, sellers.slow_sellers(store, period),
                  lambda result: builders.slow_sellers(sellers.rows(result)))


@report_route("turnover")
def turnover(store_id: int | None):
    store, period = _scope(store_id), _period()
    by = _choice("by", BY_ENDPOINT["turnover"].groups)
    if by == "category":
        query = turnover_queries.by_category(store, period)
        rows = turnover_queries.category_rows(db.session.execute(query), period)
        return _respond("turnover", store, period, builders.turnover_by_category(rows), by=by)
    return _paged("turnover", store, period, turnover_queries.by_sku(store, period),
                  lambda result: builders.turnover_by_sku(turnover_queries.sku_rows(result, period)), by=by)


@report_route("write-offs")
def write_offs(store_id: int | None):
    store, period = _scope(store_id), _period()
    by = _choice("by", BY_ENDPOINT["write_offs"].groups)
    return _respond("write_offs", store, period, builders.write_offs(losses.write_offs(store, period, by), by), by=by)


@report_route("count-variances")
def count_variances(store_id: int | None):
    store, period = _scope(store_id), _period()
    by = _choice("by", BY_ENDPOINT["count_variances"].groups)
    table = builders.count_variances(losses.count_variances(store, period, by), by)
    return _respond("count_variances", store, period, table, by=by)


def _paged(name, store, period, query, build, **choices):
    """A per-SKU report: one page of rows on screen, every row in the CSV."""
    if request.args.get("format") == "csv":
        return _respond(name, store, period, build(db.session.execute(query)), **choices)
    page = paginate(query, int_arg("page", 1), current_app.config["PAGE_SIZE"], scalars=False)
    return _respond(name, store, period, build(page.items), page=page, **choices)


def _respond(name: str, store: Store | None, period: Period, table: Table, page=None, **choices):
    report = BY_ENDPOINT[name]
    if request.args.get("format") == "csv":
        return csv_file(_filename(name, store, period), table)
    return render("reports/report.html", report=report, store=store, period=period, table=table, page=page,
                  choices=choices, Kind=Kind, zip=zip, week_end=week_end, tenths=tenths,
                  **_context(store, name, period))


def _context(store: Store | None, name: str, period: Period) -> dict:
    """What the pickers and links need: this page's endpoint, the scope's URL arguments (and a chosen
    date range, so every link keeps it), the choices."""
    return {"here": endpoint_of(name, store), "scope": {**scope_args(store), **range_args(period)},
            "endpoint_of": endpoint_of, "stores": _stores_for_picker(), "days_choices": DAY_CHOICES}


def _scope(store_id: int | None) -> Store | None:
    return db.get_or_404(Store, store_id) if store_id is not None else None


LONGEST_RANGE = 3 * 366  # days a ?from=&to= period may cover


def _period() -> Period:
    """?from=&to= (two local dates, both included), else ?days= (the last N days)."""
    first, last = _date_arg("from"), _date_arg("to")
    if first and last and first <= last and (last - first).days < LONGEST_RANGE:
        return Period.between(first, last)
    days = request.args.get("days", type=int)
    return Period.last_days(days if days in DAY_CHOICES else DEFAULT_DAYS)


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "")
    try:
        found = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None
    return found if found and 2000 <= found.year <= 2100 else None


def range_args(period: Period) -> dict:
    """The URL arguments that keep a chosen date range on the next page (none for "the last N days")."""
    return {"from": period.first_day.isoformat(), "to": period.last_day.isoformat()} if period.custom else {}


def _choice(name: str, choices) -> str:
    value = request.args.get(name, "")
    return value if value in dict(choices) else choices[0][0]


def _stores_for_picker() -> list[Store]:
    return all_stores() if current_user.is_hq else list(current_user.stores)


def _filename(name: str, store: Store | None, period: Period) -> str:
    scope = re.sub(r"[^A-Za-z0-9_-]", "", store.code) or str(store.id) if store else "chain"
    if period.custom:
        return f"{name.replace('_', '-')}-{scope}-{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}.csv"
    return f"{name.replace('_', '-')}-{scope}-{period.days}d-{period.last_day:%Y%m%d}.csv"
