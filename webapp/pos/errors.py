"""What can go wrong with registers, shifts and cash, in words a shop understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import ShopError
from webapp.sales.errors import ShiftClosed, WrongTill

__all__ = ["ShiftClosed", "WrongTill"]  # the sale's errors about the till, raised here too


class RegisterNameTaken(ShopError):
    message = _l("The store already has a register called %(name)s.")


class InvalidReceiptWidth(ShopError, ValueError):
    message = _l("Receipt paper is 58 or 80 mm wide (got %(width)s).")


class RegisterInactive(ShopError):
    message = _l("Register %(register)s is not in use.")


class NotStoreStaff(ShopError):
    message = _l("%(name)s does not work in this store.")


class ShiftAlreadyOpen(ShopError):
    message = _l("Register %(register)s already has an open shift.")


class InvalidAmount(ShopError, ValueError):
    message = _l("The amount must be more than zero (got %(amount)s).")


class CashFloatNegative(ShopError, ValueError):
    message = _l("The opening float cannot be negative (got %(amount)s).")


class ReasonRequired(ShopError):
    message = _l("Give a reason for putting in or taking out cash.")


class InvalidDenomination(ShopError, ValueError):
    message = _l("%(denomination)s is not a banknote or coin.")


class InvalidCount(ShopError, ValueError):
    message = _l("A count is a whole number, zero or more (got %(count)s).")


class InvalidPin(ShopError, ValueError):
    message = _l("A PIN is 4 to 8 digits.")


class PinTaken(ShopError):
    message = _l("Another manager of the store already uses this PIN: choose another.")


class WrongPin(ShopError):
    message = _l("The PIN is wrong or is not a manager's of this store.")
