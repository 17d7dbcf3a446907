"""What can go wrong in the shop's cart and checkout, in words a customer understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class NoPickupStore(DomainError):
    message = _l("Choose a store to pick up from.")


class StoreLacksItems(DomainError):
    message = _l("%(store)s does not have everything in your cart: %(names)s. "
                 "Choose another store or remove the item.")
    lists = ("names",)


class OutsideDeliveryArea(DomainError):
    message = _l("No store delivers to %(district)s from there yet: it is outside every store's delivery "
                 "area. Choose pickup, or another address.")


class NoDeliveryStoreHasAll(DomainError):
    message = _l("No store that delivers to you has everything in your cart: %(names)s. "
                 "Remove it or choose pickup.")
    lists = ("names",)


class AddressRequired(DomainError):
    message = _l("Enter the delivery address and choose its district (or use your location).")


class BelowMinimum(DomainError):
    message = _l("%(store)s delivers orders from %(minimum)s; your items come to %(total)s.")


class UnknownProduct(DomainError):
    message = _l("This item is no longer sold.")


class AmountChanged(DomainError):
    """The cart, a price or the store changed since the checkout page showed the amount to pay."""

    message = _l("The amount to pay has changed: check it and place the order again.")
    status = 409
