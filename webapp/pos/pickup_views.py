"""Handing an online order over at the till: the cashier scans the pickup QR code (or types its six
digits) into the scan field; the till shows the order, what is due, and hands it over once.

A pickup order paid at pickup is paid here through the till's own payment path (cash with change,
WeChat Pay, Alipay, card), and counts in the till's shift. ``answer_scan`` is the scan view's first
question: a code that is a product's stays the product's.
"""
import re
import uuid

from flask import abort, make_response, render_template, request
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import exists, inspect, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from webapp.auth.guards import STAFF, require_role
from webapp.catalog import scanning
from webapp.catalog.models import SKU, Barcode, Product
from webapp.errors import toast
from webapp.extensions import db
from webapp.pos.blueprint import bp
from webapp.pos.guards import own_till
from webapp.pos.tender_form import tenders_from
from webapp.sales.errors import PaymentPending
from webapp.sales.models import Order, OrderLine
from webapp.sales.online import services as online
from webapp.sales.online.models import STATUS_LABELS, OnlineOrder, OnlineStatus
from webapp.sales.tenders import TakenAt, offered

TOKEN = re.compile(r"^[A-Za-z0-9_-]{24}$")  # what the pickup QR code holds
CODE = re.compile(r"^\d{6}$")  # what the customer reads out

UNKNOWN_PICKUP = _l("No open online order at this store has the pickup code %(code)s.")
OTHER_STORE = _l("Order %(number)s is collected at %(store)s, not at this store.")
ALREADY_HANDED = _l("Order %(number)s was already handed over at %(time)s.")
CLOSED = _l("Order %(number)s has the status “%(status)s”: there is nothing to hand over.")
NOT_PICKUP = _l("Order %(number)s is a delivery order: it is not handed over at the till.")
NO_SHIFT = _l("This till has no open shift.")


def answer_scan(register, code: str):
    """The till's answer when ``code`` is a pickup code (the order panel, or why not); None otherwise."""
    if TOKEN.match(code) and not code.isdigit():
        found = online.by_pickup_token(code, whole=True)
        if found is None:
            if scanning.find(code) is not None:
                return None
            return toast(str(UNKNOWN_PICKUP % {"code": code[:8] + "…"}))
    elif CODE.match(code):
        if _names_a_product(code):
            return None
        found = online.by_pickup_code(register.store, code, whole=True) or _last_of_store(register, code)
        if found is None:
            return toast(str(UNKNOWN_PICKUP % {"code": code}))
    else:
        return None
    refusal = _why_not(register, found)
    return toast(refusal) if refusal else _panel(register, found)


def _names_a_product(code: str) -> bool:
    """Whether ``scanning.find`` would find a SKU for these six digits — a barcode, a SKU code or a PLU (six
    digits are never a scale label) — asked in one statement, not three: a product's code stays the product's."""
    return bool(db.session.scalar(select(or_(
        exists().where(Barcode.code == code), exists().where(SKU.code == code),
        exists().where(Product.plu == code)))))


def _last_of_store(register, code: str) -> OnlineOrder | None:
    """A six-digit code of this store's order that is no longer open (to say why it cannot be handed over)."""
    return db.session.scalar(
        db.select(OnlineOrder).join(Order, OnlineOrder.order_id == Order.id)
        .where(Order.store_id == register.store_id, OnlineOrder.pickup_code == code)
        .order_by(OnlineOrder.id.desc()).limit(1))


def _why_not(register, found: OnlineOrder) -> str | None:
    number = found.order.number
    if found.order.store_id != register.store_id:
        return str(OTHER_STORE % {"number": number, "store": found.order.store.name})
    if not found.is_pickup:
        return str(NOT_PICKUP % {"number": number})
    if found.status == OnlineStatus.HANDED_OVER:
        return str(ALREADY_HANDED % {"number": number, "time": format_datetime(found.status_changed_at, "short")})
    if not found.is_open:
        return str(CLOSED % {"number": number, "status": STATUS_LABELS[found.status]})
    return None


@bp.post("/registers/<int:register_id>/pickups/<int:online_id>/hand-over")
@require_role(*STAFF)
def hand_over(register_id: int, online_id: int):
    """Take what is due (paid at pickup), consume the reservation, complete the order: once per tap id."""
    register, shift = own_till(register_id)
    found = online.held(online_id, register.store_id, lines=True)  # locked, and read as the panel shows it
    if found is None:
        abort(404)
    if shift is None:
        return toast(str(NO_SHIFT), 409)
    tenders = tenders_from(request.form, found.order.due) if not found.is_paid else []
    try:
        online.hand_over_at_till(found, tenders, user=current_user, register=register, shift=shift,
                                 client_uuid=request.form.get("client_uuid") or str(uuid.uuid4()))
    except PaymentPending as e:
        db.session.commit()  # the pending charge is kept, to be checked
        return _panel(register, found, 409, error=str(e))
    panel = _panel(register, found)  # what the panel reads is read in this transaction: none begins after
    db.session.commit()
    return panel


@bp.post("/registers/<int:register_id>/pickups/<int:online_id>/check-payment")
@require_role(*STAFF)
def check_pickup_payment(register_id: int, online_id: int):
    """Ask the provider again about a charge at pickup that timed out."""
    register, _shift, found = _own_pickup(register_id, online_id)
    online.check_payments(found)
    db.session.commit()
    return _panel(register, found)


def _own_pickup(register_id: int, online_id: int):
    """The register, its open shift (or None) and this store's online order, locked for the transaction and
    read with its order, payments and customer: three statements."""
    register, shift = own_till(register_id)
    found = online.held(online_id, register.store_id)
    if found is None:
        abort(404)
    return register, shift, found


def _with_items(order: Order) -> None:
    """The order's lines with their SKUs and products, as the panel lists them: one statement, not one per
    line (only what the request has not read yet)."""
    if "lines" in inspect(order).unloaded:
        lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
                                   .options(joinedload(OrderLine.sku).joinedload(SKU.product))).all()
        set_committed_value(order, "lines", lines)
        return
    missing = [line for line in order.lines if "sku" in inspect(line).unloaded]
    if missing:
        skus = {sku.id: sku for sku in db.session.scalars(
            select(SKU).where(SKU.id.in_({line.sku_id for line in missing})).options(joinedload(SKU.product)))}
        for line in missing:
            set_committed_value(line, "sku", skus[line.sku_id])


def _panel(register, found: OnlineOrder, status: int = 200, error: str | None = None):
    if "online" in inspect(found.order).unloaded:
        set_committed_value(found.order, "online", found)  # what it owes reads its online side: this one
    _with_items(found.order)
    html = render_template("pos/_pickup.html", register=register, found=found, labels=STATUS_LABELS,
                           due=found.order.due, methods=offered(TakenAt.PICKUP),
                           client_uuid=str(uuid.uuid4()), error=error, pending=found.order.has_pending_payment)
    response = make_response(html, status)
    response.headers["HX-Retarget"] = "#pay"
    response.headers["HX-Reswap"] = "innerHTML"
    return response

