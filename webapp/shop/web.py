"""The shop's blueprint and what its views share: the cart cookie, the signed-in customer, prices."""
from decimal import Decimal

from flask import current_app, g, request
from flask_login import current_user

from webapp.auth.customers import has_password
from webapp.auth.models import Role, User
from webapp.extensions import db
from webapp.promotions import coupons
from webapp.promotions.services import Channel, PricedCart, price_cart
from webapp.shop import carts, queries
from webapp.shop.blueprint import bp
from webapp.shop.models import Cart
from webapp.stores.models import Store

CART_COOKIE = "huotong_cart"
CART_DAYS = 365


def customer() -> User | None:
    """The signed-in customer (staff shop as guests)."""
    if current_user.is_authenticated and current_user.role == Role.CUSTOMER:
        return current_user._get_current_object()  # the User itself, never the proxy, onto rows it is set on
    return None


def member() -> User | None:
    """The signed-in customer with an account of their own (a password): member prices are theirs.
    An account a guest's first order made is no membership."""
    me = customer()
    return me if me is not None and has_password(me) else None


def current_cart() -> Cart | None:
    """The request's cart, looked up once per request (and again if the customer signs in or out)."""
    me = customer()
    key = (request.cookies.get(CART_COOKIE), me.id if me else None)
    cached = g.get("shop_cart")
    if cached is None or cached[0] != key or (cached[1] is not None and cached[1] not in db.session):
        g.shop_cart = (key, carts.find(key[0], me))
    return g.shop_cart[1]


def cart_to_change() -> Cart:
    g.pop("shop_cart", None)
    return carts.find_or_make(request.cookies.get(CART_COOKIE), customer())


def keep_cart_cookie(response, cart: Cart | None):
    """The browser keeps its cart's token for a year (closing it loses nothing)."""
    if cart is not None and cart.customer_id is None and request.cookies.get(CART_COOKIE) != cart.token:
        response.set_cookie(CART_COOKIE, cart.token, max_age=CART_DAYS * 86400, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def pricing_store(cart: Cart | None) -> Store | None:
    """Prices shown are the chosen store's, else the first store selling online."""
    if cart is not None and cart.store is not None:
        return cart.store
    return queries.first_online_store()


def priced(store: Store | None, lines: list, coupon_code: str = "") -> PricedCart | None:
    """Lines priced at the store for whoever is shopping: a signed-in member pays member prices; with the
    cart's coupon code, its promotion where it applies."""
    if store is None:
        return None
    return price_cart(store, Channel.SHOP, lines, member=member(), coupons=coupons.typed_promotions(coupon_code))


def cart_count(cart: Cart | None) -> Decimal:
    return sum((line.quantity for line in cart.lines), Decimal("0")) if cart else Decimal("0")


def shown_cart_count() -> Decimal:
    """The badge's count: from the cart in hand when the page has loaded it, else one sum (a page that
    shows no cart never loads its lines, their SKUs and products for the badge)."""
    me = customer()
    key = (request.cookies.get(CART_COOKIE), me.id if me else None)
    cached = g.get("shop_cart")
    if cached is not None and cached[0] == key and (cached[1] is None or cached[1] in db.session):
        return cart_count(cached[1])
    return carts.count(key[0], me)


@bp.app_context_processor
def shop_context() -> dict:
    if not request.path.startswith(bp.url_prefix or "/shop"):
        return {}
    # the badge's count is worked out when a page shows it (a page without it never counts)
    return {"shop_customer": customer(), "shop_cart_count": shown_cart_count}
