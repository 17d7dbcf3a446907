"""The chain's supply terms: settings, what a SKU comes in (packs, minimum, discontinued), what a store pays.

The price a store pays HQ: a direct store pays the transfer cost (the SKU's moving-average cost);
a franchise store pays its delivery price (配送价) — its own price for the SKU if HQ set one, else
its price group's, else the transfer cost.
"""
from decimal import Decimal

from sqlalchemy import select

from webapp.extensions import db
from webapp.purchasing.replenishment import round_up_to_packs
from webapp.stores.models import Store, StoreKind
from webapp.supply.models import AllocationRule, DeliveryPrice, FranchiseTerms, SupplyItem, SupplySettings

ONE = Decimal("1")


def settings(*, lock: bool = False) -> SupplySettings:
    """The chain's settings. ``lock`` holds its row (every allocation takes it), making it on first use;
    a plain read of a chain that never saved any gets the defaults, unsaved, and writes nothing."""
    query = select(SupplySettings).order_by(SupplySettings.id).limit(1)
    found = db.session.scalar(query.with_for_update() if lock else query)
    if found is None:
        found = SupplySettings(allocation_rule=AllocationRule.PRO_RATA.value, lead_time_days=2,
                               low_below=Decimal("20"))
        if lock:
            db.session.add(found)
            db.session.flush()
            db.session.scalar(query.with_for_update())
    return found


def items_for(sku_ids) -> dict[int, SupplyItem]:
    ids = list(sku_ids)
    found = {}
    for start in range(0, len(ids), 900):
        found.update({i.sku_id: i for i in db.session.scalars(
            select(SupplyItem).where(SupplyItem.sku_id.in_(ids[start:start + 900])))})
    return found


def pack_of(item: SupplyItem | None) -> Decimal:
    return item.pack_size if item and item.pack_size > 0 else ONE


def in_packs(wanted: Decimal, item: SupplyItem | None) -> Decimal:
    """At least the minimum, rounded up to whole packs."""
    minimum = item.min_qty if item else Decimal("0")
    return round_up_to_packs(max(wanted, minimum), pack_of(item))


def terms_of(store: Store) -> FranchiseTerms | None:
    return db.session.scalar(select(FranchiseTerms).where(FranchiseTerms.store_id == store.id))


def prices_for(store: Store, skus) -> dict[int, Decimal]:
    """{SKU id: what the store pays HQ}, for many SKUs at once."""
    skus = list(skus)
    prices = {sku.id: sku.cost for sku in skus}
    if store.kind != StoreKind.FRANCHISE or not skus:
        return prices
    terms = terms_of(store)
    ids = [sku.id for sku in skus]
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        if terms and terms.group_id:
            prices.update(dict(db.session.execute(select(DeliveryPrice.sku_id, DeliveryPrice.price).where(
                DeliveryPrice.group_id == terms.group_id, DeliveryPrice.sku_id.in_(chunk))).all()))
        prices.update(dict(db.session.execute(select(DeliveryPrice.sku_id, DeliveryPrice.price).where(
            DeliveryPrice.store_id == store.id, DeliveryPrice.sku_id.in_(chunk))).all()))
    return prices


def price_for(store: Store, sku) -> Decimal:
    return prices_for(store, [sku])[sku.id]
