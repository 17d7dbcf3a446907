"""What can go wrong with registers, shifts and cash, in words a shop understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError
from webapp.sales.errors import ShiftClosed, WrongTill

__all__ = ["ShiftClosed", "WrongTill"]  # the sale's errors about the till, raised here too


class RegisterNameTaken(DomainError):
    message = _l("The store already has a register called %(name)s.")


class InvalidReceiptWidth(DomainError, ValueError):
    message = _l("Receipt paper is 58 or 80 mm wide (got %(width)s).")


class RegisterInactive(DomainError):
    message = _l("Register %(register)s is not in use.")


class NotStoreStaff(DomainError):
    message = _l("%(name)s does not work in this store.")


class ShiftAlreadyOpen(DomainError):
    message = _l("Register %(register)s already has an open shift.")


class InvalidAmount(DomainError, ValueError):
    message = _l("The amount must be more than zero (got %(amount)s).")


class CashFloatNegative(DomainError, ValueError):
    message = _l("The opening float cannot be negative (got %(amount)s).")


class ReasonRequired(DomainError):
    message = _l("Give a reason for putting in or taking out cash.")


class InvalidDenomination(DomainError, ValueError):
    message = _l("%(denomination)s is not a banknote or coin.")


class InvalidCount(DomainError, ValueError):
    message = _l("A count is a whole number, zero or more (got %(count)s).")


class InvalidPin(DomainError, ValueError):
    message = _l("A PIN is 4 to 8 digits.")


class PinTaken(DomainError):
    message = _l("Another manager of the store already uses this PIN: choose another.")


class WrongPin(DomainError):
    message = _l("The PIN is wrong or is not a manager's of this store.")
