"""Two guards in front of the database for every request and every write, whatever the room.

- A NUL character can be typed into no form and has no place in a URL, yet PostgreSQL refuses it in
  any text with an error: every request is read once (path, query string, form, cookies) and one with
  a NUL is refused with 400, in the user's language, before a view sees it.
- A text longer than its column: PostgreSQL refuses it with an error, SQLite silently keeps it. Before
  each flush every new or changed text is measured against its column, so both refuse it the same way,
  with a clear message and nothing saved.
"""
from flask import Flask, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session

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


def check_text_lengths(session: Session, _flush_context, _instances) -> None:
    """before_flush: every text set on a new or changed row fits its column, on every database."""
    for obj in (*session.new, *session.dirty):
        state = inspect(obj)
        columns = state.mapper.columns
        for key, value in state.dict.items():
            if not isinstance(value, str) or key not in columns:
                continue
            column_type = columns[key].type
            limit = getattr(column_type, "length", None) if isinstance(column_type, String) else None
            if limit is not None and len(value) > limit:
                raise ValueTooLong(length=len(value), limit=limit)


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
    if not event.contains(Session, "before_flush", check_text_lengths):
        event.listen(Session, "before_flush", check_text_lengths)
