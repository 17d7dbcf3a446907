"""Checkout and the customer's orders: placing, paying, the status page, cancelling, history."""
import uuid

from flask import abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.auth.customers import has_password
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.members import online_pay
from webapp.sales.online import services as online
from webapp.sales.online.errors import EmptyCart, PickupNotOffered, SoldOut
from webapp.sales.online.models import STATUS_LABELS, OnlineOrder
from webapp.shop import art, checkout
from webapp.shop.blueprint import bp
from webapp.shop.cart_views import cart_page
from webapp.shop.errors import (
    AddressRequired,
    AmountChanged,
    NoDeliveryStoreHasAll,
    NoPickupStore,
    OutsideDeliveryArea,
    StoreLacksItems,
)
from webapp.shop.payment_views import METHODS, to_cashier
from webapp.shop.web import CART_COOKIE, current_cart, customer, member
from webapp.web import render, wants_fragment, writes

CART_PROBLEMS = (SoldOut, StoreLacksItems, NoPickupStore, PickupNotOffered, OutsideDeliveryArea,
                 NoDeliveryStoreHasAll, AddressRequired, EmptyCart)
SOLD_OUT = (SoldOut, StoreLacksItems)  # an item gone at the chosen store: answered without the cart page
KEPT_ORDERS = 20  # a guest's last orders, remembered in their session


@bp.get("/checkout")
def checkout_form():
    return _checkout_page()


def _checkout_page(status: int = 200, error: str | None = None, form=None):
    cart = current_cart()
    if cart is None or not cart.lines:
        return redirect(url_for("shop.cart"), 303)
    try:
        option = checkout.fulfilling(cart)
    except DomainError as e:
        flash(str(e), "error")
        return redirect(url_for("shop.cart") + "#fulfilment", 303)
    store = option.store
    prices, fee, due = checkout.amounts(cart, store, member())
    me = customer()
    form = form or {"phone": me.phone if me else "", "contact_name": me.display_name if me else ""}
    return render("shop/checkout.html", status=status, cart=cart, option=option, store=store, prices=prices,
                  fee=fee, due=due, error=error, form=form, signed_in=me is not None,
                  holdings=online_pay.holdings(member()),
                  checkout_key=request.form.get("checkout_key") or uuid.uuid4().hex)


@bp.post("/checkout")
def place_order():
    form = request.form
    key = form.get("checkout_key", "")[:64]
    if not key:
        abort(400)
    method = form.get("payment", "wechat")
    try:
        checkout.refuse_known_sold_out(request.cookies.get(CART_COOKIE), customer())
    except SoldOut as e:  # a flash sale's late buyer, told at once (their cart still holds it: no order was placed)
        return render("shop/sold_out.html", status=409, error=str(e))
    try:
        cart = current_cart()
        if cart is None or not cart.lines:  # placed already (this form again), or nothing to order
            placed = _placed_by(key)
            if placed is None:
                return redirect(url_for("shop.cart"), 303)
        else:
            # The amount is worked out once at the fulfilling store and compared with the one the page showed
            # (never charge an amount the customer has not seen); the very same prices go onto the order.
            placed = checkout.place_new(cart, customer(), phone=form.get("phone", ""), checkout_key=key,
                                        expected_due=form.get("expected_due", ""),
                                        contact_name=form.get("contact_name", ""),
                                        password=form.get("password", ""), pay_at_pickup=method == "at_pickup",
                                        note=form.get("note", ""), member=member())
    except IntegrityError:  # the same form submitted again before its first answer: that order
        db.session.rollback()
        placed = _placed_by(key)
        if placed is None:
            raise
    except SOLD_OUT as e:  # the flash sale's last unit went to someone else: a small page, quickly made
        db.session.rollback()  # this order, written before its stock was refused, first
        placed = _placed_by(key)  # unless this very form took it a moment ago (a double submit)
        if placed is None:
            return render("shop/sold_out.html", status=409, error=str(e))
    except AmountChanged as e:
        db.session.rollback()
        return _checkout_page(e.status, str(e), form)
    except CART_PROBLEMS as e:  # the store can no longer fulfil the cart as it is: the cart says why
        db.session.rollback()
        return cart_page(current_cart(), 409, str(e))
    except DomainError as e:
        db.session.rollback()
        return _checkout_page(422, str(e), form)
    order = placed.order
    _remember(order)
    db.session.commit()
    if placed.new_account is not None:
        login_user(placed.new_account)
    if method in METHODS and not order.is_paid and not order.pay_at_pickup and not _pending(order):
        return _to_cashier_or_order(order, method)
    return redirect(url_for("shop.order", token=order.access_token), 303)


