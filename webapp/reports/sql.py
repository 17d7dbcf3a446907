"""SQL pieces every report shares: exact sums of scaled integers, and a report's scope.

Money columns hold integer fen and quantity columns integer thousandths, so a
quantity times a cost is an integer of 1/100,000 yuan. Reports multiply and
sum those raw integers in the database (exact, no floats) and turn the sums
into Decimals here, rounding half-up to the fen once, at the row.
"""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, select, type_coerce

from webapp.catalog.models import SKU, Product
from webapp.numbers import GRAM, round_money
from webapp.stock.models import Location, Usage
from webapp.stores.models import Store

FEN_PER_YUAN = 100
THOUSANDTHS = 1000
VALUE_UNITS = Decimal(FEN_PER_YUAN * THOUSANDTHS)  # a quantity × a cost, in 1/100,000 yuan
ZERO = Decimal("0")


def raw(column):
    """The stored integer behind a Money or Quantity column, for arithmetic in SQL."""
    return type_coerce(column, BigInteger)


def value(raw_sum) -> Decimal:
    """Σ quantity × cost, from raw integers to yuan, half-up to the fen."""
    return round_money(Decimal(int(raw_sum or 0)) / VALUE_UNITS)


def money(raw_sum) -> Decimal:
    """Σ of a Money column (fen) to yuan."""
    return (Decimal(int(raw_sum or 0)) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def quantity(raw_sum) -> Decimal:
    """Σ of a Quantity column (thousandths) to a quantity."""
    return (Decimal(int(raw_sum or 0)) / THOUSANDTHS).quantize(GRAM)


def shelves(store: Store | None):
    """SQL: the ids of the shelves (and the HQ warehouse) a report covers: one store's, or all."""
    query = select(Location.id).where(Location.usage == Usage.INTERNAL.value)
    return query.where(Location.store_id == store.id) if store is not None else query


def stock_value(on_hand: Decimal, cost: Decimal) -> Decimal:
    """On hand at a cost, half-up to the fen."""
    return round_money(on_hand * cost)


@dataclass(frozen=True)
class Item:
    """A SKU as a report row shows it, read as plain columns: loading 26,000 SKU and
    product objects through the ORM would take seconds, the columns take milliseconds."""

    id: int
    code: str
    name: str  # the product's
    attributes: dict | None
    cost: Decimal

    @property
    def display_name(self) -> str:
        """As SKU.display_name: the product's name and the variant's attributes."""
        label = " / ".join(str(v) for v in (self.attributes or {}).values())
        return f"{self.name} {label}" if label else self.name


ITEM_COLUMNS = (SKU.id, SKU.code, Product.name, SKU.attributes, SKU.cost)


def item(row) -> Item:
    """The Item of a row that starts with ITEM_COLUMNS."""
    return Item(*row[:len(ITEM_COLUMNS)])
