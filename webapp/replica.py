"""Reports and the dashboard read from a PostgreSQL streaming replica, when one is configured.

``DATABASE_REPLICA_URL`` names a hot standby of the primary (``DATABASE_URL``). A view that only
reads for a report says so with ``@reads_from_replica``; while it runs, the session sends its
SELECTs to the replica and everything else (a flush, an INSERT/UPDATE/DELETE, DDL, text
statements) to the primary, so a view that also writes (an audit row, a record made on first use)
still writes where writes belong. Replica connections are read-only transactions besides.

Before the replica is used, it is checked — once every ``REPLICA_CHECK_SECONDS`` per process, not
per query: reachable, in recovery (a replica, not a promoted server), and not behind by more than
``REPLICA_MAX_LAG_SECONDS``. Caught up means its replayed WAL has reached the primary's current WAL
position; otherwise its lag is the time since the last transaction it replayed — an upper bound
(after a quiet spell the quiet time counts too), so a doubtful replica is passed over, never trusted. When it is down,
behind, or fails in the middle of a request (connection lost, a query cancelled by recovery), the
view runs on the primary instead — once more, from the start — and the page says so. The switch
is logged when it happens, not on every request.

The page shows, small, where its figures were read and how fresh they are (``_read_from.html``).
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

import flask_sqlalchemy.session
from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

log = logging.getLogger(__name__)

EXTENSION = "huotong.replica"

OK, DOWN, LAGGING, NOT_A_REPLICA = "ok", "down", "lagging", "not_a_replica"


@dataclass
class Reading:
    """One view's run on the replica: where its reads go, and did the replica fail under it?"""

    engine: Engine
    failed: bool = False


_reading: ContextVar[Reading | None] = ContextVar("reading_from_replica", default=None)


class ReadingSession(flask_sqlalchemy.session.Session):
    """``db.session``: the primary, except a read while a view reads from the replica."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        reading = _reading.get()
        if bind is None and reading is not None and not self._flushing and _is_read(clause):
            return reading.engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _is_read(clause) -> bool:
    """A SELECT (or the session's connection asked for without a statement, as reports do for
    plain rows). INSERT, UPDATE, DELETE, DDL and text() go to the primary."""
    return clause is None or bool(getattr(clause, "is_select", False))


@dataclass(frozen=True)
class Health:
    """What the last check found."""

    usable: bool
    reason: str  # OK, DOWN, LAGGING, NOT_A_REPLICA
    lag: float | None = None  # seconds behind the primary; 0 when caught up; None when unknown

    @property
    def lag_seconds(self) -> int | None:
        return None if self.lag is None else int(self.lag + 0.5)


@dataclass(frozen=True)
class ReadFrom:
    """Where this page's figures were read: shown on the page (templates/_read_from.html)."""

    replica: bool
    health: Health


class Replica:
    """The replica of one app in this process: its engine and its last health check."""

    def __init__(self, app: Flask, engine: Engine, primary: Engine):
        self.app, self.engine, self.primary = app, engine, primary
        self._lock = threading.Lock()
        self._health: Health | None = None
        self._checked_at = 0.0
        self._last_error: BaseException | None = None

    def health(self) -> Health:
        """The cached check, refreshed when older than REPLICA_CHECK_SECONDS."""
        with self._lock:
            if self._health is None or time.monotonic() - self._checked_at >= self.app.config["REPLICA_CHECK_SECONDS"]:
                self._last_error = None
                self._remember(self._check(), self._last_error)
            return self._health

    def forget(self) -> None:
        """Check again on the next request (tests; an operator's signal)."""
        with self._lock:
            self._checked_at = float("-inf")  # the last finding stays, so a change is still logged once

    def failed(self, error: BaseException) -> Health:
        """The replica failed under a request: read from the primary until the next check."""
        with self._lock:
            self._remember(Health(False, DOWN), error)
            return self._health

    def _remember(self, health: Health, error: BaseException | None = None) -> None:
        before, self._health, self._checked_at = self._health, health, time.monotonic()
        if before is not None and (before.usable, before.reason) == (health.usable, health.reason):
            return
        if health.usable:
            log.info("Reports read from the replica (%.1f s behind the primary).", health.lag or 0)
        elif health.reason == LAGGING:
            log.warning("Reports read from the primary: the replica is %s s behind (bound %s s).",
                        "?" if health.lag is None else f"{health.lag:.1f}", self.app.config["REPLICA_MAX_LAG_SECONDS"])
        elif health.reason == NOT_A_REPLICA:
            log.warning("Reports read from the primary: DATABASE_REPLICA_URL is not in recovery (promoted?).")
        else:
            log.warning("Reports read from the primary: the replica is unreachable (%s).",
                        _first_line(error) if error else "no answer")

    def _check(self) -> Health:
        try:
            with self.primary.connect() as connection:
                position = connection.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()
        except SQLAlchemyError:
            return Health(False, DOWN)  # the primary itself does not answer: nothing to compare with
        try:
            with self.engine.connect() as connection:
                in_recovery, caught_up, behind = connection.execute(text(
                    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= CAST(:position AS pg_lsn), "
                    "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"), {"position": position}).one()
        except SQLAlchemyError as error:
            self._last_error = error
            return Health(False, DOWN)
        if not in_recovery:
            return Health(False, NOT_A_REPLICA)
        lag = 0.0 if caught_up else (None if behind is None else max(0.0, float(behind)))
        if lag is None or lag > float(self.app.config["REPLICA_MAX_LAG_SECONDS"]):
            return Health(False, LAGGING, lag)
        return Health(True, OK, lag)


