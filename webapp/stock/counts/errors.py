"""What can go wrong while counting, in words a shop understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class NegativeCount(DomainError, ValueError):
    message = _l("A count cannot be negative (got %(quantity)s).")


class WeightRequired(DomainError):
    message = _l("%(name)s is weighed: type its weight in kg.")


class OutOfScope(DomainError):
    message = _l("%(name)s is not in this count (%(scope)s).")


class UnknownLot(DomainError):
    message = _l("%(name)s has no lot or serial number %(lot)s.")


class CountClosed(DomainError):
    message = _l("This count was already approved: nothing more can change.")


class CategoryRequired(DomainError):
    message = _l("Choose the category to count.")


class SerialCountedTwice(DomainError):
    message = _l("Serial number %(serial)s of %(name)s is one item: it is counted once, as 1 or 0.")


class NotYourEntry(DomainError):
    message = _l("Only the person who counted an entry can remove it.")
