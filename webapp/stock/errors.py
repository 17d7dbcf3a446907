"""What can go wrong with stock, in words a shop understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class InsufficientStock(DomainError):
    message = _l("Not enough %(name)s: %(requested)s wanted, %(available)s available.")
    quantities = ("requested", "available")


class ReservationClosed(DomainError):
    message = _l("This reservation was already %(status)s.")


class LotRequired(DomainError):
    message = _l("%(name)s is tracked by lot or serial number: give one.")


class SerialQuantity(DomainError):
    message = _l("%(name)s has serial numbers: receive one unit per serial number.")


class SerialInStock(DomainError):
    message = _l("Serial number %(serial)s of %(name)s is already in stock.")


class ProductStocked(DomainError):
    message = _l("%(name)s already has stock moves: its unit and tracking can no longer change.")
