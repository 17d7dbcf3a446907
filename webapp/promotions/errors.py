"""What can be wrong with a promotion or a coupon, said when it is saved or used."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class InvalidPromotion(DomainError, ValueError):
    """A promotion that cannot be saved; ``field`` names the form field at fault."""

    field = ""

    def __init__(self, **facts):
        super().__init__(**facts)


class NameRequired(InvalidPromotion):
    field = "name"
    message = _l("Give the promotion a name.")


class UnknownKind(InvalidPromotion):
    field = "kind"
    message = _l("Choose a template for the promotion.")


class PercentOutOfRange(InvalidPromotion):
    field = "percent"
    message = _l("A percent off must be more than 0 and at most 100 (got %(percent)s).")


class FixedPriceAboveList(InvalidPromotion):
    field = "price"
    message = _l("The special price %(price)s is above the list price of %(name)s (%(list_price)s).")


class NoTiers(InvalidPromotion):
    field = "tiers"
    message = _l("Give at least one step: spend at least … save ….")


class TierInvalid(InvalidPromotion):
    field = "tiers"
    message = _l("Each step needs a spend above 0 and a saving above 0 and not above the spend "
                 "(got spend %(threshold)s, save %(saving)s).")


class NthInvalid(InvalidPromotion):
    field = "nth"
    message = _l("The Nth item must be the 2nd or later (got %(nth)s).")


class BuyGetInvalid(InvalidPromotion):
    field = "buy"
    message = _l("Buy at least 1 and get at least 1 free (got buy %(buy)s, get %(free)s).")


class BundleOfOne(InvalidPromotion):
    field = "bundle"
    message = _l("A bundle needs at least two items.")


class BundlePriceInvalid(InvalidPromotion):
    field = "bundle_price"
    message = _l("The bundle price must be above 0 and below the items' list prices together (%(value)s).")


class NoScope(InvalidPromotion):
    field = "scope"
    message = _l("Choose what the promotion applies to: every item, or SKUs, products or categories.")


class UnknownScope(InvalidPromotion):
    field = "scope"
    message = _l("%(what)s %(value)s does not exist.")


class EndsBeforeStart(InvalidPromotion):
    field = "ends_at"
    message = _l("The promotion ends (%(ends)s) before it starts (%(starts)s).")


class HoursInvalid(InvalidPromotion):
    field = "hours"
    message = _l("Hours run from 0 to 24, the start before the end (got %(hour_from)s–%(hour_to)s).")


class FloorInvalid(InvalidPromotion):
    field = "margin_floor"
    message = _l("A margin floor is a percent from 0 to below 100 (got %(floor)s).")


class PointsMultiplierInvalid(InvalidPromotion):
    field = "points_multiplier"
    message = _l("A points multiplier is from 1 to 10, a whole number or with one decimal, like 2 or 1.5 "
                 "(got %(value)s).")


class BudgetInvalid(InvalidPromotion):
    field = "budget"
    message = _l("A budget must be more than zero (got %(value)s).")


class UnknownChannel(InvalidPromotion):
    field = "channels"
    message = _l("Unknown sales channel: %(channel)s.")


class NotEditable(DomainError):
    status = 409
    message = _l("The promotion %(name)s has been stopped: copy it to run it again.")


class DuplicateCouponCode(InvalidPromotion):
    field = "codes"
    message = _l("The coupon code %(code)s already exists.")


class CouponCodeInvalid(InvalidPromotion):
    field = "codes"
    message = _l("A coupon code is 4 to 32 letters or digits (got %(code)s).")


class CouponCountInvalid(InvalidPromotion):
    field = "count"
    message = _l("Make between 1 and %(limit)s codes at a time (got %(count)s).")


class UnknownCoupon(DomainError):
    message = _l("There is no coupon %(code)s.")


class CouponUsedUp(DomainError):
    status = 409
    message = _l("The coupon %(code)s has already been used.")


class CouponNotValid(DomainError):
    status = 409
    message = _l("The coupon %(code)s cannot be used for this order now (see its dates, stores and minimum spend).")


class CouponExpired(DomainError):
    status = 409
    message = _l("The coupon %(code)s has expired or been withdrawn.")


class CouponNotYet(DomainError):
    status = 409
    message = _l("The coupon %(code)s can be used from %(starts)s.")


class CouponNotAtStore(DomainError):
    status = 409
    message = _l("The coupon %(code)s cannot be used at %(store)s.")


class CouponNotOnline(DomainError):
    status = 409
    message = _l("The coupon %(code)s is for use in the stores, not online.")


class CouponGivesNothing(DomainError):
    status = 409
    message = _l("The coupon %(code)s gives nothing on this cart yet (see what it applies to and its minimum spend).")


class NotOverstocked(DomainError):
    status = 409
    message = _l("%(name)s is no longer overstocked at %(store)s.")
