"""What can go wrong with an online order, in words a customer understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class SoldOut(DomainError):
    message = _l("Sold out: %(name)s at %(store)s has only %(available)s left.")
    quantities = ("available",)


class EmptyCart(DomainError):
    message = _l("Your cart is empty.")


class QuantityTooLarge(DomainError, ValueError):
    message = _l("At most %(limit)s of one item per order (got %(quantity)s).")
    quantities = ("limit", "quantity")


class NotSoldOnline(DomainError):
    message = _l("%(name)s is not sold online.")


class StatusRefused(DomainError):
    message = _l("Order %(number)s has the status “%(status)s”: this step is not possible now.")


class NotCancellable(DomainError):
    message = _l("Order %(number)s is already being picked: it can no longer be cancelled here. "
                 "Please call the store.")


class OrderClosed(DomainError):
    message = _l("Order %(number)s is closed (%(status)s): nothing more can be paid.")


class AlreadyPaid(DomainError):
    message = _l("Order %(number)s is already paid.")


class NotPaid(DomainError):
    message = _l("Order %(number)s is not paid yet: %(due)s is due.")
    money = ("due",)


class PickupNotOffered(DomainError):
    message = _l("%(store)s does not offer pickup for online orders.")


class PayAtPickupNotOffered(DomainError):
    message = _l("%(store)s does not take payment at pickup.")


class RefundRefused(DomainError):
    message = _l("The payment provider refused to refund %(amount)s (%(reason)s): nothing was changed.")
    money = ("amount",)


class DueChanged(DomainError):
    status = 409
    message = _l("Order %(number)s now owes %(due)s: look at what is left to pay and apply again.")
    money = ("due",)
