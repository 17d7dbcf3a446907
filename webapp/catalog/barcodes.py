"""Which kind of barcode a code is, and whether its check digit is right."""
from flask_babel import lazy_gettext as _l
from stdnum import ean

from webapp.catalog.models import Symbology
from webapp.errors import DomainError

# Retail codes by their length when they are all digits; anything else printable is Code 128.
NUMERIC_SYMBOLOGIES = {13: Symbology.EAN13, 8: Symbology.EAN8, 12: Symbology.UPCA}
CODE128_MAX = 48


class InvalidBarcode(DomainError):
    message = _l("Barcode %(code)s: %(reason)s")


WRONG_CHECK_DIGIT = _l("the check digit is wrong")
NOT_PRINTABLE = _l("only letters, digits and common symbols can be in a barcode")
TOO_LONG = _l("a barcode has at most 48 characters")
EMPTY = _l("the barcode is empty")


def classify(code: str) -> Symbology:
    """The symbology of a valid code; raises InvalidBarcode with the reason otherwise."""
    code = code.strip()
    if not code:
        raise InvalidBarcode(code=code, reason=EMPTY)
    if code.isdigit() and len(code) in NUMERIC_SYMBOLOGIES:
        if not ean.is_valid(code):
            raise InvalidBarcode(code=code, reason=WRONG_CHECK_DIGIT)
        return NUMERIC_SYMBOLOGIES[len(code)]
    if len(code) > CODE128_MAX:
        raise InvalidBarcode(code=code, reason=TOO_LONG)
    if not all(32 < ord(ch) < 127 for ch in code):
        raise InvalidBarcode(code=code, reason=NOT_PRINTABLE)
    return Symbology.CODE128


def with_check_digit(body: str) -> str:
    """Complete a 12-digit (EAN-13) or 7-digit (EAN-8) body with its check digit."""
    return body + ean.calc_check_digit(body)
