"""What can go wrong while counting, in words a shop understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import ShopError


class UnknownCode(ShopError):
    message = _l("There is no SKU or barcode %(code)s.")


class NegativeCount(ShopError, ValueError):
    message = _l("A count cannot be negative (got %(quantity)s).")


class WeightRequired(ShopError):
    message = _l("%(name)s is weighed: type its weight in kg.")


class OutOfScope(ShopError):
    message = _l("%(name)s is not in this count (%(scope)s).")


class UnknownLot(ShopError):
    message = _l("%(name)s has no lot or serial number %(lot)s.")


class CountClosed(ShopError):
    message = _l("This count was already approved: nothing more can change.")


class CategoryRequired(ShopError):
    message = _l("Choose the category to count.")


class SerialCountedTwice(ShopError):
    message = _l("Serial number %(serial)s of %(name)s is one item: it is counted once, as 1 or 0.")


class NotYourEntry(ShopError):
    message = _l("Only the person who counted an entry can remove it.")
