from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class AlreadyExpired(DomainError):
    message = _l("Lot %(code)s is past its date: write it off rather than mark it down.")


class NotOnShelf(DomainError):
    message = _l("Lot %(code)s is not on this store's shelf.")


class AlreadyDecided(DomainError):
    message = _l("This suggestion has already been %(status)s.")


class BadDays(DomainError):
    message = _l("Days must be a whole number from 0 to 365 (got %(days)s).")
