"""The till's doors: pick a register, open and close a shift, cash in and out, the Z report.

Ringing up a sale lives in till_views.py, returns in returns_views.py; all hang on this blueprint.
"""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.guards import STAFF, require_role
from webapp.auth.models import MANAGERS
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.paging import paginate
from webapp.pos import (  # noqa: F401  (bridge_words and the *_views join bp)
    bridge_views,
    bridge_words,
    member_views,
    pickup_views,
    queries,
    returns_views,
    services,
    till_views,
)
from webapp.pos.blueprint import bp
from webapp.pos.forms import (
    DENOMINATIONS,
    CashForm,
    CloseShiftForm,
    OpenShiftForm,
    RegisterForm,
    counted_notes,
)
from webapp.pos.guards import own_register, own_shift
from webapp.stores.models import Store
from webapp.web import htmx_redirect, int_arg, render

SHIFTS_PER_PAGE = 30


@bp.get("/")
@require_role(*STAFF)
def index():
    """The cashier's stores and their tills, each with its open shift."""
    stores = current_user.stores if not current_user.is_hq else db.session.scalars(
        db.select(Store).order_by(Store.code)).all()
    tills = [(store, [(r, queries.open_shift_of(r)) for r in queries.registers_of(store)]) for store in stores]
    return render("pos/index.html", tills=tills, register_form=RegisterForm())


@bp.post("/stores/<int:store_id>/registers")
@require_role(*MANAGERS)
def add_register(store_id: int):
    store = db.get_or_404(Store, store_id)
    form = RegisterForm()
    if form.validate_on_submit():
        services.save_register(None, store=store, name=form.name.data, receipt_width=form.receipt_width.data)
        db.session.commit()
    return redirect(url_for("pos.index"), 303)


@bp.route("/registers/<int:register_id>/shift", methods=["GET", "POST"])
@require_role(*STAFF)
def open_shift(register_id: int):
    register = own_register(register_id)
    if queries.open_shift_of(register):
        return redirect(url_for("pos.till", register_id=register.id), 303)
    form = OpenShiftForm()
    if form.validate_on_submit():
        try:
            services.open_shift(register, current_user, form.opening_float.data)
        except DomainError as e:
            db.session.rollback()
            form.opening_float.errors.append(str(e))
            return render("pos/open_shift.html", form=form, register=register, status=422)
        db.session.commit()
        return redirect(url_for("pos.till", register_id=register.id), 303)
    return render("pos/open_shift.html", form=form, register=register, status=422 if form.errors else 200)


@bp.route("/shifts/<int:shift_id>/cash", methods=["GET", "POST"])
@require_role(*STAFF)
def cash(shift_id: int):
    shift = own_shift(shift_id)
    form = CashForm()
    if form.validate_on_submit():
        move = services.cash_in if form.kind.data == "in" else services.cash_out
        try:
            move(shift, form.amount.data, form.reason.data, current_user)
        except DomainError as e:
            db.session.rollback()
            form.amount.errors.append(str(e))
            return render("pos/cash.html", form=form, shift=shift, status=422)
        db.session.commit()
        flash(_("Cash recorded."), "success")
        return htmx_redirect(url_for("pos.till", register_id=shift.register_id))
    return render("pos/cash.html", form=form, shift=shift, status=422 if form.errors else 200)


@bp.route("/shifts/<int:shift_id>/close", methods=["GET", "POST"])
@require_role(*STAFF)
def close_shift(shift_id: int):
    shift = own_shift(shift_id)
    if not shift.is_open:
        return redirect(url_for("pos.report", shift_id=shift.id), 303)
    form = CloseShiftForm()
    if form.validate_on_submit():
        try:
            services.close_shift(shift, counted_notes(form), current_user)
        except DomainError as e:
            db.session.rollback()
            flash(str(e), "error")
            return render("pos/close_shift.html", form=form, shift=shift, denominations=DENOMINATIONS, status=422)
        db.session.commit()
        return redirect(url_for("pos.report", shift_id=shift.id), 303)
    return render("pos/close_shift.html", form=form, shift=shift, denominations=DENOMINATIONS,
                  report=queries.z_report(shift), status=422 if form.errors else 200)


@bp.get("/shifts/<int:shift_id>/report")
@require_role(*STAFF)
def report(shift_id: int):
    """A shift's Z report, any time after (``?print=1``: printed as it opens, for a reprint)."""
    shift = own_shift(shift_id)
    return render("pos/report.html", shift=shift, report=queries.z_report(shift),
                  print_now=request.args.get("print") == "1", may_list=current_user.is_manager)


@bp.get("/registers/<int:register_id>/shifts")
@require_role(*MANAGERS)
def closed_shifts(register_id: int):
    """For managers: a till's closed shifts, each with its Z report to open again or reprint."""
    register = own_register(register_id)
    page = paginate(queries.closed_shifts(register), int_arg("page", 1), SHIFTS_PER_PAGE)
    return render("pos/shifts.html", register=register, page=page, net=queries.net_sales_of(page.items))


