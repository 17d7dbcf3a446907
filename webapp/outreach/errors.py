"""What member growth refuses, in the user's language."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class SegmentNeedsATag(DomainError, ValueError):
    message = _l("Choose at least one tag for the segment.")


class SegmentNameInvalid(DomainError, ValueError):
    message = _l("A segment needs a name of 1 to %(limit)s characters.")


class UnknownTag(DomainError, ValueError):
    message = _l("%(tag)s is not a tag any member has.")


class EmptySegment(DomainError):
    message = _l("Nobody is in the segment \"%(name)s\" now: there is no one to send to.")


class MessageInvalid(DomainError, ValueError):
    message = _l("The message needs some text, at most %(limit)s characters.")


class UnknownPlaceholder(DomainError, ValueError):
    message = _l("{%(name)s} is not a placeholder: use {name} for the member's name and {coupon} for their coupon.")


class MissingPlaceholder(DomainError, ValueError):
    message = _l("The message gives a coupon: put {coupon} in its text where the code goes.")


class CouponNeeded(DomainError, ValueError):
    message = _l("The message has {coupon} in it: choose the coupon promotion to give.")


class PromotionNotACoupon(DomainError, ValueError):
    message = _l("\"%(name)s\" is not a running coupon promotion.")


class UnknownReferralCode(DomainError):
    message = _l("%(code)s is not an invitation code we know: ask your friend for their link again.")
    status = 404


class SelfReferral(DomainError):
    message = _l("This is your own invitation: share it with a friend instead.")


class NotANewCustomer(DomainError):
    message = _l("An invitation is for new customers: this account has bought before.")
    status = 409


class SettingInvalid(DomainError, ValueError):
    message = _l("%(setting)s must be a whole number from %(low)s to %(high)s.")


class BirthdayInvalid(DomainError, ValueError):
    message = _l("%(value)s is not a date of birth (year-month-day).")
