"""What the supply rules refuse, each with its facts, in the user's language."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError, check_length


class NotSupplied(DomainError):
    message = _l("%(name)s is no longer supplied by head office.")


class UnknownItem(DomainError):
    message = _l("There is no SKU or barcode %(code)s.")


class NotDraft(DomainError):
    status = 409
    message = _l("Order %(number)s has been submitted already: it can no longer be changed.")


class EmptyOrder(DomainError):
    message = _l("The order has no lines.")


class NothingToReorder(DomainError):
    message = _l("This store has no earlier order to repeat.")


class NotPending(DomainError):
    status = 409
    message = _l("Order %(number)s is %(status)s: it is no longer waiting for a decision.")


class NothingAvailable(DomainError):
    status = 409
    message = _l("Head office has none of the goods of order %(number)s available: it stays in the queue.")


class NoCreditTerms(DomainError):
    message = _l("%(store)s is a franchise store without credit terms: set its credit limit and payment days first.")


class CreditExceeded(DomainError):
    """Not raised at approval (the order is held instead); used to word the hold."""

    status = 409
    message = _l("Held: the order comes to %(amount)s but %(store)s has %(available)s of credit available "
                 "(limit %(limit)s − balance %(balance)s − approved, not yet shipped %(frozen)s).")


class ReasonNeeded(DomainError):
    message = _l("Give a reason.")


class NotHeld(DomainError):
    status = 409
    message = _l("Order %(number)s is not held for credit: there is nothing to override.")


class NotApproved(DomainError):
    status = 409
    message = _l("Order %(number)s is %(status)s: only an approved order can be shipped.")


class NotOnItsWay(DomainError):
    status = 409
    message = _l("Order %(number)s is %(status)s: only a shipped order can be received.")


class NotOnOrder(DomainError):
    message = _l("%(name)s was not shipped on order %(number)s.")


class CountTooLarge(DomainError):
    message = _l("%(name)s: %(counted)s counted but %(shipped)s shipped. Goods over what was shipped are "
                 "counted at most once over; check the count.")


class NoSupplier(DomainError):
    message = _l("No supplier sells %(name)s: it cannot be delivered directly.")


class NotFranchise(DomainError):
    message = _l("%(store)s is not a franchise store: it has no account with head office.")


class BadPeriod(DomainError):
    message = _l("The period must start on or before its end.")


class RebateSettled(DomainError):
    status = 409
    message = _l("The rebate of %(store)s for %(period)s has been settled already.")


class NoRebate(DomainError):
    message = _l("%(store)s bought %(purchases)s in %(period)s: below every rebate tier.")


class BadTerms(DomainError):
    message = _l("Give a credit limit of zero or more and payment days between 0 and 365.")


class BadSetting(DomainError):
    message = _l("Check the values: a rule from the list, whole days, quantities and prices of zero or more.")


def clean_text(value, limit: int, what) -> str:
    """Typed text as it may be stored: stripped, without NUL or other control characters, at most ``limit``."""
    text = "".join(ch for ch in str(value or "") if ch >= " " or ch == "\t").strip()
    return check_length(text, limit, what)
