"""What can go wrong with the catalogue, in words a shop understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class UnknownCode(DomainError):
    """The one "unknown code" answer of every scan box."""

    message = _l("No product has the code %(code)s.")
