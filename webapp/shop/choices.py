"""Which store fulfils the cart: pickup at a nearby store that has everything, or delivery.

Pickup: every store that offers pickup, nearest first (from the customer's
coordinates or their district's centre), each saying whether it has every
item now and what it lacks. Delivery: the nearest store that has everything
and whose delivery radius reaches the customer.
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

    @property
    def has_everything(self) -> bool:
        return not self.missing


def customer_position(cart: Cart, stores: list[Store]) -> geo.Position | None:
    if cart.latitude is not None and cart.longitude is not None:
        return (cart.latitude, cart.longitude)
    return geo.district_centre(stores, cart.district) if cart.district else None


def options(cart: Cart, stores: list[Store]) -> list[StoreOption]:
    """Every given store with its distance and what it lacks, best first: complete, then nearest."""
    wanted = {line.sku_id: line for line in cart.lines}
    stock = queries.available(stores, list(wanted))
    here = customer_position(cart, stores)
    result = []
    for store in stores:
        where = geo.position_of(store)
        distance = geo.distance_m(here, where) if here and where else None
        missing = [line.sku for sku_id, line in wanted.items()
                   if stock.get((store.id, sku_id), Decimal("0")) < line.quantity]
        result.append(StoreOption(store, distance, missing))
    return sorted(result, key=lambda o: (bool(o.missing), o.distance_m is None, o.distance_m or 0, o.store.code))


def pickup_options(cart: Cart) -> list[StoreOption]:
    return options(cart, [s for s in queries.online_stores() if s.online_pickup])


def delivery_option(cart: Cart) -> StoreOption:
    """The nearest store with everything whose radius reaches the customer; a clear refusal otherwise."""
    stores = [s for s in queries.online_stores() if s.delivery_radius_m > 0]
    here = customer_position(cart, queries.online_stores())
    if not cart.address.strip() or here is None:
        raise AddressRequired()
    reaching = [o for o in options(cart, stores)
                if o.distance_m is not None and o.distance_m <= o.store.delivery_radius_m]
    if not reaching:
        raise OutsideDeliveryArea(district=cart.district or "—")
    complete = [o for o in reaching if o.has_everything]
    if not complete:
        names = {sku.display_name for o in reaching for sku in o.missing}
        raise NoDeliveryStoreHasAll(names=sorted(names))
    return complete[0]
