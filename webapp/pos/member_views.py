"""The member at the till: name them by their member code or phone (or enrol them by phone), top up
their stored value, and refund a top-up. The sale panel shows who they are, their tier, points and balance.
"""
import uuid

from flask import abort, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth.guards import STAFF, require_role
from webapp.errors import check_length
from webapp.extensions import db
from webapp.members import cards, queries, wallet
from webapp.numbers import money
from webapp.pos.blueprint import bp
from webapp.pos.guards import own_register
from webapp.pos.queries import open_shift_of
from webapp.pos.tender_form import tenders_from
from webapp.pos.till_views import _own_order, _sale_panel
from webapp.promotions import coupons
from webapp.promotions.services import Channel
from webapp.sales import services as sales
from webapp.sales.models import Order, OrderKind
from webapp.sales.queries import order_by_number, order_for_till
from webapp.sales.receipts import member_lines
from webapp.sales.tenders import TakenAt, offered


@bp.app_template_global()
def member_on(order: Order) -> queries.Summary | None:
    """The member named on a sale, as the panel and the receipt page show them."""
    return queries.summary(order.customer) if order.customer_id is not None else None


@bp.app_template_global()
def member_coupons(order: Order, member: queries.Summary | None) -> list[coupons.Offer]:
    """The named member's own coupons usable on this sale now (one tap applies one)."""
    if member is None or order.id is None or order.payments:
        return []
    return coupons.usable_by(order.customer_id, order.store, Channel.POS.value, tier=member.tier, order_id=order.id)


@bp.app_template_global()
def member_receipt(order: Order) -> list[str]:
    """The member's lines of a receipt (points earned, balances), for the receipt page."""
    return member_lines(order)


@bp.post("/orders/<int:order_id>/member")
@require_role(*STAFF)
def name_member(order_id: int):
    """A scanned member code or a typed phone; ``enrol``: make the member of a new number."""
    register, order = _own_order(order_id)
    text = check_length(request.form.get("member", "").strip(), 40, _("Member code or phone"))
    if request.form.get("action") == "enrol":
        name = check_length(request.form.get("name", "").strip(), 50, _("Name"))
        customer, _made = cards.enrol(text, name, store=register.store)
    else:
        customer = cards.find_member(text)
        cards.card_of(customer, register.store)
    sales.name_member(order, customer)
    db.session.commit()
    return _sale_panel(register, order_for_till(order.id))


@bp.post("/orders/<int:order_id>/member/remove")
@require_role(*STAFF)
def remove_member(order_id: int):
    register, order = _own_order(order_id)
    sales.name_member(order, None)
    db.session.commit()
    return _sale_panel(register, order_for_till(order.id))


@bp.get("/orders/<int:order_id>/top-up")
@require_role(*STAFF)
def top_up_panel(order_id: int):
    register, order = _own_order(order_id)
    if order.customer_id is None:
        abort(404)
    return render_template("pos/_top_up.html", register=register, order=order, member=member_on(order),
                           rules=wallet.rules(), methods=offered(TakenAt.TOPUP), client_uuid=str(uuid.uuid4()))


@bp.post("/orders/<int:order_id>/top-up")
@require_role(*STAFF)
def top_up(order_id: int):
    """Stored value for the sale's member: the amount, paid by a scanned code, cash or card (the payment path)."""
    register, order = _own_order(order_id)
    if order.customer_id is None:
        abort(404)
    typed = request.form.get("top_up", "").strip() or request.form.get("preset", "").strip()
    amount = check_length(typed, 12, _("Amount")) or "0"
    shift = open_shift_of(register)
    done = wallet.top_up(order.customer, amount, tenders_from(request.form, money(amount)), store=register.store,
                         user=current_user, register=register, shift=shift,
                         client_uuid=request.form.get("client_uuid") or str(uuid.uuid4()))
    db.session.commit()
    response = make_response("", 204)
    response.headers["HX-Redirect"] = url_for("pos.receipt", order_id=done.id, fresh=1)
    return response


@bp.post("/registers/<int:register_id>/top-ups/refund")
@require_role(*STAFF)
def refund_top_up(register_id: int):
    """Refund a top-up by its receipt number: the principal still on the card back the way it was paid,
    its bonus taken back (only a manager of the store)."""
    register = own_register(register_id)
    if not sales.may_discount(current_user, register.store):
        abort(403)
    number = check_length(request.form.get("number", "").strip(), 40, _("Receipt number"))
    topup = order_by_number(number)
    if topup is None or topup.kind != OrderKind.TOPUP or topup.store_id != register.store_id:
        abort(404)
    done = wallet.refund_top_up(topup, user=current_user, register=register, shift=open_shift_of(register),
                                client_uuid=request.form.get("client_uuid") or str(uuid.uuid4()))
    db.session.commit()
    response = make_response("", 204)
    response.headers["HX-Redirect"] = url_for("pos.receipt", order_id=done.id, fresh=1)
    return response

