"""What can go wrong with a transfer, in words the stockroom understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class SameStore(DomainError):
    message = _l("A transfer goes to another store.")


class NotDraft(DomainError):
    message = _l("Transfer %(number)s has already been sent: its lines can no longer change.")


class AlreadySent(DomainError):
    message = _l("Transfer %(number)s has already been sent.")


class EmptyTransfer(DomainError):
    message = _l("Add at least one line before sending.")


class NotOnItsWay(DomainError):
    message = _l("Transfer %(number)s is not on its way: it cannot be received now.")


class AlreadyReceived(DomainError):
    message = _l("Transfer %(number)s has already been received.")


class NotOnTransfer(DomainError):
    message = _l("%(name)s is not on transfer %(number)s.")


class SerialNeeded(DomainError):
    message = _l("%(name)s has serial numbers: scan or type the serial number of each unit.")


class UnknownSerial(DomainError):
    message = _l("%(name)s has no lot or serial number %(code)s.")


class SerialTwice(DomainError):
    message = _l("Serial number %(code)s is already on this transfer.")


class CountTooLarge(DomainError):
    message = _l("%(quantity)s is far more than the %(sent)s sent: check the count.")


class WrongResolution(DomainError):
    message = _l("That is not a way to settle this discrepancy.")


class AlreadyResolved(DomainError):
    message = _l("This discrepancy has already been settled.")
