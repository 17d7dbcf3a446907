"""Words for statuses, in the user's language."""
from flask_babel import lazy_gettext as _l

from webapp.purchasing.models import NoteStatus, OrderStatus

ORDER_STATUS = {
    OrderStatus.DRAFT: _l("Draft"),
    OrderStatus.SENT: _l("Sent"),
    OrderStatus.PARTLY_RECEIVED: _l("Partly received"),
    OrderStatus.RECEIVED: _l("Fully received"),
    OrderStatus.CLOSED: _l("Order closed"),
}

NOTE_STATUS = {
    NoteStatus.DRAFT: _l("Receiving"),
    NoteStatus.CONFIRMED: _l("Confirmed"),
}

ACTIONS = {"sent": _l("sent"), "closed": _l("closed")}
