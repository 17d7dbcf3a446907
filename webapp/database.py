"""Engine settings that keep SQLite honest: WAL, foreign keys, one writer at a time."""
from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine


def tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL and foreign keys on; a transaction that may write begins IMMEDIATE.

    Taking the write lock at BEGIN makes concurrent writers queue on the busy
    timeout instead of failing when a read transaction tries to upgrade. Page
    views (GET, HEAD) only read, so they begin DEFERRED and never wait for a writer.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        view = current_app.view_functions.get(request.endpoint) if has_request_context() else None
        reading = has_request_context() and request.method in ("GET", "HEAD") and not getattr(view, "writes", False)
        connection.exec_driver_sql("BEGIN DEFERRED" if reading else "BEGIN IMMEDIATE")
