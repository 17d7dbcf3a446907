"""The one pricing seam. The till, the shop and store orders price carts only here,
so promotions are added in one place.

Today: the store's own price where it has one, else the list price; for a
member, the member price (the store's, else the chain's) where it is lower.
Each line is rounded half-up to the fen once; the total is the sum of lines.
"""
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select

from webapp.catalog.models import SKU, StorePrice
from webapp.extensions import db
from webapp.numbers import quantity, round_money
from webapp.stores.models import Store


class Channel(StrEnum):
    POS = "pos"
    SHOP = "shop"
    SUPPLY = "supply"


@dataclass(frozen=True)
class PricedLine:
    sku: SKU
    quantity: Decimal
    unit_price: Decimal
    regular_price: Decimal
    amount: Decimal

    @property
    def saving(self) -> Decimal:
        return round_money(self.regular_price * self.quantity) - self.amount


@dataclass(frozen=True)
class PricedCart:
    lines: list[PricedLine]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def saving(self) -> Decimal:
        return sum((line.saving for line in self.lines), Decimal("0.00"))


def price_cart(store: Store, channel: Channel, lines: list[tuple[SKU, Decimal]], member=None) -> PricedCart:
    """Price (SKU, quantity) lines for a store and channel, optionally for a member."""
    store_prices = _store_prices(store, [sku.id for sku, _ in lines])
    priced = []
    for sku, qty in lines:
        qty = quantity(qty)
        own = store_prices.get(sku.id)
        regular = own.price if own else sku.list_price
        unit_price = regular
        if member is not None:
            member_price = own.member_price if own and own.member_price is not None else sku.member_price
            if member_price is not None and member_price < regular:
                unit_price = member_price
        priced.append(PricedLine(sku, qty, unit_price, regular, round_money(unit_price * qty)))
    return PricedCart(priced)


def _store_prices(store: Store, sku_ids: list[int]) -> dict[int, StorePrice]:
    if not sku_ids:
        return {}
    rows = db.session.scalars(
        select(StorePrice).where(StorePrice.store_id == store.id, StorePrice.sku_id.in_(sku_ids)))
    return {row.sku_id: row for row in rows}
