"""The cart: add, change, remove, remember the fulfilment choice, merge into an account on sign-in.

A cart is found by its cookie token, or by its customer once signed in. Every
quantity goes through the online order's own check (positive, whole unless
weighed, at most 99), so what the cart holds can always be ordered.
"""
import secrets
from decimal import Decimal

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from webapp.auth.models import User
from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.sales.online.models import Fulfilment
from webapp.sales.online.services import MOST_PER_LINE, check_line
from webapp.shop.errors import UnknownProduct
from webapp.shop.models import Cart, CartLine
from webapp.stores.models import Store


def find(token: str | None, customer: User | None, *, whole: bool = True) -> Cart | None:
    """The customer's cart when signed in, else the browser's: with its lines, their SKUs and products and
    the chosen store, in one query (every cart page and the checkout need them all); ``whole=False``: with its
    lines alone (what adding an item or choosing the fulfilment changes)."""
    where = _whose(token, customer)
    if where is None:
        return None
    if whole:
        options = (joinedload(Cart.lines).joinedload(CartLine.sku).joinedload(SKU.product), joinedload(Cart.store))
    else:
        options = (joinedload(Cart.lines),)
    return db.session.scalars(select(Cart).where(*where).options(*options)).unique().first()


def count(token: str | None, customer: User | None) -> Decimal:
    """How many items the cart ``find`` would find holds, in one sum (no objects made)."""
    where = _whose(token, customer)
    if where is None:
        return Decimal("0")
    total = db.session.scalar(select(func.sum(CartLine.quantity)).join(Cart, Cart.id == CartLine.cart_id)
                              .where(*where))
    return quantity(total or 0)


def _whose(token: str | None, customer: User | None) -> list | None:
    """Which cart: the signed-in customer's, else the browser's (its token); None without either."""
    if customer is not None:
        return [Cart.customer_id == customer.id]
    if token:
        return [Cart.token == token, Cart.customer_id.is_(None)]
    return None


_PICKUP_LINES = (select(Cart.store_id, CartLine.sku_id, CartLine.quantity).join(CartLine, CartLine.cart_id == Cart.id)
                 .where(Cart.fulfilment == Fulfilment.PICKUP.value, Cart.store_id.is_not(None)))
_CUSTOMERS_PICKUP_LINES = _PICKUP_LINES.where(Cart.customer_id == bindparam("customer_id"))
_GUESTS_PICKUP_LINES = _PICKUP_LINES.where(Cart.token == bindparam("token"), Cart.customer_id.is_(None))


def pickup_lines(token: str | None, customer: User | None) -> tuple[int | None, list[tuple[int, Decimal]]]:
    """(chosen pickup store, [(SKU id, quantity)]) of the cart ``find`` would find, in one light read
    (no objects made; the statement built once, at import): what a flash sale's late buyer is refused by.
    (None, []) without a chosen store."""
    if customer is not None:
        rows = db.session.execute(_CUSTOMERS_PICKUP_LINES, {"customer_id": customer.id}).all()
    elif token:
        rows = db.session.execute(_GUESTS_PICKUP_LINES, {"token": token}).all()
    else:
        return None, []
    return (rows[0].store_id if rows else None), [(row.sku_id, row.quantity) for row in rows]


def find_or_make(token: str | None, customer: User | None) -> Cart:
    """The cart to change (with its lines, not their SKUs), made when the browser has none yet."""
    cart = find(token, customer, whole=False)
    if cart is None:
        cart = Cart(token=new_token(), customer=customer)
        db.session.add(cart)
        db.session.flush()
        set_committed_value(cart, "lines", [])  # a new cart has none: no query to find out
    return cart


def new_token() -> str:
    return secrets.token_urlsafe(32)


def add(cart: Cart, sku: SKU | None, qty) -> CartLine:
    if sku is None or not sku.active:
        raise UnknownProduct()
    line = _line_for(cart, sku.id)
    total = check_line(sku, (line.quantity if line else Decimal("0")) + check_line(sku, qty))
    if line is None:
        line = CartLine(sku=sku, quantity=total)
        cart.lines.append(line)
    else:
        line.quantity = total
    db.session.flush()
    return line


def set_quantity(cart: Cart, line_id: int, qty) -> None:
    """A new quantity for a line; zero takes it out."""
    line = next((ln for ln in cart.lines if ln.id == line_id), None)
    if line is None:
        return
    if quantity(qty) == 0:
        cart.lines.remove(line)
    else:
        line.quantity = check_line(line.sku, qty)
    db.session.flush()


def remove(cart: Cart, line_id: int) -> None:
    cart.lines[:] = [ln for ln in cart.lines if ln.id != line_id]
    db.session.flush()


def choose(cart: Cart, *, fulfilment: str | None = None, district: str | None = None,
           position: tuple[float, float] | None = None, address: str | None = None,
           store: Store | None = None, forget_position: bool = False) -> None:
    """Remember how and where the customer wants the goods."""
    if fulfilment in {f.value for f in Fulfilment}:
        cart.fulfilment = fulfilment
    if district is not None:
        cart.district = district.strip()[:50]
    if position is not None:
        cart.latitude, cart.longitude = position
    elif forget_position:
        cart.latitude = cart.longitude = None
    if address is not None:
        cart.address = address.strip()[:200]
    if store is not None:
        cart.store = store
    db.session.flush()


def merge_into_account(cart: Cart | None, customer: User) -> Cart | None:
    """On sign-in: the browser's cart joins the customer's (quantities added, at most 99 each)."""
    mine = db.session.scalar(select(Cart).where(Cart.customer_id == customer.id))
    if cart is None or cart is mine:
        return mine
    if mine is None:
        cart.customer = customer
        db.session.flush()
        return cart
    for line in list(cart.lines):
        own = _line_for(mine, line.sku_id)
        if own is None:
            mine.lines.append(CartLine(sku=line.sku, quantity=line.quantity))
        else:
            own.quantity = min(own.quantity + line.quantity, MOST_PER_LINE)
    if cart.store_id and not mine.store_id:
        mine.store_id = cart.store_id
    db.session.delete(cart)
    db.session.flush()
    return mine


def clear(cart: Cart) -> None:
    """The cart's order was placed: its lines, and the coupon the order now holds, leave the cart (one
    DELETE of the cart's lines, not one per line through the unit of work)."""
    db.session.execute(delete(CartLine).where(CartLine.cart_id == cart.id),
                       execution_options={"synchronize_session": False})
    for line in cart.lines:
        db.session.expunge(line)
    set_committed_value(cart, "lines", [])
    if cart.coupon_code:
        cart.coupon_code = ""
        db.session.flush()


def _line_for(cart: Cart, sku_id: int) -> CartLine | None:
    return next((ln for ln in cart.lines if ln.sku_id == sku_id), None)
