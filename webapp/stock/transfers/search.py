"""Finding a SKU to add to a transfer by name or pinyin initials, among what the store stocks."""
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from webapp.catalog.models import SKU, Product
from webapp.catalog.queries import SEARCH_LIMIT
from webapp.extensions import db
from webapp.stock.models import Location, StockLevel, Usage
from webapp.stores.models import Store

CHOICES = 8


def skus_matching(store: Store, text: str) -> list[SKU]:
    text = text.strip()
    if not text or len(text) > SEARCH_LIMIT:  # longer than any product name: nothing matches
        return []
    on_shelf = (select(StockLevel.sku_id).join(Location, Location.id == StockLevel.location_id)
                .where(Location.store_id == store.id, Location.usage == Usage.INTERNAL.value,
                       StockLevel.on_hand > 0))
    return list(db.session.scalars(
        select(SKU).join(Product).where(
            SKU.id.in_(on_shelf),
            or_(Product.name.icontains(text, autoescape=True),
                Product.initials.contains(text.lower(), autoescape=True)))
        .options(selectinload(SKU.product)).order_by(Product.name, SKU.code).limit(CHOICES)))