def _first_line(error: BaseException) -> str:
    said = str(getattr(error, "orig", None) or error).strip()
    return said.splitlines()[0][:200] if said else type(error).__name__


def replica_of(app: Flask) -> Replica | None:
    return app.extensions.get(EXTENSION)


def init_app(app: Flask) -> None:
    """The replica's engine, when DATABASE_REPLICA_URL is set, and the page's note in every template."""
    app.context_processor(lambda: {"read_from": g.get("read_from")})
    url = app.config.get("DATABASE_REPLICA_URL")
    if not url:
        return
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql") or not url.startswith("postgresql"):
        raise RuntimeError("DATABASE_REPLICA_URL needs PostgreSQL: DATABASE_URL and the replica both postgresql://")
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = {**options.pop("connect_args", {}), "connect_timeout": int(app.config["REPLICA_CONNECT_TIMEOUT"])}
    options["pool_pre_ping"] = True  # a replica restarted since: the stale connection is found before the query
    engine = create_engine(
        url, **options, connect_args=connect_args,
        execution_options={"postgresql_readonly": True},  # never a write, even on a server promoted since
    )
    event.listen(engine, "handle_error", _replica_failed)
    with app.app_context():
        primary = app.extensions["sqlalchemy"].engine
    app.extensions[EXTENSION] = Replica(app, engine, primary)


def _replica_failed(context) -> None:
    """Any error on the replica's engine (connecting included) while a view reads from it."""
    reading = _reading.get()
    if reading is not None:
        reading.failed = True


@contextlib.contextmanager
def reading_from_replica(replica: Replica):
    """Send this block's SELECTs to the replica (no check, no fallback: views use the decorator)."""
    reading = Reading(replica.engine)
    token = _reading.set(reading)
    try:
        yield reading
    finally:
        _reading.reset(token)


def reads_from_replica(view):
    """A view that only reads for a report or the dashboard: run it on the replica when the replica is
    there, answering and close enough; else, or when the replica fails under it, on the primary."""

    @wraps(view)
    def reading_view(*args, **kwargs):
        replica = replica_of(current_app)
        if replica is None:
            return view(*args, **kwargs)
        health = replica.health()
        if not health.usable:
            g.read_from = ReadFrom(False, health)
            return view(*args, **kwargs)
        g.read_from = ReadFrom(True, health)
        try:
            with reading_from_replica(replica) as reading:
                return view(*args, **kwargs)
        except (OperationalError, InterfaceError) as error:  # connection lost, refused; a query cancelled by recovery
            if not reading.failed:
                raise
            g.read_from = ReadFrom(False, replica.failed(error))
        _start_over()
        return view(*args, **kwargs)

    return reading_view


def _start_over() -> None:
    """Undo what the failed run began, on both connections; the objects it loaded are read again."""
    session = current_app.extensions["sqlalchemy"].session
    try:
        session.rollback()
    except SQLAlchemyError:
        session.close()
