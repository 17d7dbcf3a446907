"""Which store fulfils the cart: pickup at a nearby store that has everything, or delivery.

Pickup: every store that offers pickup, nearest first (from the customer's
coordinates or their district's centre), each saying whether it has every
item now and what it lacks. Delivery: the nearest store that has everything
and whose delivery radius reaches the customer.

Until the customer picks a store, the nearest one that has everything is taken for
them (``preselected``), so checkout is one tap from the cart.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from webapp.shop import geo, queries
from webapp.shop.errors import AddressRequired, NoDeliveryStoreHasAll, OutsideDeliveryArea
from webapp.shop.models import Cart
from webapp.stores.models import Store


@dataclass
class StoreOption:
    store: Store
    distance_m: int | None
    missing: list = field(default_factory=list)  # the cart's SKUs it cannot supply in full
    approximate: bool = False  # measured from the centre of the customer's district, not from them

    @property
    def has_everything(self) -> bool:
        return not self.missing

    @property
    def shown_distance(self) -> int | None:
        """The distance worth telling: none from a district's centre to a store in that district
        (the centre of a one-store district is the store itself: "0 m" would be a lie)."""
        if self.distance_m is None or (self.approximate and self.store.district and self.distance_m < 1000):
            return None
        return self.distance_m

    @property
    def distance_label(self) -> str:
        return geo.distance_label(self.shown_distance)


def customer_position(cart: Cart, stores: list[Store]) -> geo.Position | None:
    if cart.latitude is not None and cart.longitude is not None:
        return (cart.latitude, cart.longitude)
    return geo.district_centre(stores, cart.district) if cart.district else None


def options(cart: Cart, stores: list[Store], stock: bool = True,
            position: geo.Position | None = None) -> list[StoreOption]:
    """Every given store with its distance and what it lacks, best first: complete, then nearest
    (``stock=False``: what it lacks is not looked at; the caller reserves, which checks it;
    ``position``: where the customer is, found already)."""
    wanted = {line.sku_id: line for line in cart.lines}
    if stock:
        levels = queries.available(stores, list(wanted))
    here = position or customer_position(cart, stores)
    approximate = cart.latitude is None or cart.longitude is None
    result = []
    for store in stores:
        where = geo.position_of(store)
        distance = geo.distance_m(here, where) if here and where else None
        missing = [line.sku for sku_id, line in wanted.items()
                   if stock and levels.get((store.id, sku_id), Decimal("0")) < line.quantity]
        result.append(StoreOption(store, distance, missing, approximate))
    return sorted(result, key=lambda o: (bool(o.missing), o.distance_m is None, o.distance_m or 0, o.store.code))


def pickup_options(cart: Cart) -> list[StoreOption]:
    return options(cart, [s for s in queries.online_stores() if s.online_pickup and s.active])


def preselected(cart: Cart, pickup: list[StoreOption] | None = None) -> StoreOption | None:
    """The pickup store taken for a customer who has not picked one: the nearest that has everything
    (from their position or district), or the only one that has everything when where they are is unknown."""
    pickup = pickup_options(cart) if pickup is None else pickup
    complete = [o for o in pickup if o.has_everything]
    located = [o for o in complete if o.distance_m is not None]
    if located:
        return located[0]
    return complete[0] if len(complete) == 1 else None


def delivery_option(cart: Cart) -> StoreOption:
    """The nearest store with everything whose radius reaches the customer; a clear refusal otherwise.

    Only the stores near the customer are read (``queries.delivering_near``), and only their stock: a chain's
    hundred other stores cost nothing."""
    if cart.latitude is not None and cart.longitude is not None:
        here = (cart.latitude, cart.longitude)
    else:
        here = queries.district_centre(cart.district) if cart.district else None
    if not cart.address.strip() or here is None:
        raise AddressRequired()
    reaching = [o for o in options(cart, queries.delivering_near(here), position=here)
                if o.distance_m is not None and o.distance_m <= o.store.delivery_radius_m]
    if not reaching:
        raise OutsideDeliveryArea(district=cart.district or "—")
    complete = [o for o in reaching if o.has_everything]
    if not complete:
        names = {sku.display_name for o in reaching for sku in o.missing}
        raise NoDeliveryStoreHasAll(names=sorted(names))
    return complete[0]
