"""Ringing up a sale: scan, search, quantities, discounts, suspend, pay, the receipt.

Every change answers with the sale panel (#sale), so the cart, the total and
the pay button always agree; a refusal answers 422 with the reason in a toast.
"""
import uuid
from contextlib import nullcontext
from decimal import ROUND_HALF_UP, Decimal

from flask import abort, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from webapp.auth.guards import STAFF, require_role
from webapp.catalog import queries as catalog_queries
from webapp.catalog import scanning
from webapp.catalog.models import SKU, Product
from webapp.catalog.photos import queries as photo_queries
from webapp.errors import DomainError, toast
from webapp.extensions import db, limiter
from webapp.numbers import quantity
from webapp.paging import paginate
from webapp.pos import queries
from webapp.pos.blueprint import bp
from webapp.pos.guards import own_register, own_till
from webapp.pos.models import Register
from webapp.pos.pickup_views import answer_scan
from webapp.pos.services import approve_with_pin
from webapp.pos.tender_form import tenders_from
from webapp.promotions.services import Channel, price_cart, savings_of
from webapp.sales import services as sales
from webapp.sales.errors import SerialRequired
from webapp.sales.models import Order, OrderLine, OrderStatus, Payment, PaymentMethod
from webapp.sales.online import shortfalls
from webapp.sales.queries import suspended_sales
from webapp.sales.receipts import receipt_document
from webapp.sales.tenders import TakenAt, offered
from webapp.web import render, writes

UNSTABLE = _l("The scale is not steady yet: wait for a stable weight.")
NO_TYPED_WEIGHT = _l("This store sells weighed goods only by the scale's weight: connect the scale.")
WEIGH_FIRST = _l("%(name)s is sold by weight: put it on the scale.")
NO_SHIFT = _l("This till has no open shift.")


def _store_of_order() -> str:
    order = db.session.get(Order, (request.view_args or {}).get("order_id", 0))
    return f"pin-store-{order.store_id if order else 0}"


# A manager's PIN has few digits: refused tries are counted per store, on every till and for
# every kind of discount together, so guessing it takes days, not minutes.
PIN_TRIES = limiter.shared_limit(
    "10 per hour", scope="manager-pin", key_func=_store_of_order, methods=["POST"],
    exempt_when=lambda: not request.form.get("pin"), deduct_when=lambda response: response.status_code == 422)


def _till(register_id: int):
    """The register, its open shift and the sale on it (made on first use)."""
    register, shift = _register_and_shift(register_id)
    if shift is None:
        return register, None, None
    return register, shift, _sale_on(register, shift)


def _register_and_shift(register_id: int):
    """The register and its open shift (None: no shift open), in one statement.

    A shift is its cashier's: another cashier is refused; a manager may step in.
    """
    register, shift = own_till(register_id)
    if shift is not None and shift.cashier_id != current_user.id \
            and not sales.may_discount(current_user, register.store):
        abort(403)
    return register, shift


def _sale_on(register, shift) -> Order:
    """The sale being rung up on the shift, with its lines and payments (made on first use)."""
    return queries.current_sale(shift) or sales.open_sale(register.store, register, shift, current_user)


def _sale_panel(register, order, status=200, **extra):
    """The sale as this request left it (its lines, SKUs and payments are in hand: no reload)."""
    html = render_template("pos/_sale.html", register=register, order=order,
                           may_discount=sales.may_discount(current_user, register.store), **extra)
    return make_response(html, status)



@bp.get("/registers/<int:register_id>")
@require_role(*STAFF)
@writes
def till(register_id: int):
    register, shift, order = _till(register_id)
    if shift is None:
        return redirect(url_for("pos.open_shift", register_id=register.id), 303)
    # The sale in hand (its lines, SKUs and payments loaded with it, or a new one with none): no reload.
    page = render("pos/till.html", register=register, shift=shift, order=order,
                  suspended=suspended_sales(register.store, register),
                  may_discount=sales.may_discount(current_user, register.store))
    db.session.commit()  # the new empty sale keeps its number
    return page


