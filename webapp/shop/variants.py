"""A product's variants as a customer picks them on a phone: one picker per attribute (size, colour...),
each a row of chips; the chosen variant is the SKU whose values match what is picked.

The picks come from the form (``v0=M&v1=红``: the n-th attribute's value) or a SKU id (a link to
one variant). A pick that no SKU has together with the others gives way to the earlier
attributes' picks: tapping a colour the chosen size lacks takes a size that has it.
"""
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from webapp.catalog.models import SKU

MOST_ATTRIBUTES = 4


@dataclass(frozen=True)
class Chip:
    value: str
    chosen: bool
    exists: bool  # some SKU has this value with the other attributes as chosen
    in_stock: bool  # ... and it is on the shelf at the store shown


@dataclass(frozen=True)
class Picker:
    field: str  # the form field: v0, v1...
    name: str  # the attribute: 尺码, 颜色
    chips: list[Chip]


@dataclass(frozen=True)
class Choice:
    sku: SKU
    pickers: list[Picker]


def attribute_names(skus: list[SKU]) -> list[str]:
    """The attributes the SKUs vary by, in the order they were entered."""
    names: list[str] = []
    for sku in skus:
        for name in sku.attributes or {}:
            if name not in names:
                names.append(str(name))
    return names[:MOST_ATTRIBUTES]


def _value(sku: SKU, name: str) -> str:
    return str((sku.attributes or {}).get(name, ""))


def picks_from(args) -> dict[int, str]:
    """The picks a form sent: ``v<n>`` → value (short strings only; anything else is ignored)."""
    return {n: str(args.get(f"v{n}"))[:40] for n in range(MOST_ATTRIBUTES) if args.get(f"v{n}")}


def choose(skus: list[SKU], picks: dict[int, str], sku_id: int | None,
           left: Callable[[SKU], Decimal]) -> Choice | None:
    """The chosen SKU and the pickers that show it; ``left(sku)`` is what the store shown has of it."""
    if not skus:
        return None
    names = attribute_names(skus)
    candidates = list(skus)
    linked = next((s for s in skus if s.id == sku_id), None)
    if linked is not None and not picks:
        candidates = [linked]
    for n, name in enumerate(names):
        wanted = picks.get(n)
        narrowed = [s for s in candidates if _value(s, name) == wanted]
        if narrowed:
            candidates = narrowed
    chosen = next((s for s in candidates if left(s) > 0), candidates[0])
    pickers = []
    for n, name in enumerate(names):
        values = list(dict.fromkeys(_value(s, name) for s in skus if _value(s, name)))
        chips = []
        for value in values:
            match = next((s for s in skus if _value(s, name) == value
                          and all(_value(s, other) == _value(chosen, other) for other in names if other != name)),
                         None)
            chips.append(Chip(value, value == _value(chosen, name), match is not None,
                              match is not None and left(match) > 0))
        pickers.append(Picker(f"v{n}", name, chips))
    return Choice(chosen, pickers)
