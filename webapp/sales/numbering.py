"""Order numbers people can read: store code, local date, the day's sequence (HZ01-20261121-0007).

The sequence is a counter row per store and day, bumped with one
``UPDATE … SET last = last + 1 … RETURNING last``: the row lock (PostgreSQL)
or the single writer (SQLite) makes two tills never get the same number.
"""
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webapp.clock import business_day
from webapp.extensions import db
from webapp.sales.models import OrderCounter
from webapp.stores.models import Store


def next_order_number(store: Store) -> str:
    day = business_day()
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(OrderCounter).values(store_id=store.id, day=day, last=0).on_conflict_do_nothing())
    counters = OrderCounter.__table__
    sequence = db.session.execute(
        update(counters).where(counters.c.store_id == store.id, counters.c.day == day)
        .values(last=counters.c.last + 1).returning(counters.c.last)
    ).scalar_one()
    return f"{store.code}-{day:%Y%m%d}-{sequence:04d}"
