"""What the fulfilment screens refuse, in words store staff understand."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class NotPicking(DomainError):
    message = _l("Order %(number)s has the status “%(status)s”: items can be marked unavailable only while it is "
                  "being picked.")


class LastItem(DomainError):
    message = _l("%(name)s is the last item of order %(number)s: cancel the order instead.")


class LineGone(DomainError):
    message = _l("That item is no longer on order %(number)s.")


class PaymentUnconfirmed(DomainError):
    message = _l("A payment for order %(number)s is still being confirmed: try again in a moment.")


class ShortfallSettled(DomainError):
    message = _l("The store has already chosen what to do about order %(number)s's missing items.")
    status = 409


class StillShort(DomainError):
    message = _l("The shelf still has fewer %(name)s than the online orders hold: choose another way.")
    status = 409
