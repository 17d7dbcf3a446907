"""Scale labels: in-store EAN-13 codes starting 2x that carry a weight or a price.

A pattern says what a prefix means, e.g. ``21PPPPPWWWWWC``: the product's
five-digit PLU, then the weight in grams; ``23PPPPPVVVVVC``: the PLU, then
the price in fen. Patterns are configurable per chain (SCALE_LABELS in the
app config); the check digit is always verified.
"""
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from stdnum import ean

from webapp.errors import DomainError

WEIGHT, PRICE = "weight", "price"

# prefix → (what the value is, digits of PLU, digits of value); 2 + PLU + value + check = 13
DEFAULT_PATTERNS = {
    "21": (WEIGHT, 5, 5),
    "22": (WEIGHT, 5, 5),
    "23": (PRICE, 5, 5),
    "24": (PRICE, 5, 5),
}


class BadScaleLabel(DomainError):
    message = _l("Scale label %(code)s: the check digit is wrong.")


@dataclass(frozen=True)
class ScaleLabel:
    plu: str
    weight_kg: Decimal | None = None  # to the gram
    price: Decimal | None = None  # to the fen


def is_scale_label(code: str, patterns: dict = DEFAULT_PATTERNS) -> bool:
    return len(code) == 13 and code.isdigit() and code[:2] in patterns


def parse(code: str, patterns: dict = DEFAULT_PATTERNS) -> ScaleLabel:
    """Read a scale label; raises BadScaleLabel when the check digit is wrong."""
    if not ean.is_valid(code):
        raise BadScaleLabel(code=code)
    kind, plu_digits, value_digits = patterns[code[:2]]
    plu = code[2:2 + plu_digits]
    value = int(code[2 + plu_digits:2 + plu_digits + value_digits])
    if kind == WEIGHT:
        return ScaleLabel(plu, weight_kg=Decimal(value) / 1000)
    return ScaleLabel(plu, price=Decimal(value) / 100)
