"""Opening and changing stores."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.errors import ShopError
from webapp.extensions import db
from webapp.stores.models import Store, StoreKind

FIELDS = ("name", "kind", "address", "city", "district", "latitude", "longitude",
          "phone", "opening_hours", "allow_negative_stock", "active")


class StoreCodeTaken(ShopError):
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
            setattr(store, name, fields[name])
    store.kind = StoreKind(store.kind or StoreKind.DIRECT).value
    db.session.flush()
    return store
