from flask_babel import lazy_gettext as _l

from webapp.stock.alerts.queries import Kind

KIND_LABELS = {
    Kind.NEGATIVE: _l("Negative stock"), Kind.PROMISED: _l("Online orders short"),
    Kind.OUT: _l("Out of stock"), Kind.LOW: _l("Below the warning line"),
    Kind.OVERSTOCK: _l("Overstock"), Kind.NEAR_EXPIRY: _l("Near expiry"),
}
