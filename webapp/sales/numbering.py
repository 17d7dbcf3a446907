"""Order numbers people can read: store code, local date, the day's sequence (HZ01-20261121-0007).

The sequence is a counter row per store and day, made or bumped by one
``INSERT … ON CONFLICT DO UPDATE SET last = last + 1 RETURNING last``: two
tills never get the same number.

On PostgreSQL the bump runs in a transaction of its own, so the counter's row
lock is held for that one statement, not until the order commits (on the peak
day every order of a store would otherwise wait for the one before it). A
number whose order is then rolled back is skipped: numbers stay unique and in
order, with gaps. That short transaction commits without waiting for the
disk (``synchronous_commit = off``): the write-ahead log is written in order,
so an order that committed durably has its number's bump on disk too, and a
crash can only forget bumps whose orders were never saved either.
SQLite has one writer at a time anyway: there the bump stays in the order's
transaction (a second connection would wait for the first one's lock). So does
PostgreSQL's when the store itself is not committed yet (made in the same
transaction: the other connection cannot see it) or the counter row is held by
this transaction: the short one gives up at once and the bump happens here.
Behind PgBouncer (``DATABASE_POOLER``, transaction pooling) the short
transaction needs a pool of its own (``DATABASE_COUNTER_URL``, a database alias
of PgBouncer's): in the orders' pool, orders holding every server connection
would each wait for one more for their number, for ever. Without it the bump
stays in the order's transaction, as on SQLite. The two settings then go with
each short transaction (``set_config(…, true)``), never with a server connection
that another client would inherit.
"""
from flask import current_app
from sqlalchemy import create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError

from webapp.clock import business_day
from webapp.extensions import db
from webapp.sales.models import OrderCounter
from webapp.stores.models import Store


def next_order_number(store: Store) -> str:
    day = business_day()
    counters = OrderCounter.__table__
    postgres = db.session.get_bind().dialect.name == "postgresql"
    insert = pg_insert if postgres else sqlite_insert
    bump = (insert(counters).values(store_id=store.id, day=day, last=1)
            .on_conflict_do_update(index_elements=[counters.c.store_id, counters.c.day],
                                   set_={"last": counters.c.last + 1})
            .returning(counters.c.last))
    sequence = _bumped_apart(bump) if postgres else None
    if sequence is None:
        sequence = db.session.execute(bump).scalar_one()
    return f"{store.code}-{day:%Y%m%d}-{sequence:04d}"


def _bumped_apart(bump) -> int | None:
    """The bump in a short transaction of its own; None when it cannot be done there."""
    engine = _counter_engine()
    if engine is None:
        return None
    try:
        with engine.connect() as connection:
            try:
                sequence = connection.execute(bump).scalar_one()
            except DBAPIError:
                connection.rollback()
                return None
            connection.commit()
    except SQLAlchemyTimeoutError:
        return None
    return sequence


_ENGINES: dict = {}


def _counter_engine():
    """A small pool of its own for the counters: a request holding its connection never waits for a
    second one from the same pool (a threaded server would deadlock when the pool runs dry). None behind
    PgBouncer without the counter's own pool there (DATABASE_COUNTER_URL), for the same reason."""
    pooled = bool(current_app.config.get("DATABASE_POOLER"))
    url = current_app.config.get("DATABASE_COUNTER_URL") or (None if pooled else db.engine.url)
    if url is None:
        return None
    if (url, pooled) not in _ENGINES:
        connect_args = current_app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {})
        engine = create_engine(url, pool_size=4, max_overflow=6, pool_timeout=2, pool_pre_ping=pooled,
                               connect_args=connect_args)
        if pooled:
            event.listen(engine, "begin", _short_and_quick_this_once)
        else:
            event.listen(engine, "connect", _short_and_quick)
        _ENGINES[url, pooled] = engine
    return _ENGINES[url, pooled]


def _short_and_quick(connection, _record) -> None:
    """Once per connection of the counters' pool (not per order): commit without waiting for the disk,
    and give up a lock wait after 200 ms."""
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET lock_timeout = '200ms'")
    connection.commit()


def _short_and_quick_this_once(connection) -> None:
    """The same two settings for one transaction only: behind PgBouncer the next transaction may run on
    another server connection, and this one's goes on to other clients."""
    connection.exec_driver_sql("SELECT set_config('synchronous_commit', 'off', true), "
                               "set_config('lock_timeout', '200ms', true)")
