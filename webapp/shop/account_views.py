"""Customers sign in and up with their mobile number; the browser's cart joins their account."""
from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from webapp.auth import customers
from webapp.errors import DomainError
from webapp.extensions import db, limiter
from webapp.shop import carts
from webapp.shop.blueprint import bp
from webapp.shop.web import CART_COOKIE, customer
from webapp.web import render


def _phone_key() -> str:
    return f"{request.remote_addr}:shop:{request.form.get('phone', '').strip()}"


@bp.route("/account/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], key_func=_phone_key, methods=["POST"],
               deduct_when=lambda response: response.status_code == 401)
def sign_in():
    if request.method == "GET":
        return render("shop/sign_in.html", form={}, next=_next())
    user = customers.authenticate_phone(request.form.get("phone", ""), request.form.get("password", ""))
    if user is None:
        return render("shop/sign_in.html", status=401, form=request.form, next=_next(),
                      error=_("Wrong phone number or password."))
    _start(user)
    return redirect(_next(), 303)


@bp.route("/account/sign-up", methods=["GET", "POST"])
def sign_up():
    if request.method == "GET":
        return render("shop/sign_up.html", form={}, next=_next())
    try:
        user = customers.sign_up(request.form.get("phone", ""), request.form.get("name", ""),
                                 request.form.get("password", ""))
    except DomainError as e:
        db.session.rollback()
        return render("shop/sign_up.html", status=422, form=request.form, next=_next(), error=str(e))
    from webapp.outreach.shop_views import record_sign_up  # the member-growth room, above the shop

    refused = record_sign_up(user)
    _start(user)
    flash(_("Welcome! Your account is ready."), "success")
    if refused:
        flash(refused, "error")
    return redirect(_next(), 303)


@bp.post("/account/sign-out")
def sign_out():
    if current_user.is_authenticated and customers.has_password(current_user):
        # They can sign in again to see their orders; the next person on a shared phone sees none.
        # (A guest's account has no password: this browser stays the only way back to its orders.)
        session.pop("shop_orders", None)
    logout_user()
    return redirect(url_for("shop.home"), 303)


def _start(user) -> None:
    """Sign in; the cart this browser built joins the account's."""
    guest_cart = carts.find(request.cookies.get(CART_COOKIE), None) if customer() is None else None
    carts.merge_into_account(guest_cart, user)
    db.session.commit()
    login_user(user)


def _next() -> str:
    target = request.values.get("next", "")
    if not target.startswith("/shop") or target.startswith("//") or "\\" in target:
        return url_for("shop.orders")
    return target
