"""Opening and changing stores."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.errors import DomainError, InvalidPrice
from webapp.extensions import db
from webapp.numbers import money
from webapp.stores.models import Store, StoreKind

FIELDS = ("name", "kind", "address", "city", "district", "latitude", "longitude",
          "phone", "opening_hours", "allow_negative_stock", "active",
          # selling online (the shop): pickup, delivery and how long an unpaid order holds its stock
          "online_pickup", "pay_at_pickup", "delivery_radius_m", "delivery_fee", "minimum_order",
          "unpaid_hold_minutes",
          # the till: refunds above this need a manager's PIN; a weight may be typed when no scale is there
          "refund_approval_above", "typed_weights")
MONEY_FIELDS = ("delivery_fee", "minimum_order", "refund_approval_above")


class StoreCodeTaken(DomainError):
    message = _l("The store code %(code)s is already taken.")


def save_store(store: Store | None, *, code: str, **fields) -> Store:
    """Create (store=None) or change a store."""
    code = code.strip().upper()
    clash = db.session.scalar(select(Store).where(Store.code == code))
    if clash and clash is not store:
        raise StoreCodeTaken(code=code)
    if store is None:
        store = Store(code=code)
        db.session.add(store)
    store.code = code
    for name in FIELDS:
        if name in fields:
            value = fields[name]
            if name in MONEY_FIELDS:
                value = money(value if value is not None else 0)
                if value < 0:
                    raise InvalidPrice(price=value)
            setattr(store, name, value)
    store.kind = StoreKind(store.kind or StoreKind.DIRECT).value
    db.session.flush()
    return store
