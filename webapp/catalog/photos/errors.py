from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class PhotoTooLarge(DomainError):
    message = _l("The photo is too large: at most %(limit)s MB.")


class NotAPhoto(DomainError):
    message = _l("The file is not a photo: upload a JPEG, PNG or WebP image.")


class PhotoTooSmall(DomainError):
    message = _l("The photo is too small: at least %(side)s pixels on its shorter side.")


class UnknownColour(DomainError):
    message = _l("%(name)s has no colour %(colour)s.")
