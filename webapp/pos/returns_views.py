"""Returns at the till: scan the receipt, pick lines and quantities, refund."""
import uuid

from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.auth.guards import STAFF, require_role
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.pos import queries
from webapp.pos.blueprint import bp
from webapp.pos.forms import ReturnSearchForm
from webapp.pos.guards import own_register
from webapp.sales import services as sales
from webapp.sales.errors import ShiftClosed
from webapp.sales.models import OrderKind
from webapp.sales.queries import order_by_number, returnable
from webapp.web import render

NO_SUCH_RECEIPT = _l("No sale of this store has the receipt number %(number)s.")


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
def return_order(register_id: int, number: str):
    register = own_register(register_id)
    original = order_by_number(number)
    if original is None or original.store_id != register.store_id or original.kind != OrderKind.SALE:
        return redirect(url_for("pos.returns", register_id=register.id), 303)
    lines = returnable(original)
    shift = queries.open_shift_of(register)
    if request.method == "POST":
        try:
            if shift is None:
                raise ShiftClosed()  # a refund comes out of a drawer someone answers for
            picks = [(item.line, quantity(request.form.get(f"qty-{item.line.id}", "0") or "0")) for item in lines]
            done = sales.return_lines(
                original, [(line, qty) for line, qty in picks if qty > 0], user=current_user,
                shift=shift, register=register,
                refund_method=request.form.get("refund", "original"), damaged=request.form.get("damaged") == "on",
                client_uuid=request.form.get("client_uuid") or str(uuid.uuid4()))
        except DomainError as e:
            db.session.rollback()
            return render("pos/return_order.html", register=register, original=original, lines=lines, error=str(e),
                          client_uuid=request.form.get("client_uuid"), status=422)
        db.session.commit()
        return redirect(url_for("pos.receipt", order_id=done.id, fresh=1), 303)
    return render("pos/return_order.html", register=register, original=original, lines=lines, error=None,
                  client_uuid=str(uuid.uuid4()))
