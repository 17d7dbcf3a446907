"""Reads for the storefront: stores that sell online, what each has, products to show."""
from decimal import Decimal

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from webapp.catalog.models import SKU, Category, Product
from webapp.catalog.queries import product_search
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.stock.models import Location, StockLevel, Usage
from webapp.stores.models import Store, StoreKind

LOW = Decimal("5")  # "3 left" below this; plain "in stock" above


def online_stores() -> list[Store]:
    """Stores that take online orders: for pickup, or delivering within a radius."""
    return list(db.session.scalars(
        select(Store).where(Store.active, Store.kind != StoreKind.HQ_WAREHOUSE.value,
                            or_(Store.online_pickup, Store.delivery_radius_m > 0))
        .order_by(Store.code)))


def districts(stores: list[Store]) -> list[str]:
    return sorted({s.district for s in stores if s.district})


def available(stores: list[Store], sku_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    """Available to sell online (on hand − reserved) per (store id, SKU id), on the stores' shelves."""
    if not stores or not sku_ids:
        return {}
    rows = db.session.execute(
        select(Location.store_id, StockLevel.sku_id, func.sum(StockLevel.on_hand - StockLevel.reserved))
        .join(Location, Location.id == StockLevel.location_id)
        .where(Location.usage == Usage.INTERNAL.value, Location.store_id.in_([s.id for s in stores]),
               StockLevel.sku_id.in_(sku_ids))
        .group_by(Location.store_id, StockLevel.sku_id))
    return {(store_id, sku_id): quantity(total or 0) for store_id, sku_id, total in rows}


def top_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).where(Category.parent_id.is_(None))
                                   .order_by(Category.position, Category.id)))


def _on_sale():
    """Active products with an active SKU that some store has on its shelf."""
    stocked = (select(StockLevel.id).join(Location, Location.id == StockLevel.location_id)
               .join(SKU, SKU.id == StockLevel.sku_id)
               .where(SKU.product_id == Product.id, SKU.active, Location.usage == Usage.INTERNAL.value,
                      StockLevel.on_hand - StockLevel.reserved > 0))
    return and_(Product.active, exists(stocked))


def featured(limit: int = 8) -> list[Product]:
    """The newest products in stock somewhere."""
    return list(db.session.scalars(
        select(Product).options(selectinload(Product.skus)).where(_on_sale())
        .order_by(Product.created_at.desc(), Product.id.desc()).limit(limit)))


def search(text: str = "", category_id: int | None = None) -> Select:
    """Products for the shop: Chinese names, partial words, pinyin initials, codes; active ones only."""
    return product_search(text, category_id).where(Product.active)


def product(product_id: int) -> Product | None:
    found = db.session.get(Product, product_id)
    return found if found is not None and found.active else None


def category(category_id: int | None) -> Category | None:
    return db.session.get(Category, category_id) if category_id else None