@bp.post("/registers/<int:register_id>/scan")
@require_role(*STAFF)
def scan(register_id: int):
    """A scan or a typed code: a barcode, a SKU code, a scale label or a PLU, with a weight if weighed.

    A refusal undoes only the scan; the sale, however new, stays: a sale this scan opens is kept by a
    savepoint around the scan, on a sale already rung up the request's transaction is the scan alone and
    is rolled back (two statements fewer for every scan but a sale's first).
    """
    register, shift = _register_and_shift(register_id)
    if shift is None:
        return toast(str(NO_SHIFT), 409)
    code = request.form.get("code", "").strip()
    pickup = answer_scan(register, code)  # an online order's pickup code, not a product's: no sale opened
    if pickup is not None:
        return pickup
    order = queries.current_sale(shift)
    opened = order is None
    if opened:
        order = sales.open_sale(register.store, register, shift, current_user)
    prompt, refusal, sku = {}, None, None
    try:
        with db.session.begin_nested() if opened else nullcontext():
            found = scanning.resolve(code, styles=True)
            sku, qty = found.sku, _weight_of(found, order)
            if found.style is not None:
                prompt = {"variants_of": found.style}
            elif sku.product.weighed and qty is None:
                prompt = {"weigh": sku}
            else:
                sales.add_item(order, sku, 1 if qty is None else qty, serial=request.form.get("serial") or None)
    except SerialRequired:
        prompt = {"serial_for": sku}
    except DomainError as e:
        refusal = str(e)
    if refusal and not opened:
        db.session.rollback()
    else:
        db.session.commit()
    return toast(refusal) if refusal else _sale_panel(register, order, **prompt)


def _weight_of(found: scanning.Scanned, order: Order) -> Decimal | None:
    """The weight of weighed goods: from a scale label, the scale's steady reading sent with the scan, or
    typed by the cashier when no scale is connected (typed=true), if the store allows it."""
    if found.weight is not None:
        return found.weight
    if found.price is not None:
        return _weight_for_price(order, found.sku, found.price)
    if found.sku is None or not found.sku.product.weighed:
        return None
    kg = request.form.get("kg")
    typed = request.form.get("typed") == "true"
    if typed and not order.store.typed_weights:
        raise _NoTypedWeight()
    if kg is not None and not typed and request.form.get("stable") != "true":
        raise _Unstable()
    return quantity(kg) if kg else None


def _weight_for_price(order: Order, sku: SKU, price: Decimal) -> Decimal:
    """A price label's weight at this store's price per kg, to the gram; the line is then priced as usual."""
    per_kg = price_cart(order.store, Channel.POS, [(sku, Decimal(1))]).lines[0].unit_price
    if per_kg <= 0:
        raise _Unstable()
    return (price / per_kg).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


class _Unstable(DomainError):
    message = UNSTABLE


class _NoTypedWeight(DomainError):
    message = NO_TYPED_WEIGHT


@bp.get("/registers/<int:register_id>/search")
@require_role(*STAFF)
def search(register_id: int):
    """Products by Chinese name, pinyin initials or code, to tap into the sale."""
    register = own_register(register_id)
    text = request.args.get("q", "").strip()
    products = paginate(catalog_queries.product_search(text).where(Product.active), 1, 12).items if text else []
    return render_template("pos/_search.html", register=register, products=products, q=text,
                           photos=photo_queries.main_photos([p.id for p in products]))


@bp.post("/orders/<int:order_id>/lines/<int:line_id>")
@require_role(*STAFF)
@PIN_TRIES
def change_line(order_id: int, line_id: int):
    register, order, line = _own_line(order_id, line_id)
    if request.form.get("action") == "remove":
        sales.remove_line(order, line)
    elif request.form.get("action") == "discount":
        sales.apply_line_discount(order, line, request.form.get("discount", "0") or "0", user=current_user,
                                  approver=_approver(order))
    else:
        sales.set_quantity(order, line, request.form.get("quantity", ""))
    db.session.commit()
    return _sale_panel(register, order)


@bp.post("/orders/<int:order_id>/discount")
@require_role(*STAFF)
@PIN_TRIES
def order_discount(order_id: int):
    register, order = _own_order(order_id)
    sales.apply_order_discount(order, request.form.get("discount", "0") or "0", user=current_user,
                               approver=_approver(order))
    db.session.commit()
    return _sale_panel(register, order)


def _approver(order: Order):
    """The manager whose PIN was typed, if one was: checked here, recorded by the sale."""
    pin = request.form.get("pin", "").strip()
    return approve_with_pin(order.store, pin) if pin else None


@bp.post("/orders/<int:order_id>/suspend")
@require_role(*STAFF)
def suspend(order_id: int):
    register, order = _own_order(order_id)
    return _change_and_reload(register, lambda: sales.suspend(order))


