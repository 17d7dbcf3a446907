"""Which lots on a store's shelf are close to their date, by the chain's days per category."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.catalog.models import SKU, Category, Product
from webapp.clock import business_day
from webapp.extensions import db
from webapp.stock.expiry.models import (
    DEFAULT_EXPIRY_DAYS,
    DEFAULT_OVERSTOCK_DAYS,
    DEFAULT_SALES_WINDOW_DAYS,
    ExpiryWindow,
    MarkdownSuggestion,
    StockSettings,
    SuggestionStatus,
)
from webapp.stock.models import Location, Lot, StockLevel, Usage
from webapp.stores.models import Store


@dataclass
class NearExpiry:
    sku: SKU
    lot: Lot
    on_hand: Decimal
    days_left: int
    suggestion: MarkdownSuggestion | None = None

    @property
    def expired(self) -> bool:
        return self.days_left < 0


def settings() -> StockSettings:
    """The chain's stock settings; the defaults until HQ saves them."""
    found = db.session.scalar(select(StockSettings).order_by(StockSettings.id).limit(1))
    return found or StockSettings(expiry_days=DEFAULT_EXPIRY_DAYS, overstock_days=DEFAULT_OVERSTOCK_DAYS,
                                  sales_window_days=DEFAULT_SALES_WINDOW_DAYS)


def windows() -> dict[int, int]:
    """Days per category id, as HQ set them."""
    return dict(db.session.execute(select(ExpiryWindow.category_id, ExpiryWindow.days)).all())


def window_for(category: Category | None, by_category: dict[int, int], default: int) -> int:
    """A category's own days, else its nearest parent's, else the chain's default."""
    while category is not None:
        if category.id in by_category:
            return by_category[category.id]
        category = category.parent
    return default


def near_expiry(store: Store, today: date | None = None) -> list[NearExpiry]:
    """Lots on the shelf expiring within their category's days (or already past), soonest first."""
    today = today or business_day()
    chain, by_category = settings(), windows()
    widest = max([chain.expiry_days, *by_category.values()])
    rows = db.session.execute(
        select(StockLevel.sku_id, StockLevel.lot_id, func.sum(StockLevel.on_hand))
        .join(Location, Location.id == StockLevel.location_id)
        .join(Lot, Lot.id == StockLevel.lot_id)
        .where(Location.store_id == store.id, Location.usage == Usage.INTERNAL.value, StockLevel.on_hand > 0,
               Lot.expiry_date <= today + timedelta(days=widest))
        .group_by(StockLevel.sku_id, StockLevel.lot_id)
    ).all()
    if not rows:
        return []
    skus = {s.id: s for s in db.session.scalars(
        select(SKU).where(SKU.id.in_({r[0] for r in rows}))
        .options(selectinload(SKU.product).selectinload(Product.category).selectinload(Category.parent)))}
    lots = {lot.id: lot for lot in db.session.scalars(select(Lot).where(Lot.id.in_({r[1] for r in rows})))}
    open_ones = {s.lot_id: s for s in db.session.scalars(
        select(MarkdownSuggestion).where(MarkdownSuggestion.store_id == store.id,
                                         MarkdownSuggestion.status.in_([SuggestionStatus.SUGGESTED.value,
                                                                        SuggestionStatus.ACCEPTED.value]))
        .order_by(MarkdownSuggestion.id))}  # an accepted markdown stays with its lot: it does not come back
    found = []
    for sku_id, lot_id, on_hand in rows:
        sku, lot = skus[sku_id], lots[lot_id]
        days_left = (lot.expiry_date - today).days
        if days_left <= window_for(sku.product.category, by_category, chain.expiry_days):
            found.append(NearExpiry(sku, lot, on_hand, days_left, open_ones.get(lot_id)))
    return sorted(found, key=lambda n: (n.lot.expiry_date, n.sku.display_name))


def suggestions(store: Store, status: SuggestionStatus = SuggestionStatus.SUGGESTED) -> list[MarkdownSuggestion]:
    return list(db.session.scalars(
        select(MarkdownSuggestion).where(MarkdownSuggestion.store_id == store.id,
                                         MarkdownSuggestion.status == status.value)
        .options(selectinload(MarkdownSuggestion.sku).selectinload(SKU.product),
                 selectinload(MarkdownSuggestion.lot), selectinload(MarkdownSuggestion.suggested_by))
        .order_by(MarkdownSuggestion.suggested_at.desc())))
