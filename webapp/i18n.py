"""The user's language, and how numbers read in it."""
from decimal import Decimal

from flask import current_app, has_request_context, request, session
from flask_babel import format_decimal
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
    if amount is None:
        return ""
    symbol = "¥" if current_app.config["CURRENCY"] == "CNY" else current_app.config["CURRENCY"] + " "
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{format_decimal(abs(amount), format='#,##0.00')}"


def format_quantity(amount: Decimal | None) -> str:
    """Whole pieces without decimals, weights to the gram."""
    if amount is None:
        return ""
    return format_decimal(amount, format="#,##0.###")
