"""Transfer screens: a store's transfers, a draft being filled, sending, receiving by scanning, settling."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.auth.guards import STAFF, require_role
from webapp.auth.models import MANAGERS
from webapp.catalog.errors import UnknownCode
from webapp.catalog.scanning import find
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.stock.transfers import errors, queries, receiving, services
from webapp.stock.transfers.blueprint import bp
from webapp.stock.transfers.forms import (
    ChangeLineForm,
    CountForm,
    LineForm,
    NewTransferForm,
    ResolveForm,
    ScanForm,
)
from webapp.stock.transfers.models import RESOLUTIONS, DiscrepancyKind, Resolution, TransferLine
from webapp.stock.transfers.search import skus_matching
from webapp.stores.models import Store
from webapp.web import htmx_redirect, is_htmx, render

STATUS_LABELS = {"draft": _l("Draft"), "sent": _l("On its way"), "received": _l("Received at the store")}
KIND_LABELS = {DiscrepancyKind.SHORT: _l("Short"), DiscrepancyKind.DAMAGED: _l("Damaged"),
               DiscrepancyKind.OVER: _l("Over")}
RESOLUTION_LABELS = {
    Resolution.BACK_TO_SENDER: _l("Back to the sender's shelf"), Resolution.LOST: _l("Lost in transit: write off"),
    Resolution.WRITTEN_OFF: _l("Write off as damaged"), Resolution.KEPT: _l("Keep: the sender's stock gives them"),
    Resolution.RETURNED: _l("Hand back to the sender"),
}
LABELS = {"status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS, "resolution_labels": RESOLUTION_LABELS,
          "resolutions": RESOLUTIONS}


@bp.get("")
@require_role(*STAFF)
def index(store_id: int):
    store = db.get_or_404(Store, store_id)
    form = NewTransferForm()
    form.destination.choices = [(s.id, s.name) for s in queries.destinations_for(store)]
    return render("stock/transfers/index.html", store=store, form=form, on_its_way=queries.on_its_way_to(store),
                  to_settle=queries.to_settle(store), drafts=queries.drafts_from(store),
                  recent=queries.recent(store), **LABELS)


@bp.post("")
@require_role(*STAFF)
def create(store_id: int):
    store = db.get_or_404(Store, store_id)
    form = NewTransferForm()
    form.destination.choices = [(s.id, s.name) for s in queries.destinations_for(store)]
    if not form.validate_on_submit():
        flash(_("Choose the store the goods go to."), "error")
        return htmx_redirect(url_for(".index", store_id=store.id))
    transfer = services.create(store, db.session.get(Store, form.destination.data), user=current_user,
                               note=form.note.data or "")
    db.session.commit()
    return htmx_redirect(url_for(".detail", store_id=store.id, transfer_id=transfer.id))


@bp.get("/<int:transfer_id>")
@require_role(*STAFF)
def detail(store_id: int, transfer_id: int):
    return _show(store_id, transfer_id)


@bp.post("/<int:transfer_id>/lines")
@require_role(*STAFF)
def add_line(store_id: int, transfer_id: int):
    store, transfer = _transfer(store_id, transfer_id, sender=True)
    form = LineForm()
    if not form.validate_on_submit():
        return _show(store_id, transfer_id, line_form=form, status=422)
    sku = find(form.code.data)
    if sku is None:
        choices = skus_matching(store, form.code.data)
        if len(choices) != 1:
            if not choices:
                form.code.errors.append(_("Nothing in this store matches %(code)s.", code=form.code.data))
            return _show(store_id, transfer_id, line_form=form, choices=choices, status=422 if not choices else 200)
        sku = choices[0]
    return _act(store_id, transfer_id, lambda: services.add_line(
        transfer, sku, form.quantity.data, serial=form.serial.data), line_form=form)


@bp.post("/<int:transfer_id>/lines/<int:line_id>")
@require_role(*STAFF)
def change_line(store_id: int, transfer_id: int, line_id: int):
    store, transfer = _transfer(store_id, transfer_id, sender=True)
    line = _line(transfer, line_id)
    form = ChangeLineForm()
    if not form.validate_on_submit():
        return _show(store_id, transfer_id, error=_("Give a quantity of zero or more."), status=422)
    return _act(store_id, transfer_id, lambda: services.change_line(transfer, line, form.quantity.data))


@bp.post("/<int:transfer_id>/send")
@require_role(*STAFF)
def send(store_id: int, transfer_id: int):
    store, transfer = _transfer(store_id, transfer_id, sender=True)
    return _act(store_id, transfer_id, lambda: services.send(transfer, user=current_user),
                done=_("Sent: the goods are on their way to %(store)s.", store=transfer.destination.name))


@bp.post("/<int:transfer_id>/scan")
@require_role(*STAFF)
def scan(store_id: int, transfer_id: int):
    store, transfer = _transfer(store_id, transfer_id, receiver=True)
    form = ScanForm()
    if not form.validate_on_submit():
        return _show(store_id, transfer_id, error=_("Scan or type a barcode."), status=422)
    sku = find(form.code.data)
    if sku is None:
        return _show(store_id, transfer_id, error=str(UnknownCode(code=form.code.data[:48])),
                     status=409)
    return _act(store_id, transfer_id, lambda: receiving.scan(transfer, sku, damaged=bool(form.damaged.data)),
                scanned=sku)


@bp.post("/<int:transfer_id>/lines/<int:line_id>/count")
@require_role(*STAFF)
def count(store_id: int, transfer_id: int, line_id: int):
    store, transfer = _transfer(store_id, transfer_id, receiver=True)
    line = _line(transfer, line_id)
    form = CountForm()
    if not form.validate_on_submit():
        return _show(store_id, transfer_id, error=_("Give counts of zero or more."), status=422)
    return _act(store_id, transfer_id, lambda: receiving.count(transfer, line, form.received.data, form.damaged.data))


@bp.post("/<int:transfer_id>/receive")
@require_role(*STAFF)
def receive(store_id: int, transfer_id: int):
    store, transfer = _transfer(store_id, transfer_id, receiver=True)
    return _act(store_id, transfer_id, lambda: receiving.confirm_receipt(transfer, user=current_user),
                done=_("Received. Differences, if any, are listed for a manager to settle."))


@bp.post("/<int:transfer_id>/discrepancies/<int:discrepancy_id>")
@require_role(*MANAGERS)
def resolve(store_id: int, transfer_id: int, discrepancy_id: int):
    store, transfer = _transfer(store_id, transfer_id)
    discrepancy = next((d for d in transfer.discrepancies if d.id == discrepancy_id), None) or abort(404)
    form = ResolveForm()
    form.resolution.choices = [r.value for r in RESOLUTIONS[DiscrepancyKind(discrepancy.kind)]]
    if not form.validate_on_submit():
        return _show(store_id, transfer_id, error=str(errors.WrongResolution()), status=422)
    return _act(store_id, transfer_id, lambda: receiving.resolve(
        discrepancy, Resolution(form.resolution.data), user=current_user, note=form.note.data or ""),
        done=_("Settled."))


# ---------------------------------------------------------------- helpers


def _transfer(store_id: int, transfer_id: int, *, sender=False, receiver=False):
    """The store and its transfer; 404 when the store is not at the end this action belongs to."""
    store = db.get_or_404(Store, store_id)
    transfer = queries.transfer_of(store, transfer_id)
    if transfer is None or (sender and transfer.source_store_id != store.id) or (
            receiver and transfer.destination_store_id != store.id):
        abort(404)
    return store, transfer


def _line(transfer, line_id: int) -> TransferLine:
    return next((li for li in transfer.lines if li.id == line_id), None) or abort(404)


def _act(store_id: int, transfer_id: int, action, *, done: str | None = None, line_form=None, scanned=None):
    """Run one service call; commit and show the transfer, or roll back and show why not."""
    try:
        action()
    except DomainError as e:
        db.session.rollback()
        return _show(store_id, transfer_id, error=str(e), line_form=line_form, status=409)
    db.session.commit()
    if not is_htmx():
        if done:
            flash(done, "success")
        return redirect(url_for(".detail", store_id=store_id, transfer_id=transfer_id), 303)
    return _show(store_id, transfer_id, notice=done, scanned=scanned)


def _show(store_id: int, transfer_id: int, *, line_form=None, choices=(), error=None, notice=None,
          scanned=None, status=200):
    store, transfer = _transfer(store_id, transfer_id)
    if line_form is None or not line_form.errors:
        line_form = LineForm(formdata=None)
    return render("stock/transfers/detail.html", "stock/transfers/_transfer.html", status=status, store=store,
                  transfer=transfer, line_form=line_form, choices=choices, error=error, notice=notice,
                  scanned=scanned,
                  is_sender=transfer.source_store_id == store.id,
                  is_receiver=transfer.destination_store_id == store.id,
                  is_manager=current_user.role in MANAGERS or current_user.is_hq, **LABELS)
