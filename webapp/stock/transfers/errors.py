"""What can go wrong with a transfer, in words the stockroom understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import ShopError


class SameStore(ShopError):
    message = _l("A transfer goes to another store.")


class NotDraft(ShopError):
    message = _l("Transfer %(number)s has already been sent: its lines can no longer change.")


class AlreadySent(ShopError):
    message = _l("Transfer %(number)s has already been sent.")


class EmptyTransfer(ShopError):
    message = _l("Add at least one line before sending.")


class NotOnItsWay(ShopError):
    message = _l("Transfer %(number)s is not on its way: it cannot be received now.")


class AlreadyReceived(ShopError):
    message = _l("Transfer %(number)s has already been received.")


class NotOnTransfer(ShopError):
    message = _l("%(name)s is not on transfer %(number)s.")


class SerialNeeded(ShopError):
    message = _l("%(name)s has serial numbers: scan or type the serial number of each unit.")


class UnknownSerial(ShopError):
    message = _l("%(name)s has no lot or serial number %(code)s.")


class SerialTwice(ShopError):
    message = _l("Serial number %(code)s is already on this transfer.")


class CountTooLarge(ShopError):
    message = _l("%(quantity)s is far more than the %(sent)s sent: check the count.")


class WrongResolution(ShopError):
    message = _l("That is not a way to settle this discrepancy.")


class AlreadyResolved(ShopError):
    message = _l("This discrepancy has already been settled.")
