"""What members' services refuse, in the member's or the cashier's language."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError
from webapp.sales.errors import MemberRequired  # noqa: F401  (the payment path's, raised here too)


class UnknownMemberCode(DomainError):
    message = _l("This is not a member code: ask the member to show the code on their member page again.")


class MemberCodeExpired(DomainError):
    message = _l("This member code has expired: ask the member to refresh their member page and show the new code.")


class NotAMember(DomainError):
    status = 404
    message = _l("No member has the number %(phone)s: enrol them with it.")


class InsufficientBalance(DomainError):
    status = 409
    money = ("balance", "amount")
    message = _l("The stored-value balance is %(balance)s: it cannot pay %(amount)s.")


class InsufficientPoints(DomainError):
    status = 409
    message = _l("The member has %(points)s points: %(wanted)s are needed.")


class PointsNotWhole(DomainError):
    money = ("amount",)
    message = _l("%(amount)s is not a whole number of points (%(rate)s points are ¥1).")


class AboveBalanceCap(DomainError):
    money = ("cap", "balance", "amount")
    message = _l("A member's stored value may not go above %(cap)s: the balance is %(balance)s, "
                 "so at most %(amount)s more can be topped up.")


class InvalidTopUp(DomainError):
    money = ("amount",)
    message = _l("A top-up must be more than zero (got %(amount)s).")


class NotATopUp(DomainError):
    status = 404
    message = _l("%(number)s is not a completed top-up.")


class TopUpRefunded(DomainError):
    status = 409
    message = _l("Top-up %(number)s has already been refunded.")


class ReasonRequired(DomainError):
    message = _l("Say why the balance is adjusted: the reason is kept with the change.")


class AdjustBelowZero(DomainError):
    money = ("principal", "bonus")
    message = _l("The balance cannot go below zero: principal %(principal)s, bonus %(bonus)s.")


class InvalidRechargeRule(DomainError):
    message = _l("A recharge rule needs a top-up above zero and a bonus not below zero.")


class NothingApplied(DomainError):
    message = _l("Type an amount of stored value or a number of points above zero to apply.")


class PointsNotANumber(DomainError, ValueError):
    message = _l("%(value)s is not a number of points.")


class NotAWholePointsAmount(DomainError):
    message = _l("%(points)s points do not pay a whole number of fen (%(rate)s points are ¥1): "
                 "use a number of points that does.")


class MoreThanOwed(DomainError):
    money = ("amount", "due")
    message = _l("%(amount)s is more than the order still owes (%(due)s): apply at most that.")


class NotYourOrder(DomainError):
    status = 403
    message = _l("Order %(number)s belongs to another account.")
