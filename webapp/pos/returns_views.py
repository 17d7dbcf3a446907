"""Returns at the till: scan the receipt, pick lines and quantities, refund (above the store's threshold,
with a manager's PIN)."""
import uuid

from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.auth.guards import STAFF, require_role
from webapp.errors import DomainError
from webapp.extensions import db, limiter
from webapp.numbers import quantity
from webapp.pos import queries
from webapp.pos.blueprint import bp
from webapp.pos.forms import ReturnSearchForm
from webapp.pos.guards import own_register
from webapp.pos.models import Register
from webapp.pos.services import approve_with_pin
from webapp.sales import services as sales
from webapp.sales.errors import ShiftClosed
from webapp.sales.models import OrderKind
from webapp.sales.queries import order_by_number, returnable
from webapp.web import render

NO_SUCH_RECEIPT = _l("No sale of this store has the receipt number %(number)s.")


def _store_of_register() -> str:
    register = db.session.get(Register, (request.view_args or {}).get("register_id", 0))
    return f"pin-store-{register.store_id if register else 0}"


# Counted with the discounts' PIN tries (same scope and key): guessing a manager's PIN takes days.
PIN_TRIES = limiter.shared_limit(
    "10 per hour", scope="manager-pin", key_func=_store_of_register, methods=["POST"],
    exempt_when=lambda: not request.form.get("pin"), deduct_when=lambda response: response.status_code == 422)


@bp.route("/registers/<int:register_id>/returns", methods=["GET", "POST"])
@require_role(*STAFF)
def returns(register_id: int):
    """Find the sale by its receipt number (scanned from the receipt's barcode or QR)."""
    register = own_register(register_id)
    form = ReturnSearchForm()
    if form.validate_on_submit():
        order = order_by_number(form.number.data)
        if order is None or order.store_id != register.store_id or order.kind != OrderKind.SALE:
            form.number.errors.append(str(NO_SUCH_RECEIPT % {"number": form.number.data[:40]}))
            return render("pos/returns.html", register=register, form=form, status=422)
        return redirect(url_for("pos.return_order", register_id=register.id, number=order.number), 303)
    return render("pos/returns.html", register=register, form=form)


@bp.route("/registers/<int:register_id>/returns/<number>", methods=["GET", "POST"])
@require_role(*STAFF)
@PIN_TRIES
def return_order(register_id: int, number: str):
    register = own_register(register_id)
    original = order_by_number(number)
    if original is None or original.store_id != register.store_id or original.kind != OrderKind.SALE:
        return redirect(url_for("pos.returns", register_id=register.id), 303)
    lines = returnable(original)
    shift = queries.open_shift_of(register)
    page = {"register": register, "original": original, "lines": lines,
            "may_approve": sales.may_discount(current_user, register.store),
            "approval_above": register.store.refund_approval_above}
    if request.method == "POST":
        try:
            if shift is None:
                raise ShiftClosed()  # a refund comes out of a drawer someone answers for
            pin = request.form.get("pin", "").strip()
            approver = approve_with_pin(register.store, pin) if pin else None
            picks = [(item.line, quantity(request.form.get(f"qty-{item.line.id}", "0") or "0")) for item in lines]
            done = sales.return_lines(
                original, [(line, qty) for line, qty in picks if qty > 0], user=current_user._get_current_object(),
                shift=shift, register=register,
                refund_method=request.form.get("refund", "original"), damaged=request.form.get("damaged") == "on",
                client_uuid=request.form.get("client_uuid") or str(uuid.uuid4()), approver=approver)
        except DomainError as e:
            db.session.rollback()
            return render("pos/return_order.html", **page, error=str(e), form=request.form,
                          client_uuid=request.form.get("client_uuid"), status=422)
        db.session.commit()
        return redirect(url_for("pos.receipt", order_id=done.id, fresh=1), 303)
    return render("pos/return_order.html", **page, error=None, form={}, client_uuid=str(uuid.uuid4()))