@bp.post("/orders/<int:order_id>/void")
@require_role(*STAFF)
def void(order_id: int):
    register, order = _own_order(order_id)
    return _change_and_reload(register, lambda: sales.void(order))


@bp.post("/orders/<int:order_id>/resume")
@require_role(*STAFF)
def resume(order_id: int):
    register, order = _own_order(order_id)
    shift = queries.open_shift_of(register)
    current = queries.current_sale(shift) if shift else None

    def swap():
        if current is not None and current.id != order.id:
            if current.lines:
                sales.suspend(current)
            else:
                sales.void(current)
        sales.resume(order, register=register, shift=shift)

    return _change_and_reload(register, swap)


def _change_and_reload(register, change):
    change()
    db.session.commit()
    response = make_response("", 204)
    response.headers["HX-Location"] = url_for("pos.till", register_id=register.id)
    return response


@bp.post("/orders/<int:order_id>/payments/<int:payment_id>/check")
@require_role(*STAFF)
def check_payment(order_id: int, payment_id: int):
    """Ask the provider again about a payment that timed out: it went through, or it did not."""
    register, order = _own_order(order_id)
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.order_id != order.id:
        abort(404)
    sales.check_payment(payment)
    db.session.commit()
    return _sale_panel(register, order)


@bp.get("/orders/<int:order_id>/pay")
@require_role(*STAFF)
def pay_panel(order_id: int):
    register, order = _own_order(order_id)
    return render_template("pos/_pay.html", register=register, order=order, methods=offered(TakenAt.TILL), due=order.due, client_uuid=str(uuid.uuid4()))


@bp.post("/orders/<int:order_id>/pay")
@require_role(*STAFF)
def pay(order_id: int):
    """Complete the sale: the payments, the stock, the receipt; a second tap gets the same sale."""
    register, order = _own_order(order_id)
    payments = tenders_from(request.form, order.due)
    # A refusal reaches webapp.errors.refuse: a timed-out charge is kept to check, a charge that
    # could not be given back counts toward the sale (keeps_changes); anything else is rolled back.
    done = sales.complete_sale(order, payments, user=current_user,
                               client_uuid=request.form.get("client_uuid") or str(uuid.uuid4()))
    db.session.commit()
    response = make_response("", 204)
    # A full page load, not a swap: the receipt page prints through the bridge as it opens.
    response.headers["HX-Redirect"] = url_for("pos.receipt", order_id=done.id, fresh=1)
    return response


@bp.get("/orders/<int:order_id>/receipt")
@require_role(*STAFF)
def receipt(order_id: int):
    register, order = _own_order(order_id)
    if order.status != OrderStatus.COMPLETED:
        abort(404)
    cash = any(p.method == PaymentMethod.CASH for p in order.payments)
    applied = [] if order.is_return else savings_of(order)  # read once: the page and the printed receipt
    return render("pos/receipt.html", register=register, order=order, applied=applied,
                  document=receipt_document(order, applied=applied), fresh=request.args.get("fresh") == "1",
                  open_drawer=cash, taken_from_online=shortfalls.taken_by(order))


# Built once, not on every request: the statement and its cache key are made at import.
_OWN_ORDER = select(Order).where(Order.id == bindparam("order")).options(
    joinedload(Order.register).joinedload(Register.store), joinedload(Order.shift),
    joinedload(Order.lines).joinedload(OrderLine.sku).joinedload(SKU.product), joinedload(Order.payments))


def _own_order(order_id: int) -> tuple:
    """An order rung up on a till of one of the user's stores, by its shift's cashier (or a manager).

    One statement reads the order with what completing or showing the sale reads: its register and
    store, its shift, its lines with their SKUs and products, its payments.
    """
    order = db.session.scalars(_OWN_ORDER, {"order": order_id}).unique().first()
    if order is None or order.register_id is None:
        abort(404)
    register = order.register
    if not current_user.can_access_store(register.store_id):
        abort(403)
    shift = order.shift
    if shift is not None and shift.cashier_id != current_user.id \
            and not sales.may_discount(current_user, register.store):
        abort(403)
    return register, order


def _own_line(order_id: int, line_id: int) -> tuple:
    register, order = _own_order(order_id)
    line = db.session.get(OrderLine, line_id)
    if line is None or line.order_id != order.id:
        abort(404)
    return register, order, line
