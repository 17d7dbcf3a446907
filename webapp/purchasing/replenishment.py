"""Replenishment suggestions: how much of each SKU a store should order, and from whom.

The formula, per store and SKU (quantities in the SKU's unit):

    daily demand   d  = max(sold in 7 days / 7, sold in 30 days / 30)
                        (a rising seller is not under-ordered; a quiet week does not
                        make a month's steady seller look dead)
    safety stock   SS = d × max(1, lead time / 2)    days of cover against late trucks and busy days
    target         T  = d × (lead time + REVIEW_DAYS) + SS
                        (enough to last until the goods ordered at the next review arrive)
    position       P  = on hand + on order (open purchase order lines not yet received)
                        + in transit (at the store's transit place)
    need           N  = T − P;  nothing is suggested when N ≤ 0
    suggested         = max(N, the supplier's minimum order quantity), rounded UP to whole packs

"Sold" is what left the store's shelf as a till sale or an online hand-over. A supplier's
minimum order value is not forced into the quantities: a suggestion below it is flagged,
and the buyer decides.
"""
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

REVIEW_DAYS = 7  # stores order once a week
ZERO = Decimal("0")
THOUSANDTH = Decimal("0.001")


@dataclass(frozen=True)
class Inputs:
    sold_7: Decimal
    sold_30: Decimal
    on_hand: Decimal
    on_order: Decimal
    in_transit: Decimal
    lead_time_days: int
    pack_size: Decimal = Decimal("1")
    min_order_qty: Decimal = ZERO


@dataclass(frozen=True)
class Suggestion:
    daily_demand: Decimal
    safety_stock: Decimal
    target: Decimal
    position: Decimal
    need: Decimal
    quantity: Decimal  # what to order: whole packs, at least the minimum; 0 = nothing


def daily_demand(sold_7: Decimal, sold_30: Decimal) -> Decimal:
    return max(Decimal(sold_7) / 7, Decimal(sold_30) / 30)


def safety_stock(demand: Decimal, lead_time_days: int) -> Decimal:
    return demand * max(Decimal(1), Decimal(lead_time_days) / 2)


def round_up_to_packs(wanted: Decimal, pack_size: Decimal) -> Decimal:
    """The smallest whole number of packs holding `wanted` units, in units."""
    if wanted <= 0:
        return ZERO
    packs = (wanted / pack_size).to_integral_value(rounding=ROUND_CEILING)
    return (packs * pack_size).quantize(THOUSANDTH)


def suggest(i: Inputs) -> Suggestion:
    d = daily_demand(i.sold_7, i.sold_30)
    ss = safety_stock(d, i.lead_time_days)
    target = d * (i.lead_time_days + REVIEW_DAYS) + ss
    position = i.on_hand + i.on_order + i.in_transit
    need = target - position
    quantity = round_up_to_packs(max(need, i.min_order_qty), i.pack_size) if need > 0 else ZERO
    return Suggestion(d, ss, target, position, need, quantity)


@dataclass
class SupplierSuggestions:
    """One supplier's suggested lines for a store, with its order value against its minimum."""

    supplier: object
    lines: list = field(default_factory=list)  # SuggestedLine

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def below_minimum(self) -> bool:
        return self.total < self.supplier.minimum_order


@dataclass
class SuggestedLine:
    sku: object
    item: object  # the SupplierItem
    inputs: Inputs
    suggestion: Suggestion

    @property
    def amount(self) -> Decimal:
        return (self.suggestion.quantity * self.item.cost_price).quantize(Decimal("0.01"))
