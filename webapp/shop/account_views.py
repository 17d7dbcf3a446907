"""Customers sign in and up with their mobile number; the browser's cart joins their account. The member page
(phone first): the member code to show at the till, stored value, points and what expires when, tier and
progress, coupons, and orders from every store and channel."""
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from webapp.auth import customers
from webapp.errors import DomainError
from webapp.extensions import db, limiter
from webapp.members import cards, online_pay, queries, wallet
from webapp.promotions import coupons
from webapp.promotions.models import Coupon, CouponUse
from webapp.sales.models import Order
from webapp.shop import carts
from webapp.shop.art import qr_svg
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


# ---------------------------------------------------------------- the member page

REFRESH_SECONDS = 30  # a code is good for this minute and the last: refreshed twice a minute, never stale


@bp.get("/account/member")
def member_page():
    me = customer()
    if me is None:
        return redirect(url_for("shop.sign_in", next=request.path), 303)
    cards.card_of(me)
    db.session.commit()
    return render("shop/member.html", member=queries.summary(me), code=_code(me), rules=wallet.rules(),
                  orders=queries.orders_of(me), coupons=_coupons(me), own_coupons=coupons.owned_by(me.id),
                  refresh=REFRESH_SECONDS, chain=cards.settings(), frozen=online_pay.frozen(me.id))


@bp.get("/account/member/code")
def member_code():
    """The member code alone, fetched again by the page every ``REFRESH_SECONDS``."""
    me = customer()
    if me is None:
        return "", 401
    return render_template("shop/_member_code.html", code=_code(me), refresh=REFRESH_SECONDS)


def _code(me) -> dict:
    text = cards.member_code(me)
    return {"text": text, "svg": qr_svg(text)}


def _coupons(me) -> list[tuple[str, str, str]]:
    """The coupons on the member's orders: (code, campaign, state)."""
    rows = db.session.execute(
        select(Coupon.code, CouponUse.state, Order.number).join(CouponUse, CouponUse.coupon_id == Coupon.id)
        .join(Order, Order.id == CouponUse.order_id).where(Order.customer_id == me.id)
        .order_by(CouponUse.id.desc()).limit(20)).all()
    return [(code, number, state) for code, state, number in rows]
