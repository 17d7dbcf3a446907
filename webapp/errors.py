"""The base of every typed error a service raises.

Each error carries its facts; its text is translated when it is shown, so the
same error reads in Chinese to a Chinese user and in English to an English one.
"""
from flask_babel import lazy_gettext as _l


class ShopError(Exception):
    message = _l("Something went wrong.")

    def __init__(self, **facts):
        super().__init__(facts)
        self.facts = facts

    def __str__(self) -> str:
        return str(self.message) % self.facts


class InvalidQuantity(ShopError, ValueError):
    message = _l("The quantity must be more than zero (got %(quantity)s).")


class InvalidPrice(ShopError, ValueError):
    message = _l("A price cannot be negative (got %(price)s).")


class TooLong(ShopError, ValueError):
    message = _l("%(what)s is too long: at most %(limit)s characters.")


def check_length(value: str, limit: int, what) -> str:
    """The value, or TooLong when it would not fit its column."""
    if len(value) > limit:
        raise TooLong(what=what, limit=limit)
    return value
