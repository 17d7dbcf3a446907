"""Splitting money exactly to the fen: an order discount over lines, a refund over returns."""
from decimal import Decimal

from webapp.numbers import FEN, money, round_money


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Share ``total`` in proportion to ``weights`` (money), largest remainder to the fen.

    The shares add up to ``total`` exactly, and none exceeds its weight when
    the total does not exceed the weights' sum. Ties go to the earlier line.
    """
    fen = int(money(total) / FEN)
    parts = [int(money(w) / FEN) for w in weights]
    whole = sum(parts)
    if whole == 0:
        if fen:
            raise ValueError("nothing to share a non-zero amount over")
        return [Decimal("0.00")] * len(parts)
    shares = [fen * part // whole for part in parts]
    remainders = [fen * part % whole for part in parts]
    by_remainder = sorted(range(len(parts)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:fen - sum(shares)]:
        shares[i] += 1
    return [(Decimal(share) * FEN).quantize(FEN) for share in shares]


def pro_rata_refund(amount: Decimal, sold: Decimal, returned_before: Decimal, refunded_before: Decimal,
                    returning: Decimal) -> Decimal:
    """The refund for ``returning`` units of a line that was sold for ``amount``.

    Cumulative: what all returns of the line refund so far is the line amount
    pro rata, rounded once; so returning every unit refunds exactly the amount.
    """
    return round_money(amount * (returned_before + returning) / sold) - refunded_before
