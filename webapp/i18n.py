"""The user's language, and how numbers read in it."""
from decimal import Decimal

from babel import lists
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import format_currency, format_decimal, get_locale, get_translations
from flask_login import current_user, user_logged_in
from jinja2 import pass_context
from jinja2.ext import _make_new_ngettext, _make_new_npgettext, _make_new_pgettext
from markupsafe import Markup

# The session's "locale": the language chosen in this browser — by the switch, or the signed-in user's saved
# choice, copied in when they sign in ("": none, Accept-Language decides).
CHOSEN = "locale"


def select_locale() -> str:
    """The user's saved choice, then this browser's choice, then Accept-Language — without a statement.

    The saved choice is read from the user when the request has loaded them already (a staff page has, for
    its role check); else from the session, where signing in copied it. Only a session signed in before
    that copy existed loads the user for it."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user = g.get("_login_user")  # Flask-Login's user of this request, once something has asked for it
    if user is None and CHOSEN not in session and "_user_id" in session:
        user = current_user
    if user is not None and user.is_authenticated and user.locale in languages:
        return user.locale
    if session.get(CHOSEN) in languages:
        return session[CHOSEN]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


@user_logged_in.connect
def keep_saved_choice(_app, user, **_extra) -> None:
    """Signing in (at the staff's or the shop's door) copies the user's saved language into the session, so
    later requests know it without loading the user; a visitor's choice stays when the user has none."""
    if user.locale in current_app.config["LANGUAGES"]:
        session[CHOSEN] = user.locale
    else:
        session.setdefault(CHOSEN, "")


def init_app(app: Flask) -> None:
    app.context_processor(template_translations)


_bound: dict = {}  # the language's translations → its template functions (a few languages: a few entries)


def template_translations() -> dict:
    """The template's _(), gettext, ngettext, pgettext and npgettext, bound once per page to this request's
    translations.

    Flask-Babel gives templates functions that look the language up again on every call (the request's
    context, the locale, the catalogue: a page's layout alone calls _() 17 times). A template asks its own
    context before the globals, so these — made once per language and process, as Jinja's new-style
    functions: the same escaping and %%(name)s formatting — answer every call of the page with one lookup;
    _() is gettext itself, not Jinja's alias that looks gettext up again on every call.
    Templates rendered without a request's context processors (imported macros) keep Flask-Babel's."""
    translations = get_translations()
    bound = _bound.get(translations)
    if bound is None:
        if len(_bound) > 32:  # never more than the languages there are; a safeguard, not a cache policy
            _bound.clear()
        gettext = _template_gettext(translations.ugettext)
        bound = _bound[translations] = {
            "_": gettext,
            "gettext": gettext,
            "ngettext": _make_new_ngettext(translations.ungettext),
            "pgettext": _make_new_pgettext(translations.upgettext),
            "npgettext": _make_new_npgettext(translations.unpgettext),
        }
    return bound


def _template_gettext(ugettext):
    """Jinja's new-style gettext (jinja2.ext._make_new_gettext) over a catalogue's own lookup."""

    @pass_context
    def gettext(context, string: str, **variables) -> str:
        text = ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables  # always a format string, as Jinja's: %% reads as %

    return gettext


def format_money(amount: Decimal | None) -> str:
    """The one money format: ¥1,234.50 for yuan in every language; other currencies as Babel writes them."""
    if amount is None:
        return ""
    currency = current_app.config["CURRENCY"]
    if currency != "CNY":
        return format_currency(amount, currency)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{format_decimal(abs(amount), format='#,##0.00')}"


def format_names(names) -> str:
    """A list of names as the language joins them: 可乐、薯片和纸巾 / cola, crisps and tissues."""
    names = [str(n) for n in names] if not isinstance(names, str) else [names]
    return lists.format_list(names, locale=get_locale() or "zh_Hans_CN") if names else ""


def format_quantity(amount: Decimal | None) -> str:
    """Whole pieces without decimals, weights to the gram."""
    if amount is None:
        return ""
    return format_decimal(amount, format="#,##0.###")
