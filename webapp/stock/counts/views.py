"""Count screens: start a count, count on a phone, the variance report, approval."""
from flask import abort, flash, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.guards import STAFF, require_role
from webapp.auth.models import MANAGERS
from webapp.catalog.models import Category
from webapp.catalog.queries import categories
from webapp.csvfile import csv_response
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.i18n import format_quantity
from webapp.stock.counts import queries, services
from webapp.stock.counts.blueprint import bp
from webapp.stock.counts.forms import ApproveForm, EntryForm, StartCountForm
from webapp.stock.counts.models import CountEntry, Scope, StockCount
from webapp.stores.models import Store
from webapp.web import htmx_redirect, render

REPORT_ROWS = 300  # matching and uncounted SKUs shown on the page; the CSV has every line


@bp.get("/")
@require_role(*STAFF)
def index(store_id: int):
    store = db.get_or_404(Store, store_id)
    return render("stock/counts/index.html", store=store, counts=queries.counts_of(store),
                  form=_start_form(), scope_label=queries.scope_label)


@bp.post("/")
@require_role(*MANAGERS)
def start(store_id: int):
    store = db.get_or_404(Store, store_id)
    form = _start_form()
    if form.validate_on_submit():
        category = db.session.get(Category, form.category_id.data) if form.category_id.data else None
        try:
            count = services.start_count(store, user=current_user, scope=Scope(form.scope.data),
                                         category=category, blind=form.blind.data)
        except DomainError as e:
            db.session.rollback()
            form.category_id.errors.append(str(e))
        else:
            db.session.commit()
            return htmx_redirect(url_for("counts.count", store_id=store.id, count_id=count.id))
    return render("stock/counts/index.html", store=store, counts=queries.counts_of(store), form=form,
                  scope_label=queries.scope_label, status=422)


@bp.get("/<int:count_id>")
@require_role(*STAFF)
def count(store_id: int, count_id: int):
    stock_count = _count(store_id, count_id)
    return _counting(stock_count, EntryForm())


@bp.post("/<int:count_id>/entries")
@require_role(*STAFF)
def record(store_id: int, count_id: int):
    stock_count = _count(store_id, count_id)
    form = EntryForm()
    if not form.validate_on_submit():
        return _counting(stock_count, form, status=422)
    try:
        entry = services.record(stock_count, form.code.data, form.quantity.data or None, user=current_user,
                                place=form.place.data, lot_code=form.lot_code.data)
    except DomainError as e:
        db.session.rollback()
        form.code.errors.append(str(e))
        return _counting(stock_count, form, status=409 if isinstance(e, services.CountClosed) else 422)
    db.session.commit()
    counted = _("Counted %(quantity)s × %(name)s.", quantity=format_quantity(entry.quantity), name=entry.sku.display_name)
    return _counting(stock_count, EntryForm(formdata=None, place=form.place.data), counted=counted)


@bp.post("/<int:count_id>/entries/<int:entry_id>/remove")
@require_role(*STAFF)
def remove(store_id: int, count_id: int, entry_id: int):
    stock_count = _count(store_id, count_id)
    entry = db.get_or_404(CountEntry, entry_id)
    try:
        services.remove_entry(stock_count, entry, user=current_user)
    except DomainError as e:
        db.session.rollback()
        form = EntryForm(formdata=None)
        form.code.errors = [str(e)]
        return _counting(stock_count, form, status=409)
    db.session.commit()
    return _counting(stock_count, EntryForm(formdata=None))


@bp.get("/<int:count_id>/report")
@require_role(*MANAGERS)
def report(store_id: int, count_id: int):
    return _report(_count(store_id, count_id), ApproveForm())


@bp.get("/<int:count_id>/report.csv")
@require_role(*MANAGERS)
def report_csv(store_id: int, count_id: int):
    stock_count = _count(store_id, count_id)
    lines, uncounted = queries.report(stock_count)
    header = [_("SKU code"), _("Product"), _("Lot"), _("System"), _("Counted"), _("Difference"),
              _("Average cost"), _("Value"), _("Not counted")]
    rows = [[v.sku.code, v.sku.display_name, v.lot.code if v.lot else "", v.expected, v.counted, v.difference,
             v.unit_cost, v.value, _("yes") if v.uncounted else ""] for v in lines + uncounted]
    return csv_response(f"count-{stock_count.number}.csv", header, rows)


@bp.get("/<int:count_id>/entries.csv")
@require_role(*MANAGERS)
def entries_csv(store_id: int, count_id: int):
    stock_count = _count(store_id, count_id)
    header = [_("Time"), _("By"), _("Where"), _("SKU code"), _("Product"), _("Lot"), _("Counted"), _("System")]
    rows = [[format_datetime(e.created_at, "yyyy-MM-dd HH:mm:ss"), e.user.name if e.user else "",
             e.place, e.sku.code, e.sku.display_name, e.lot.code if e.lot else "", e.quantity, e.expected]
            for e in queries.all_entries(stock_count)]
    return csv_response(f"count-{stock_count.number}-entries.csv", header, rows)


@bp.post("/<int:count_id>/approve")
@require_role(*MANAGERS)
def approve(store_id: int, count_id: int):
    stock_count = _count(store_id, count_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _report(stock_count, form, status=422)
    try:
        services.approve(stock_count, user=current_user, zero_uncounted=form.zero_uncounted.data)
    except DomainError as e:
        db.session.rollback()
        flash(str(e), "error")
        return _report(db.session.get(StockCount, count_id), form, status=409)
    db.session.commit()
    flash(_("Count approved: the stock now matches what was counted."), "success")
    return htmx_redirect(url_for("counts.report", store_id=store_id, count_id=count_id))


def _count(store_id: int, count_id: int) -> StockCount:
    stock_count = queries.count_in(store_id, count_id)
    if stock_count is None:
        abort(404)
    return stock_count




def _start_form() -> StartCountForm:
    form = StartCountForm()
    form.category_id.choices = [(0, "—")] + [(c.id, c.path) for c in categories()]
    return form


def _counting(stock_count: StockCount, form: EntryForm, status: int = 200, counted: str | None = None):
    entries, people = queries.progress(stock_count)
    return render("stock/counts/count.html", "stock/counts/_counting.html", status=status,
                  count=stock_count, store=stock_count.store, form=form, counted=counted,
                  mine=queries.my_entries(stock_count, current_user), entries=entries, people=people,
                  scope=queries.scope_label(stock_count))


def _report(stock_count: StockCount, form: ApproveForm, status: int = 200):
    lines, uncounted = queries.report(stock_count)
    return render("stock/counts/report.html", status=status, count=stock_count, store=stock_count.store,
                  form=form, lines=lines, uncounted=uncounted,
                  totals=queries.totals(lines if stock_count.is_open else lines + uncounted),
                  scope=queries.scope_label(stock_count), changed=[v for v in lines if v.difference], limit=REPORT_ROWS)
