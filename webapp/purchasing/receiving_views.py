"""Receiving on a phone: pick the purchase order (or none), scan, check, confirm once."""
import uuid

from flask import abort, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.guards import require_role
from webapp.auth.models import MANAGERS
from webapp.catalog.models import Supplier
from webapp.errors import DomainError, toast
from webapp.extensions import db
from webapp.purchasing import queries, receiving
from webapp.purchasing.blueprint import bp
from webapp.purchasing.errors import NoteConfirmed, NotOnOrder
from webapp.purchasing.forms import ReceivingLineForm, ScanForm, StartReceivingForm
from webapp.purchasing.labels import NOTE_STATUS, ORDER_STATUS
from webapp.purchasing.models import NoteStatus, PurchaseOrder, ReceivingLine, ReceivingNote
from webapp.stores.models import Store
from webapp.web import form_id, htmx_redirect, render

RECEIVERS = MANAGERS  # as the stock screens: store managers and franchisees; HQ too


def _note(store_id: int, note_id: int) -> ReceivingNote:
    note = db.get_or_404(ReceivingNote, note_id)
    if note.store_id != store_id:
        abort(404)
    return note


def _line(note: ReceivingNote, line_id: int) -> ReceivingLine:
    line = db.get_or_404(ReceivingLine, line_id)
    if line.note_id != note.id:
        abort(404)
    return line


def _start_form() -> StartReceivingForm:
    form = StartReceivingForm()
    form.supplier_id.choices = [(0, _("— no supplier —"))] + [(s.id, s.name) for s in queries.suppliers()]
    return form


@bp.get("/stock/stores/<int:store_id>/receiving")
@require_role(*RECEIVERS)
def receiving_home(store_id: int):
    store = db.get_or_404(Store, store_id)
    return render("purchasing/receiving.html", store=store, orders=queries.open_orders(store.id),
                  drafts=queries.notes(store.id, NoteStatus.DRAFT),
                  confirmed=queries.notes(store.id, NoteStatus.CONFIRMED), form=_start_form(),
                  statuses=ORDER_STATUS, key=uuid.uuid4().hex)


@bp.post("/stock/stores/<int:store_id>/receiving")
@require_role(*RECEIVERS)
def start_receiving(store_id: int):
    store = db.get_or_404(Store, store_id)
    order = supplier = None
    if form_id("order_id"):
        order = db.get_or_404(PurchaseOrder, form_id("order_id"))
        if order.store_id != store.id:
            abort(404)
    elif form_id("supplier_id"):
        supplier = db.get_or_404(Supplier, form_id("supplier_id"))
    note = receiving.start(store, user=current_user, order=order, supplier=supplier,
                           key=request.form.get("key"))
    db.session.commit()
    return htmx_redirect(url_for("purchasing.note", store_id=store.id, note_id=note.id))


@bp.get("/stock/stores/<int:store_id>/receiving/<int:note_id>")
@require_role(*RECEIVERS)
def note(store_id: int, note_id: int):
    note = _note(store_id, note_id)
    return render("purchasing/note.html", **_panel(note))


def _panel(note: ReceivingNote, **extra) -> dict:
    return {"note": note, "rows": queries.note_rows(note), "scan_form": ScanForm(formdata=None),
            "statuses": NOTE_STATUS, "order_statuses": ORDER_STATUS, "prompt": None, **extra}


def _panel_response(note: ReceivingNote, status: int = 200, **extra):
    return make_response(render_template("purchasing/_note_panel.html", **_panel(note, **extra)), status)


@bp.post("/stock/stores/<int:store_id>/receiving/<int:note_id>/scan")
@require_role(*RECEIVERS)
def scan(store_id: int, note_id: int):
    note = _note(store_id, note_id)
    form = ScanForm()
    if not form.validate_on_submit():
        return toast(_("Scan or type a barcode."))
    try:
        line = receiving.scan(note, form.code.data, as_pack=form.pack.data, add_anyway=form.add_anyway.data)
    except NotOnOrder as e:
        db.session.rollback()
        return _panel_response(note, 409, prompt={"message": str(e), "code": form.code.data, "pack": form.pack.data})
    except DomainError as e:
        db.session.rollback()
        return toast(str(e))
    db.session.commit()
    return _panel_response(note, last_line_id=line.id)


@bp.post("/stock/stores/<int:store_id>/receiving/<int:note_id>/lines/<int:line_id>")
@require_role(*RECEIVERS)
def update_line(store_id: int, note_id: int, line_id: int):
    note = _note(store_id, note_id)
    line = _line(note, line_id)
    form = ReceivingLineForm()
    if not form.validate_on_submit():
        return toast(" ".join(e for errors in form.errors.values() for e in errors))
    receiving.set_line(line, qty=form.quantity.data, unit_cost=form.unit_cost.data,
                       lot_code=form.lot_code.data, expiry=form.expiry.data)
    db.session.commit()
    return _panel_response(note)


@bp.post("/stock/stores/<int:store_id>/receiving/<int:note_id>/lines/<int:line_id>/new-lot")
@require_role(*RECEIVERS)
def new_lot(store_id: int, note_id: int, line_id: int):
    note = _note(store_id, note_id)
    return _line_action(note, receiving.new_lot, _line(note, line_id))


@bp.post("/stock/stores/<int:store_id>/receiving/<int:note_id>/lines/<int:line_id>/delete")
@require_role(*RECEIVERS)
def remove_line(store_id: int, note_id: int, line_id: int):
    note = _note(store_id, note_id)
    return _line_action(note, receiving.remove_line, _line(note, line_id))


def _line_action(note, action, line):
    action(line)
    db.session.commit()
    db.session.refresh(note)
    return _panel_response(note)


@bp.post("/stock/stores/<int:store_id>/receiving/<int:note_id>/confirm")
@require_role(*RECEIVERS)
def confirm(store_id: int, note_id: int):
    note = _note(store_id, note_id)
    try:
        receiving.confirm(note, user=current_user)
    except NoteConfirmed as e:  # a second tap, or another phone: received once, show the note
        db.session.rollback()
        flash(str(e), "success")
        return htmx_redirect(url_for("purchasing.note", store_id=store_id, note_id=note_id))
    except DomainError as e:
        db.session.rollback()
        return toast(str(e), 409)
    db.session.commit()
    flash(_("Receiving note %(number)s confirmed: the goods are in stock.", number=note.number), "success")
    return htmx_redirect(url_for("purchasing.note", store_id=store_id, note_id=note_id))


@bp.post("/stock/stores/<int:store_id>/receiving/<int:note_id>/discard")
@require_role(*RECEIVERS)
def discard(store_id: int, note_id: int):
    note = _note(store_id, note_id)
    receiving.discard(note)
    db.session.commit()
    flash(_("The draft was thrown away; nothing was received."), "success")
    return htmx_redirect(url_for("purchasing.receiving_home", store_id=store_id))
