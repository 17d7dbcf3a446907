"""Exact money and quantities.

Money is a ``Decimal`` in Python and an integer of fen (1/100 yuan) in the
database; a quantity is a ``Decimal`` and an integer of thousandths (weighed
goods in kg to the gram). Never a float.
"""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

from webapp.errors import DomainError

FEN = Decimal("0.01")
GRAM = Decimal("0.001")
# Far beyond any shop's figures, far inside a 64-bit integer of fen or thousandths.
LARGEST = Decimal("1000000000")


class NotANumber(DomainError, ValueError):
    message = _l("%(value)s is not a number.")


class NotExact(DomainError, ValueError):
    message = _l("%(value)s has too many decimals: at most %(places)s.")


class TooLarge(DomainError, ValueError):
    message = _l("%(value)s is too large.")


def to_decimal(value) -> Decimal:
    """A Decimal from user input or code; floats are refused."""
    if isinstance(value, float):
        raise TypeError("floats are not exact: pass a str, int or Decimal")
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise NotANumber(value=str(value)[:40]) from None
    if not result.is_finite():
        raise NotANumber(value=str(value)[:40])
    if abs(result) >= LARGEST:
        raise TooLarge(value=str(value)[:40])
    return result


def round_money(value) -> Decimal:
    """Half-up to the fen: the one rounding, done once at the line."""
    return to_decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def money(value) -> Decimal:
    """Parse a money amount that must already be exact to the fen."""
    return _exact(to_decimal(value), FEN)


def quantity(value) -> Decimal:
    """Parse a quantity that must be exact to the thousandth."""
    return _exact(to_decimal(value), GRAM)


def _exact(value: Decimal, step: Decimal) -> Decimal:
    rounded = value.quantize(step)
    if rounded != value:
        raise NotExact(value=value, places=-step.as_tuple().exponent)
    return rounded


class _ScaledInteger(TypeDecorator):
    impl = BigInteger
    cache_ok = True
    step: Decimal

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        exact = _exact(to_decimal(value), self.step)
        return int(exact / self.step)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) * self.step).quantize(self.step)

    def coerce_compared_value(self, op, value):
        return self

    class Comparator(TypeDecorator.Comparator):
        """Arithmetic keeps the scaled type: on_hand - reserved is still a quantity."""

        def _adapt_expression(self, op, other_comparator):
            return op, self.type

    @property
    def comparator_factory(self):
        return type("ScaledComparator", (self.Comparator, self.impl.comparator_factory), {})


class Money(_ScaledInteger):
    """Decimal yuan stored as integer fen."""

    cache_ok = True
    step = FEN


class Quantity(_ScaledInteger):
    """Decimal quantity stored as integer thousandths."""

    cache_ok = True
    step = GRAM
