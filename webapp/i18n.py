"""The user's language, and how numbers read in it."""
from decimal import Decimal

from babel import lists
from flask import current_app, has_request_context, request, session
from flask_babel import format_currency, format_decimal, get_locale
from flask_login import current_user


def select_locale() -> str:
    """The user's saved choice, then this browser's choice, then Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


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
