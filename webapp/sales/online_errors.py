"""What can go wrong with an online order, in words a customer understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import ShopError


class SoldOut(ShopError):
    message = _l("Sold out: %(name)s at %(store)s has only %(available)s left.")


class EmptyCart(ShopError):
    message = _l("Your cart is empty.")


class QuantityTooLarge(ShopError, ValueError):
    message = _l("At most %(limit)s of one item per order (got %(quantity)s).")


class NotSoldOnline(ShopError):
    message = _l("%(name)s is not sold online.")


class StatusRefused(ShopError):
    message = _l("Order %(number)s is %(status)s: this step is not possible now.")


class NotCancellable(ShopError):
    message = _l("Order %(number)s is already being picked: it can no longer be cancelled here. "
                 "Please call the store.")


class OrderClosed(ShopError):
    message = _l("Order %(number)s is closed (%(status)s): nothing more can be paid.")


class AlreadyPaid(ShopError):
    message = _l("Order %(number)s is already paid.")


class NotPaid(ShopError):
    message = _l("Order %(number)s is not paid yet: %(due)s is due.")


class PickupNotOffered(ShopError):
    message = _l("%(store)s does not offer pickup for online orders.")


class PayAtPickupNotOffered(ShopError):
    message = _l("%(store)s does not take payment at pickup.")


class RefundRefused(ShopError):
    message = _l("The payment provider refused to refund %(amount)s (%(reason)s): nothing was changed.")
