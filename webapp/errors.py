"""The base of every typed error a service raises, and the one way a request is refused.

Each error carries its facts; its text is translated when it is shown, so the
same error reads in Chinese to a Chinese user and in English to an English one.

A view does not catch a domain error unless it re-renders its own form with the
reason. Anything else reaches ``refuse`` (registered in ``create_app``): the
request's writes are rolled back — or committed, for the few errors whose
record must survive (``keeps_changes``: a charge that timed out or could not be
given back is the customer's money) — and the reason is shown: a toast for an
htmx request; for a plain form post, back to the page it came from with the
reason flashed; otherwise the error page.
"""
from flask import flash, make_response, redirect, render_template, request
from flask_babel import lazy_gettext as _l

from webapp.web import is_htmx


class DomainError(Exception):
    message = _l("Something went wrong.")
    status = 422  # 409 for "the thing is no longer in a state that allows this"
    keeps_changes = False  # True: what the request wrote before the error is committed, not rolled back
    money: tuple[str, ...] = ()  # the facts that are amounts of money: shown with the one money format
    lists: tuple[str, ...] = ()  # the facts that are lists of names: joined as the language joins them
    quantities: tuple[str, ...] = ()  # the facts that are quantities: pieces without decimals, weights to the gram

    def __init__(self, **facts):
        super().__init__(facts)
        self.facts = facts

    def __str__(self) -> str:
        from webapp.i18n import format_money, format_names, format_quantity

        def shown(key, value):
            if key in self.money:
                return format_money(value)
            if key in self.lists:
                return format_names(value)
            if key in self.quantities and value is not None:
                return format_quantity(value)
            return value

        return str(self.message) % {key: shown(key, value) for key, value in self.facts.items()}


class InvalidQuantity(DomainError, ValueError):
    message = _l("The quantity must be more than zero (got %(quantity)s).")
    quantities = ("quantity",)


class InvalidPrice(DomainError, ValueError):
    message = _l("A price cannot be negative (got %(price)s).")


class TooLong(DomainError, ValueError):
    message = _l("%(what)s is too long: at most %(limit)s characters.")


def check_length(value: str, limit: int, what) -> str:
    """The value, or TooLong when it would not fit its column."""
    if len(value) > limit:
        raise TooLong(what=what, limit=limit)
    return value


def toast(message: str, status: int = 422, category: str = "error"):
    """A message shown as a toast, the page left as it was (``refused`` lets a page react: the till beeps)."""
    response = make_response(render_template("_toast.html", message=message, category=category), status)
    response.headers["HX-Retarget"] = "#toasts"
    response.headers["HX-Reswap"] = "beforeend"
    if category == "error":
        response.headers["HX-Trigger"] = "refused"
    return response


def refuse(error: DomainError):
    """The one answer to a domain error no view caught: undo (or keep) the request's writes, then say why."""
    from webapp.extensions import db

    if error.keeps_changes:
        db.session.commit()
    else:
        db.session.rollback()
    if is_htmx():
        return toast(str(error), error.status)
    back = request.referrer or ""
    if request.method == "POST" and back.startswith(request.host_url):  # a plain form: back to it, with the reason
        flash(str(error), "error")
        return redirect(back, 303)
    return render_template("pages/error.html", title=_l("Not possible"), text=str(error), code=error.status), \
        error.status
