"""Checkout: the cart becomes one online order at the store that fulfils it.

The store is the chosen pickup store (which must have everything now) or the
nearest delivering store that reaches the customer. Prices come from the one
pricing seam at that store, whatever the page showed; the order's placement
reserves the stock in the same transaction (``webapp.sales.online``).
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
from webapp.shop.errors import BelowMinimum, NoPickupStore, StoreLacksItems
from webapp.shop.models import Cart
from webapp.stores.models import Store


@dataclass
class Placed:
    order: OnlineOrder
    new_account: User | None  # made by this order (to sign the browser in)


def fulfilling(cart: Cart) -> choices.StoreOption:
    """The store that would fulfil the cart now, or why none can."""
    if not cart.lines:
        raise EmptyCart()
    if cart.fulfilment == Fulfilment.DELIVERY:
        return choices.delivery_option(cart)
    if cart.store is None:  # not picked: the nearest store that has everything, when there is one
        return choices.preselected(cart) or _no_pickup_store()
    if not (cart.store.online_pickup and cart.store.active):
        raise PickupNotOffered(store=cart.store.name)
    [option] = choices.options(cart, [cart.store])
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


def place(cart: Cart, customer: User | None, *, phone: str, checkout_key: str, contact_name: str = "",
          password: str = "", pay_at_pickup: bool = False, note: str = "", member: User | None = None,
          option: choices.StoreOption | None = None, prices: PricedCart | None = None) -> Placed:
    """Place the cart's order; the same checkout key again returns the order already placed.

    ``member``: the signed-in member, whose order is priced at member prices (as the page showed them).
    ``option`` and ``prices``: the fulfilling store and the cart priced there, as just worked out for
    the amount the customer confirmed (``fulfilling``, ``amounts``): not worked out twice.
    """
    known = online.by_checkout_key(checkout_key)
    if known is not None:  # a double submit: the order placed the first time, whatever the cart holds now
        return Placed(known, None)
    return place_new(cart, customer, phone=phone, checkout_key=checkout_key, contact_name=contact_name,
                     password=password, pay_at_pickup=pay_at_pickup, note=note, member=member, option=option,
                     prices=prices)


def place_new(cart: Cart, customer: User | None, *, phone: str, checkout_key: str, contact_name: str = "",
              password: str = "", pay_at_pickup: bool = False, note: str = "", member: User | None = None,
              option: choices.StoreOption | None = None, prices: PricedCart | None = None) -> Placed:
    """``place`` when the caller has just looked the checkout key up and found no order (a submit
    racing this one is still caught: the key is unique, and its order is returned)."""
    option = option or fulfilling(cart)
    store = option.store
    lines = [(line.sku, line.quantity) for line in cart.lines]
    if prices is None:
        prices = price_cart(store, Channel.SHOP, lines, member=member, coupons=coupons.typed_promotions(cart.coupon_code))
    delivery = None
    if cart.fulfilment == Fulfilment.DELIVERY:
        if prices.total < store.minimum_order:
            raise BelowMinimum(store=store.name, minimum=store.minimum_order, total=prices.total)
        delivery = online.Delivery(cart.address, cart.district, cart.latitude, cart.longitude, store.delivery_fee)
    made = None
    if customer is None or customer.role != Role.CUSTOMER:
        customer, created = account_for_order(phone, contact_name, password)
        made = customer if created else None
    order = online.place_order(store, customer, lines, phone=phone, checkout_key=checkout_key,
                               contact_name=contact_name, delivery=delivery, distance_m=option.distance_m,
                               pay_at_pickup=pay_at_pickup, note=note, member=member, priced=prices,
                               coupon_code=cart.coupon_code)
    if not getattr(order, "placed_now", False):  # the key's order, placed by a submit racing this one
        return Placed(order, None)
    carts.clear(cart)
    return Placed(order, made)
