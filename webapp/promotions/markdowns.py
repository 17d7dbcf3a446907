"""Promotions the stockroom asks for in one tap.

Near-expiry markdowns: accepting one in the stockroom prices that lot's SKU at that store
at once (#11 item 11), until the lot is gone (sold out or written off) or past its date.

The stockroom (``webapp.stock.expiry``) sits below promotions, so it publishes the acceptance
(``expiry.services.on_accept``) and this module answers it: one active 折扣 promotion per suggestion,
scoped to the SKU and the store, ending the day after the lot's date, with the lot kept in its
params. The pricing seam drops it while that lot has nothing left on the store's shelves.

Overstock ("建议促销清库存"): an overstocked SKU's alert makes a draft 第2件半价 for that SKU at that
store; the manager previews, simulates and starts it like any other.
"""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp.clock import day_start
from webapp.extensions import db
from webapp.promotions import rules
from webapp.promotions.models import Kind, Promotion, Status
from webapp.stock.expiry import services as expiry
from webapp.stock.models import Location, StockLevel, Usage


def source_of(suggestion) -> str:
    return f"markdown:{suggestion.id}"


def price_markdown(suggestion, user=None) -> Promotion:
    """The accepted markdown as a running promotion (the same one again on a second tap)."""
    made = db.session.scalar(select(Promotion).where(Promotion.source == source_of(suggestion)))
    if made is not None:
        return made
    lot = suggestion.lot
    promotion = Promotion(
        name=_("Near expiry: %(name)s", name=suggestion.sku.display_name)[:80], kind=Kind.PERCENT.value,
        status=Status.ACTIVE.value, params={"percent": str(suggestion.percent_off), "lot_id": lot.id},
        everything=False, sku_ids=[suggestion.sku_id], product_ids=[], category_ids=[],
        store_ids=[suggestion.store_id], channels=[], weekdays=[], source=source_of(suggestion),
        ends_at=day_start(lot.expiry_date + timedelta(days=1)) if lot.expiry_date else None,
        created_by_id=user.id if user else None)
    db.session.add(promotion)
    db.session.flush()
    rules.forget()
    return promotion


def lots_gone(store_id: int, lot_ids: set[int]) -> set[int]:
    """Of these lots, those with nothing left on the store's own shelves (sold out, written off, moved)."""
    left = dict(db.session.execute(
        select(StockLevel.lot_id, func.sum(StockLevel.on_hand))
        .join(Location, Location.id == StockLevel.location_id)
        .where(Location.store_id == store_id, Location.usage == Usage.INTERNAL.value,
               StockLevel.lot_id.in_(sorted(lot_ids)))
        .group_by(StockLevel.lot_id)).all())
    return {lot_id for lot_id in lot_ids if (left.get(lot_id) or 0) <= 0}


def clearance_draft(store, sku, *, user=None) -> Promotion:
    """The overstock alert's one tap: a draft 第2件半价 for the SKU at the store (the same draft again while
    it is not stopped). Refused when the SKU is no longer overstocked there."""
    from webapp.promotions import editing
    from webapp.promotions.errors import NotOverstocked
    from webapp.stock.alerts import queries as alerts

    source = f"overstock:{store.id}:{sku.id}"
    made = db.session.scalar(select(Promotion).where(Promotion.source == source,
                                                     Promotion.status != Status.STOPPED.value))
    if made is not None:
        return made
    if alerts.kind_of(store, sku) != alerts.Kind.OVERSTOCK:
        raise NotOverstocked(name=sku.display_name, store=store.name)
    return editing.save(None, editing.PromotionInput(
        name=_("Clear stock: %(name)s", name=sku.display_name)[:80], kind=Kind.NTH_ITEM.value, nth="2",
        percent="50", sku_ids=[sku.id], store_ids=[store.id], source=source), user=user)


expiry.on_accept.append(price_markdown)
