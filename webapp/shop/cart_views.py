"""The cart page: lines priced at the fulfilling store, the fulfilment choice, and the changes."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from webapp.catalog.models import SKU
from webapp.catalog.photos import queries as photo_queries
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.promotions import coupons
from webapp.promotions.services import Channel
from webapp.shop import carts, checkout, choices, geo, queries
from webapp.shop.blueprint import bp
from webapp.shop.errors import NoPickupStore
from webapp.shop.web import (
    cart_to_change,
    current_cart,
    customer,
    keep_cart_cookie,
    member,
    priced,
    pricing_store,
)
from webapp.stores.models import Store
from webapp.web import form_id, render


def cart_page(cart, status=200, error: str | None = None, coupon_error: str | None = None, typed_code: str = ""):
    """The cart with its prices, each line's stock at the chosen store, and the fulfilment options."""
    lines = list(cart.lines) if cart else []
    stores = queries.online_stores()
    option, problem = None, error
    if cart and lines and error is None:
        try:
            option = checkout.fulfilling(cart)
        except DomainError as e:
            problem = problem or (str(e) if cart.store_id or cart.fulfilment == "delivery" else None)
    pickup = choices.pickup_options(cart) if cart and lines else []
    nearest = pickup[0].store if pickup and pickup[0].has_everything and pickup[0].distance_m is not None else None
    store = option.store if option else (nearest or pricing_store(cart))
    prices = priced(store, [(ln.sku, ln.quantity) for ln in lines], cart.coupon_code if cart else "")
    coupon = coupons.typed_promotions(cart.coupon_code) if cart else frozenset()
    me = customer()
    mine = coupons.usable_by(me.id, store, Channel.SHOP.value) if me and store and lines and not cart.coupon_code \
        else []
    here = choices.customer_position(cart, stores) if cart else None
    stock = queries.available([cart.store], [ln.sku_id for ln in lines]) if cart and cart.store else {}
    return render("shop/cart.html", "shop/_cart.html", status=status, cart=cart, lines=lines,
                      prices=prices, store=store, option=option, problem=problem, pickup=pickup,
                      districts=queries.districts(stores), located=here is not None, stock=stock,
                      others={ln.sku_id: [o for o in pickup if ln.sku not in o.missing] for ln in lines},
                      photos=photo_queries.sku_photos(ln.sku for ln in lines),
                      coupon_error=coupon_error, typed_code=typed_code, my_coupons=mine,
                      coupon_saving=next((a.saving for a in prices.promotions if a.id in coupon), None)
                      if prices else None)


@bp.get("/cart")
def cart():
    return cart_page(current_cart())


@bp.post("/cart/add")
def add_to_cart():
    cart = cart_to_change()
    sku = db.session.get(SKU, form_id("sku") or 0, options=[joinedload(SKU.product)])  # its product: one read
    try:
        carts.add(cart, sku, request.form.get("quantity", "1"))
    except DomainError as e:
        db.session.rollback()
        flash(str(e), "error")
        return _back()
    db.session.commit()
    flash(_("Added %(name)s to your cart.", name=sku.display_name), "success")
    return keep_cart_cookie(_back(), cart)


@bp.post("/cart/lines/<int:line_id>")
def change_line(line_id: int):
    cart = current_cart()
    if cart is None:
        return redirect(url_for("shop.cart"), 303)
    try:
        if request.form.get("remove"):
            carts.remove(cart, line_id)
        else:
            carts.set_quantity(cart, line_id, request.form.get("quantity", ""))
    except DomainError as e:
        db.session.rollback()
        return cart_page(current_cart(), 422, str(e))
    db.session.commit()
    return redirect(url_for("shop.cart"), 303)


@bp.post("/cart/coupon")
def cart_coupon():
    """A coupon code typed in the cart, checked against the cart at its store; or taken off again."""
    cart = current_cart()
    if cart is None or not cart.lines:
        return redirect(url_for("shop.cart"), 303)
    if request.form.get("remove"):
        cart.coupon_code = ""
    else:
        store = pricing_store(cart)
        try:
            if store is None:
                raise NoPickupStore()
            me = customer()
            coupon = coupons.check_typed(request.form.get("code", ""), store,
                                         [(ln.sku, ln.quantity) for ln in cart.lines], member=member(),
                                         customer_id=me.id if me else None)
        except DomainError as e:
            db.session.rollback()
            return cart_page(current_cart(), e.status, coupon_error=str(e),
                             typed_code=coupons.normal(request.form.get("code", ""))[:32])
        cart.coupon_code = coupon.code
    db.session.commit()
    return redirect(url_for("shop.cart") + "#coupon", 303)


@bp.post("/cart/fulfilment")
def choose_fulfilment():
    """Pickup or delivery; where the customer is (district or the browser's position); the store."""
    cart = cart_to_change()
    form = request.form
    store_id = form_id("store")
    store = db.session.get(Store, store_id) if store_id else None  # delivery names none: nothing to read
    position = geo.valid_position(form.get("latitude"), form.get("longitude"))
    carts.choose(cart, fulfilment=form.get("fulfilment"), district=form.get("district"), position=position,
                 address=form.get("address"), store=store if store and store.online_pickup and store.active else None,
                 forget_position=bool(form.get("district_changed")))
    db.session.commit()
    return keep_cart_cookie(redirect(url_for("shop.cart") + "#fulfilment", 303), cart)


def _back():
    """Back to the page the form was on (a shop page only), else the cart."""
    target = request.form.get("next", "")
    if not target.startswith("/shop") or target.startswith("//") or "\\" in target:
        target = url_for("shop.cart")
    return redirect(target, 303)
