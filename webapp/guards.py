"""Two guards in front of the database for every request and every write, whatever the room.

- A NUL character can be typed into no form and has no place in a URL, yet PostgreSQL refuses it in
  any text with an error: every request is read once (path, query string, form, cookies) and one with
  a NUL is refused with 400, in the user's language, before a view sees it.
- A text longer than its column: PostgreSQL refuses it with an error, SQLite silently keeps it. Every
  INSERT and UPDATE has its texts measured against their columns before it is sent, so both databases
  refuse it the same way, with a clear message (and the request's writes rolled back).
"""
from functools import lru_cache

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Engine, Insert, String, Update, event
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

from webapp.errors import DomainError

NUL = "\x00"


class NulInInput(DomainError):
    message = _l("The input holds a NUL character, which no text may contain. Nothing was saved.")
    status = 400


class ValueTooLong(DomainError, ValueError):
    message = _l("A text of %(length)s characters is too long here: at most %(limit)s. Nothing was saved.")


def refuse_nul() -> None:
    """before_request: a NUL anywhere in what the browser sent is refused."""
    if NUL in request.path or NUL in request.query_string.decode("latin-1") or _has_nul(request.args):
        raise NulInInput()
    if _has_nul(request.cookies):
        raise NulInInput()
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if _has_nul(request.form) or any(NUL in (f.filename or "") for f in request.files.values()):
            raise NulInInput()


def _has_nul(values) -> bool:
    return any(NUL in key or NUL in value for key, value in values.items(multi=True))


def check_text_lengths(_connection, statement, multiparams, params, _execution_options) -> None:
    """before_execute: every text an INSERT or UPDATE sends fits its column, on every database.

    Covers the ORM's flushes and the few hand-written statements (the till's claim of a sale's key) alike.
    """
    if not isinstance(statement, (Insert, Update)):
        return
    limits = _text_limits(statement)
    if not limits:
        return
    for row in (*multiparams, params):
        if not isinstance(row, dict):
            continue
        for key, value in row.items():
            limit = limits.get(key)
            if limit is not None and isinstance(value, str) and len(value) > limit:
                raise ValueTooLong(length=len(value), limit=limit)


@lru_cache(maxsize=1024)
def _text_limits(statement) -> dict[str, int]:
    """{bind name: longest text} of a statement: its table's text columns (the ORM binds values by column
    key) and its own typed binds (``bindparam("key")`` compared with or set to a text column)."""
    limits = {}
    table = getattr(statement, "table", None)
    for column in getattr(table, "columns", ()):
        if isinstance(column.type, String) and column.type.length:
            limits[column.key] = column.type.length
    for element in visitors.iterate(statement):
        if isinstance(element, BindParameter) and isinstance(element.type, String) and element.type.length:
            limits[element.key] = element.type.length
            if isinstance(element.value, str) and len(element.value) > element.type.length:
                raise ValueTooLong(length=len(element.value), limit=element.type.length)
    return limits


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
    if not event.contains(Engine, "before_execute", check_text_lengths):
        event.listen(Engine, "before_execute", check_text_lengths)
