"""Checkout: the cart becomes one online order at the store that fulfils it.

The store is the chosen pickup store (which must have everything now) or the
nearest delivering store that reaches the customer. Prices come from the one
pricing seam at that store, whatever the page showed. The order's placement
reserves the stock in the same transaction, last, just before the commit (``webapp.sales.online.hold_stock``):
the hot stock row of a flash sale is locked for milliseconds, not through the whole checkout. A late buyer
this process has just seen refused is told before anything is done (``stock.sold_out``); the first one
refused pays the whole checkout, rolled back.
"""
from dataclasses import dataclass
from decimal import Decimal

from webapp.auth.customers import account_for_order
from webapp.auth.models import Role, User
from webapp.errors import DomainError
from webapp.promotions import coupons
from webapp.promotions.services import Channel, PricedCart, price_cart
from webapp.sales.models import ZERO
from webapp.sales.online import services as online
from webapp.sales.online.errors import EmptyCart, PickupNotOffered
from webapp.sales.online.models import Fulfilment, OnlineOrder
from webapp.shop import carts, choices
from webapp.shop.errors import AmountChanged, BelowMinimum, NoPickupStore, StoreLacksItems
from webapp.shop.models import Cart
from webapp.stock import sold_out
from webapp.stores.models import Store


@dataclass
class Placed:
    order: OnlineOrder
    new_account: User | None  # made by this order (to sign the browser in)


def fulfilling(cart: Cart, reserving: bool = False) -> choices.StoreOption:
    """The store that would fulfil the cart now, or why none can.

    ``reserving``: the order is about to reserve its stock at the chosen pickup store, which is the check
    that counts (a store's stock is not read first only to be checked again)."""
    if not cart.lines:
        raise EmptyCart()
    if cart.fulfilment == Fulfilment.DELIVERY:
        return choices.delivery_option(cart)
    if cart.store is None:  # not picked: the nearest store that has everything, when there is one
        return choices.preselected(cart) or _no_pickup_store()
    if not (cart.store.online_pickup and cart.store.active):
        raise PickupNotOffered(store=cart.store.name)
    [option] = choices.options(cart, [cart.store], stock=not reserving)
    if option.missing:
        raise StoreLacksItems(store=cart.store.name, names=[s.display_name for s in option.missing])
    return option


def _no_pickup_store():
    raise NoPickupStore()


def amounts(cart: Cart, store: Store, member: User | None = None) -> tuple[PricedCart, Decimal, Decimal]:
    """(priced cart, delivery fee, amount due) of the cart at the store, as the checkout page shows them
    (to a signed-in ``member``: at member prices)."""
    prices = price_cart(store, Channel.SHOP, [(line.sku, line.quantity) for line in cart.lines], member=member,
                        coupons=coupons.typed_promotions(cart.coupon_code))
    fee = store.delivery_fee if cart.fulfilment == Fulfilment.DELIVERY else ZERO
    return prices, fee, prices.total + fee


def due_token(cart: Cart, member: User | None = None) -> str | None:
    """"store:amount" the customer must have seen to place this cart's order; None when it cannot be placed
    (placing then says why)."""
    try:
        store = fulfilling(cart).store
    except DomainError:
        return None
    return f"{store.id}:{amounts(cart, store, member)[2]}"


def refuse_known_sold_out(token: str | None, customer: User | None) -> None:
    """A flash sale's late buyer is refused (``SoldOut``) before their cart is even loaded, when this process
    has just seen an item of it sold out at their pickup store (``online.refuse_known_sold_out``).
    Costs nothing while nothing is noted, one light read while something is."""
    if sold_out.noted():
        store_id, lines = carts.pickup_lines(token, customer)
        if store_id is not None:
            online.refuse_known_sold_out(store_id, lines)


def place_new(cart: Cart, customer: User | None, *, phone: str, checkout_key: str, expected_due: str | None = None,
              contact_name: str = "", password: str = "", pay_at_pickup: bool = False, note: str = "",
              member: User | None = None) -> Placed:
    """The cart's order, at the store that fulfils it, priced at that store (for a signed-in ``member``:
    at member prices).

    ``expected_due``: the "store:amount" the customer confirmed (``due_token``); another amount now is
    refused (``AmountChanged``: never charge an amount the customer has not seen) and the very prices
    checked go onto the order. The lines are checked and a line this process has just seen sold out refused
    first (``online.check_order``: no statement); the stock is held last (``online.hold_stock``), after the
    order is written and the cart cleared, so the stock rows stay locked only until the commit that follows.
    A buyer too late for a flash sale's last unit is refused there (``SoldOut``): the caller rolls back the
    whole order (its number is skipped).
    The checkout key is unique: the same form submitted again makes the flush fail (``IntegrityError``);
    the caller rolls back and finds the order that holds the key.
    """
    option = fulfilling(cart, reserving=True)
    store = option.store
    checked = online.check_order(store, [(line.sku, line.quantity) for line in cart.lines])
    prices, _fee, due = amounts(cart, store, member)
    if expected_due is not None and f"{store.id}:{due}" != expected_due:
        online.hold_stock(checked)  # an item gone is told before a changed amount (the page showed none then)
        for sku, _qty in checked.lines:  # held only for the moment: its last unit is not gone
            sold_out.forget(store.id, sku.id)
        raise AmountChanged()  # the caller rolls back: the stock just held goes back at once
    delivery = None
    if cart.fulfilment == Fulfilment.DELIVERY:
        if prices.total < store.minimum_order:
            raise BelowMinimum(store=store.name, minimum=store.minimum_order, total=prices.total)
        delivery = online.Delivery(cart.address, cart.district, cart.latitude, cart.longitude, store.delivery_fee)
    made = None
    if customer is None or customer.role != Role.CUSTOMER:
        customer, created = account_for_order(phone, contact_name, password)
        made = customer if created else None
    order = online.write_order(checked, customer, phone=phone, checkout_key=checkout_key, contact_name=contact_name,
                               delivery=delivery, distance_m=option.distance_m, pay_at_pickup=pay_at_pickup,
                               note=note, member=member, priced=prices, coupon_code=cart.coupon_code)
    carts.clear(cart)
    online.hold_stock(checked)  # last: the stock rows stay locked only until the caller's commit
    return Placed(order, made)
