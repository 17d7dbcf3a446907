"""Sharing money to the fen: shares always add up, never exceed their line, refunds add up to the line."""
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from webapp.sales.allocation import allocate, pro_rata_refund

fen = st.integers(min_value=0, max_value=10**7).map(lambda n: Decimal(n) / 100)


def test_an_order_discount_goes_by_the_largest_remainder():
    assert allocate(Decimal("1.00"), [Decimal("1.00")] * 3) == [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")]
    assert allocate(Decimal("0.05"), [Decimal("3.00"), Decimal("1.00")]) == [Decimal("0.04"), Decimal("0.01")]


@given(st.lists(fen, min_size=1, max_size=12), st.data())
def test_shares_add_up_exactly_and_stay_within_each_line(weights, data):
    total = data.draw(st.integers(min_value=0, max_value=int(sum(weights) * 100)).map(lambda n: Decimal(n) / 100))
    shares = allocate(total, weights)
    assert sum(shares) == total
    assert all(Decimal(0) <= share <= weight for share, weight in zip(shares, weights, strict=True))


@given(fen, st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=6))
def test_returning_a_line_in_any_parts_refunds_exactly_its_amount(amount, parts):
    sold, returned, refunded = Decimal(sum(parts)), Decimal(0), Decimal(0)
    for part in parts:
        refund = pro_rata_refund(amount, sold, returned, refunded, Decimal(part))
        assert refund >= 0
        returned, refunded = returned + part, refunded + refund
    assert refunded == amount