def _placed_by(key: str) -> checkout.Placed | None:
    """The order this checkout form placed already, if it did (asked by id first: usually it did not)."""
    if db.session.scalar(select(OnlineOrder.id).where(OnlineOrder.checkout_key == key)) is None:
        return None
    return checkout.Placed(online.by_checkout_key(key), None)


@bp.get("/orders/<token>")
def order(token: str):
    """The order page (its status part alone to htmx, polled while the order is open); only reads."""
    found = _order_or_404(token, whole=not wants_fragment())  # the polled status part needs no lines or messages
    if online.needs_refresh(found):
        return redirect(url_for("shop.refresh_order", token=token), 303)
    return _show(found)


@bp.get("/orders/<token>/refresh")
@writes
def refresh_order(token: str):
    """The lazy check (a pending payment asked about, an overdue order expired), then the order again."""
    found = _order_or_404(token, whole=True)
    online.refresh(found)
    db.session.commit()
    if online.needs_refresh(found):  # the provider has not answered yet: show the order as it is
        return _show(found)
    return redirect(url_for("shop.order", token=token), 303)


def _show(found: OnlineOrder):
    return render("shop/order.html", "shop/_order_status.html", order=found, labels=STATUS_LABELS,
                  qr=art.qr_svg(found.pickup_token) if found.is_pickup and found.is_open else None,
                  pending=_pending(found), may_act=_may_act(found), frozen=online_pay.frozen_on(found),
                  account=online_pay.offer(found, member()))


def _may_act(found: OnlineOrder) -> bool:
    """Paying and cancelling: a guest's order is theirs who holds its link (the link is their key);
    an order of an account that signs in is that account's only."""
    if not has_password(found.customer):
        return True
    me = customer()
    return me is not None and me.id == found.customer_id


def _owner_only(found: OnlineOrder):
    """None when the order may be paid or cancelled here, else the answer: sign in (or 403 to another)."""
    if _may_act(found):
        return None
    if customer() is None:
        flash(_("This order belongs to an account: sign in with it to pay or cancel the order."), "error")
        return redirect(url_for("shop.sign_in", next=url_for("shop.order", token=found.access_token)), 303)
    abort(403)


@bp.post("/orders/<token>/pay")
def pay(token: str):
    """"使用微信支付" / "使用支付宝": off to the provider's cashier; it sends the customer back here."""
    found = _order_or_404(token)
    if (refused := _owner_only(found)) is not None:
        return refused
    method = request.form.get("payment", "")
    if method not in METHODS:
        abort(400)
    return _to_cashier_or_order(found, method)


@bp.post("/orders/<token>/check-payment")
def check_payment(token: str):
    found = _order_or_404(token)
    online.check_payments(found)
    flash(_("Payment received.") if found.is_paid else _("The payment is still not confirmed."),
          "success" if found.is_paid else "error")
    db.session.commit()
    return redirect(url_for("shop.order", token=token), 303)


@bp.post("/orders/<token>/cancel")
def cancel(token: str):
    found = _order_or_404(token)
    if (refused := _owner_only(found)) is not None:
        return refused
    online.cancel(found, by_customer=True, reason=_("Cancelled by the customer"))  # refused: back, with why
    db.session.commit()
    flash(_("Order %(number)s is cancelled.", number=found.order.number), "success")
    return redirect(url_for("shop.order", token=token), 303)


@bp.get("/orders")
def orders():
    me = customer()
    if me is not None:
        query = select(OnlineOrder).where(OnlineOrder.customer_id == me.id)
    else:
        query = select(OnlineOrder).where(OnlineOrder.access_token.in_(session.get("shop_orders", [])))
    found = list(db.session.scalars(query.order_by(OnlineOrder.id.desc()).limit(50)))
    return render("shop/orders.html", orders=found, labels=STATUS_LABELS, signed_in=me is not None)


def _to_cashier_or_order(order: OnlineOrder, method: str):
    """To the provider's cashier; when the payment cannot start (paid meanwhile, closed), the order
    page says why. The order stays either way."""
    try:
        return to_cashier(order, method)
    except DomainError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("shop.order", token=order.access_token), 303)


def _pending(order: OnlineOrder) -> bool:
    return order.order.has_pending_payment


def _order_or_404(token: str, whole: bool = False) -> OnlineOrder:
    return online.by_access_token(token[:40], whole=whole) or abort(404)


def _remember(order: OnlineOrder) -> None:
    """A guest's orders are kept in their session; a signed-in customer's are in their account."""
    if customer() is not None:
        return
    kept = [t for t in session.get("shop_orders", []) if t != order.access_token]
    session["shop_orders"] = [order.access_token, *kept][:KEPT_ORDERS]
