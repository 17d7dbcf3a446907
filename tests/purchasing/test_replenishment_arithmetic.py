"""The suggestion arithmetic on its own: demand, safety stock, packs and minimum orders."""
from decimal import Decimal as D

import pytest

from webapp.purchasing.replenishment import (
    Inputs,
    SuggestedLine,
    SupplierSuggestions,
    round_up_to_packs,
    suggest,
)


def inputs(**changes) -> Inputs:
    base = dict(sold_7=D("70"), sold_30=D("150"), on_hand=D("20"), on_order=D("0"), in_transit=D("0"),
                lead_time_days=2, pack_size=D("1"), min_order_qty=D("0"))
    return Inputs(**{**base, **changes})


def test_a_steady_seller_is_ordered_up_to_lead_time_review_period_and_safety_stock():
    # 10 a day (this week beats the month's 5); lead 2 days → safety 1 day; target 10 × (2 + 7) + 10 = 100
    s = suggest(inputs())
    assert (s.daily_demand, s.safety_stock, s.target) == (D("10"), D("10"), D("100"))
    assert s.quantity == D("80")  # 100 − 20 on hand


def test_a_long_lead_time_holds_half_of_it_as_safety_stock():
    s = suggest(inputs(sold_7=D("7"), sold_30=D("30"), on_hand=D("0"), lead_time_days=10))
    assert s.safety_stock == D("5") and s.target == D("22") and s.quantity == D("22")


def test_the_month_counts_when_this_week_was_quiet():
    s = suggest(inputs(sold_7=D("0"), sold_30=D("60"), on_hand=D("0")))
    assert s.daily_demand == D("2") and s.quantity == D("20")  # 2 × 9 + 2


def test_goods_on_order_and_in_transit_are_not_ordered_again():
    assert suggest(inputs(on_order=D("50"), in_transit=D("10"))).quantity == D("20")
    assert suggest(inputs(on_hand=D("60"), on_order=D("40"))).quantity == D("0")


def test_the_quantity_is_rounded_up_to_whole_packs():
    assert suggest(inputs(pack_size=D("24"))).quantity == D("96")  # 80 → 4 cases of 24
    assert suggest(inputs(on_hand=D("99"), pack_size=D("12"))).quantity == D("12")  # 1 short → one case


def test_the_minimum_order_quantity_is_ordered_when_less_is_needed_then_rounded_to_packs():
    assert suggest(inputs(on_hand=D("95"), min_order_qty=D("30"))).quantity == D("30")
    assert suggest(inputs(on_hand=D("95"), min_order_qty=D("30"), pack_size=D("12"))).quantity == D("36")


def test_nothing_is_ordered_for_a_sku_that_does_not_sell_even_with_a_minimum():
    s = suggest(inputs(sold_7=D("0"), sold_30=D("0"), on_hand=D("0"), min_order_qty=D("10"), pack_size=D("6")))
    assert s.quantity == D("0")


def test_weighed_goods_round_to_packs_of_kilograms():
    s = suggest(inputs(sold_7=D("10.5"), sold_30=D("30"), on_hand=D("3.250"), pack_size=D("5")))
    # 1.5 kg a day × 9 + 1.5 = 15 kg; 15 − 3.25 = 11.75 → three 5 kg cases
    assert s.quantity == D("15.000")


def test_a_store_below_zero_on_hand_orders_the_shortfall_back():
    assert suggest(inputs(on_hand=D("-5"))).quantity == D("105")


@pytest.mark.parametrize("wanted, pack, packed", [
    (D("1"), D("24"), D("24")), (D("24"), D("24"), D("24")), (D("24.001"), D("24"), D("48")),
    (D("0"), D("6"), D("0")), (D("-3"), D("6"), D("0")), (D("0.7"), D("0.5"), D("1.0")),
])
def test_rounding_up_to_packs(wanted, pack, packed):
    assert round_up_to_packs(wanted, pack) == packed


class _Supplier:
    minimum_order = D("500.00")


class _Item:
    def __init__(self, cost):
        self.cost_price = D(cost)


def test_a_supplier_order_below_its_minimum_value_is_flagged():
    group = SupplierSuggestions(_Supplier())
    group.lines.append(SuggestedLine(None, _Item("3.20"), inputs(), suggest(inputs())))  # 80 × 3.20 = 256
    assert group.total == D("256.00") and group.below_minimum
    group.lines.append(SuggestedLine(None, _Item("4.00"), inputs(), suggest(inputs(pack_size=D("24")))))  # 96 × 4
    assert group.total == D("640.00") and not group.below_minimum
