from sqlalchemy import select

from webapp.extensions import db
from webapp.stores.models import Store


def all_stores() -> list[Store]:
    return list(db.session.scalars(select(Store).order_by(Store.kind, Store.code)))


def store_by_code(code: str) -> Store | None:
    return db.session.scalar(select(Store).where(Store.code == code.strip()))
