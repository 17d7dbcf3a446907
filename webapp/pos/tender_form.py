"""What the till's pay panel posted, read one way for a sale and for a payment at pickup.

The panel has three forms, each complete on its own (so nothing typed in one can silently win
in another): a scanned payment code (``payment_code``: WeChat Pay or Alipay by its prefix,
charged for everything due), a cash note tapped (``cash``: the money handed over), or the card
and split form (``method``/``amount``/``auth_code`` lists). A code or reference typed without
its amount is refused, never dropped.
"""
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from webapp.errors import check_length
from webapp.pos.blueprint import bp
from webapp.sales.errors import AmountRequired
from webapp.sales.models import PaymentMethod
from webapp.sales.tenders import Tender, wallet_of

LONGEST = 64  # a payment code, a terminal reference or an amount: longer is not one
NOTES = (5, 10, 20, 50, 100)  # the notes a customer hands over


@bp.app_template_global()
def cash_notes(due: Decimal, most: int = 4) -> list[Decimal]:
    """What a customer is likely to hand over for ``due``: the notes above it, then whole hundreds."""
    hundreds = [Decimal((int(due) // 100 + k) * 100) for k in (1, 2, 3)]
    return sorted({Decimal(n) for n in NOTES if n > due} | {h for h in hundreds if h > due})[:most]


def tenders_from(form: MultiDict, due: Decimal) -> list[Tender]:
    code = check_length(form.get("payment_code", "").strip(), LONGEST, "payment_code")
    if code:
        return [Tender(wallet_of(code).value, due, code)]
    cash = check_length(form.get("cash", "").strip(), LONGEST, "cash")
    if cash:
        return [Tender(PaymentMethod.CASH.value, cash)]
    tenders = []
    for method, amount, auth_code in zip(form.getlist("method"), form.getlist("amount"), form.getlist("auth_code"),
                                         strict=False):
        amount, auth_code = amount.strip()[:LONGEST], auth_code.strip()[:LONGEST]
        if amount:
            tenders.append(Tender(method, amount, auth_code))
        elif auth_code:
            raise AmountRequired()
    return tenders
