from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class NothingToReorder(DomainError):
    message = _l("Nothing to order for %(name)s now: no supplier is set up for it, or enough is already on order.")
    status = 409
