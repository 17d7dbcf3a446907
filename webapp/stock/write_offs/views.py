"""Write-off screens: scan lines into a draft, post with a reason and a photo, the report."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, request, send_file, url_for
from flask_babel import format_datetime, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.guards import require_role
from webapp.auth.models import MANAGERS
from webapp.clock import day_start
from webapp.csvfile import csv_response
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.stock.errors import InsufficientStock
from webapp.stock.write_offs import photos, queries, services
from webapp.stock.write_offs.blueprint import bp
from webapp.stock.write_offs.forms import REASON_LABELS, LineForm, PostForm, ReportForm
from webapp.stock.write_offs.models import WriteOff, WriteOffLine
from webapp.stores.models import Store
from webapp.web import htmx_redirect, render


@bp.get("/")
@require_role(*MANAGERS)
def index(store_id: int):
    store = db.get_or_404(Store, store_id)
    form, lines = _report(store)
    return render("stock/write_offs/index.html", store=store, form=form, lines=lines,
                  totals=queries.by_reason(lines), drafts=queries.drafts(store, current_user),
                  reasons=REASON_LABELS, total=sum(li.value for li in lines))


@bp.get("/report.csv")
@require_role(*MANAGERS)
def report_csv(store_id: int):
    store = db.get_or_404(Store, store_id)
    _form, lines = _report(store)
    header = [_("Posted"), _("Write-off"), _("Reason"), _("SKU code"), _("Product"), _("Lot"), _("Quantity"),
              _("Average cost"), _("Value"), _("Note"), _("By")]
    rows = [[_local(li.write_off.posted_at), li.write_off.number, REASON_LABELS[li.write_off.reason], li.sku.code,
             li.sku.display_name, li.lot.code if li.lot else "", li.quantity, li.unit_cost, li.value,
             li.write_off.note, _user(li.write_off.created_by)] for li in lines]
    return csv_response(f"write-offs-{store.code}.csv", header, rows)


@bp.post("/")
@require_role(*MANAGERS)
def start(store_id: int):
    store = db.get_or_404(Store, store_id)
    write_off = services.start(store, user=current_user)
    db.session.commit()
    return htmx_redirect(url_for("write_offs.draft", store_id=store.id, write_off_id=write_off.id))


@bp.get("/<int:write_off_id>")
@require_role(*MANAGERS)
def draft(store_id: int, write_off_id: int):
    return _draft(_write_off(store_id, write_off_id), LineForm(), PostForm())


@bp.post("/<int:write_off_id>/lines")
@require_role(*MANAGERS)
def add_line(store_id: int, write_off_id: int):
    write_off, form = _write_off(store_id, write_off_id), LineForm()
    if not form.validate_on_submit():
        return _draft(write_off, form, PostForm(formdata=None), status=422)
    try:
        services.add_line(write_off, form.code.data, form.quantity.data or None, lot_code=form.lot_code.data)
    except DomainError as e:
        db.session.rollback()
        form.code.errors.append(str(e))
        return _draft(db.session.get(WriteOff, write_off_id), form, PostForm(formdata=None), status=422)
    db.session.commit()
    return _draft(write_off, LineForm(formdata=None), PostForm(formdata=None))


@bp.post("/<int:write_off_id>/lines/<int:line_id>/remove")
@require_role(*MANAGERS)
def remove_line(store_id: int, write_off_id: int, line_id: int):
    write_off = _write_off(store_id, write_off_id)
    try:
        services.remove_line(write_off, db.get_or_404(WriteOffLine, line_id))
    except DomainError as e:
        db.session.rollback()
        form = LineForm(formdata=None)
        form.code.errors = [str(e)]
        return _draft(write_off, form, PostForm(formdata=None), status=409)
    db.session.commit()
    return _draft(write_off, LineForm(formdata=None), PostForm(formdata=None))


@bp.post("/<int:write_off_id>/post")
@require_role(*MANAGERS)
def post(store_id: int, write_off_id: int):
    write_off, form = _write_off(store_id, write_off_id), PostForm()
    if not form.validate_on_submit():
        return _draft(write_off, LineForm(formdata=None), form, status=422)
    limit = current_app.config.get("WRITE_OFF_PHOTO_MAX_BYTES", photos.LIMIT)
    photo = form.photo.data.read(limit + 1) if form.photo.data else None  # one byte more tells "too large"
    try:
        name = services.post(write_off, user=current_user, reason=form.reason.data, note=form.note.data,
                             photo=photo or None, photo_limit=limit)
        if name:
            photos.save(current_app, name, photo)
    except DomainError as e:
        db.session.rollback()
        if isinstance(e, services.WriteOffPosted):
            flash(str(e), "error")  # the page shows the posted write-off, without the form
        else:
            form.reason.errors.append(str(e))
        status = 409 if isinstance(e, (services.WriteOffPosted, InsufficientStock)) else 422
        return _draft(db.session.get(WriteOff, write_off_id), LineForm(formdata=None), form, status=status)
    db.session.commit()
    flash(_("Written off: %(number)s.", number=write_off.number), "success")
    return htmx_redirect(url_for("write_offs.index", store_id=store_id))


@bp.get("/<int:write_off_id>/photo")
@require_role(*MANAGERS)
def photo(store_id: int, write_off_id: int):
    write_off = _write_off(store_id, write_off_id)
    if not write_off.photo:
        abort(404)
    return send_file(photos.path(current_app, write_off.photo),
                     mimetype=photos.MIMETYPES[write_off.photo.rsplit(".", 1)[-1]])


def _write_off(store_id: int, write_off_id: int) -> WriteOff:
    write_off = queries.write_off_in(store_id, write_off_id)
    if write_off is None:
        abort(404)
    return write_off


def _draft(write_off: WriteOff, line_form: LineForm, post_form: PostForm, status: int = 200):
    return render("stock/write_offs/draft.html", "stock/write_offs/_lines.html", status=status,
                  write_off=write_off, store=write_off.store, form=line_form, post_form=post_form,
                  reasons=REASON_LABELS, total=sum(li.value for li in write_off.lines))


def _report(store: Store):
    form = ReportForm(request.args)
    form.validate()
    zone = ZoneInfo(str(get_timezone()))
    start = day_start(form.date_from.data, zone) if form.date_from.data and not form.date_from.errors else None
    end = day_start(form.date_to.data + timedelta(days=1), zone) \
        if form.date_to.data and not form.date_to.errors else None
    return form, queries.posted_lines(store, start, end, form.reason.data or None)


def _local(moment: datetime) -> str:
    return format_datetime(moment, "yyyy-MM-dd HH:mm")


def _user(user) -> str:
    return user.name if user else ""
