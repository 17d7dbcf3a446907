"""What can go wrong with a write-off, in words a shop understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class WriteOffPosted(DomainError):
    message = _l("This write-off was already posted: nothing more can change.")


class NoLines(DomainError):
    message = _l("Scan at least one item to write off.")


class ReasonRequired(DomainError):
    message = _l("Choose why these goods are written off.")


class PhotoTooLarge(DomainError):
    message = _l("The photo is too large: at most %(limit)s MB.")


class NotAPhoto(DomainError):
    message = _l("The file is not a photo: upload a JPEG, PNG or WebP image.")
