"""Reads for the storefront: stores that sell online, what each has, products to show."""
from decimal import Decimal
from math import cos, radians

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from webapp.catalog.models import SKU, Category, Product
from webapp.catalog.queries import product_search
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.stock.models import Location, StockLevel, Usage
from webapp.stores.models import Store, StoreKind

LOW = Decimal("5")  # "3 left" below this; plain "in stock" above


METRES_PER_DEGREE = 111_195  # of latitude (and of longitude at the equator), on geo's sphere
BOX_SLACK = 1.1  # the box around a delivery circle is drawn a tenth wider: the exact distance decides


def _selling_online():
    return (Store.active, Store.kind != StoreKind.HQ_WAREHOUSE.value,
            or_(Store.online_pickup, Store.delivery_radius_m > 0))


def online_stores() -> list[Store]:
    """Stores that take online orders: for pickup, or delivering within a radius."""
    return list(db.session.scalars(select(Store).where(*_selling_online()).order_by(Store.code)))


def first_online_store() -> Store | None:
    """The first store selling online (by code): the prices a customer who has chosen none is shown."""
    return db.session.scalars(select(Store).where(*_selling_online()).order_by(Store.code).limit(1)).first()


def delivering_near(position: tuple[float, float]) -> list[Store]:
    """The stores that may deliver to the position: those whose delivery circle's box (a little wider than
    the circle) holds it, found by the database (a chain's other stores are never loaded); the caller
    measures the exact distance. Positions across the 180th meridian are not looked for."""
    lat, lng = position
    per_lng_degree = METRES_PER_DEGREE * max(cos(radians(lat)), 0.01)
    reach = Store.delivery_radius_m * BOX_SLACK
    return list(db.session.scalars(
        select(Store).where(*_selling_online(), Store.delivery_radius_m > 0,
                            func.abs(Store.latitude - lat) * METRES_PER_DEGREE <= reach,
                            func.abs(Store.longitude - lng) * per_lng_degree <= reach)
        .order_by(Store.code)))


def district_centre(district: str) -> tuple[float, float] | None:
    """The centre of a district as ``geo.district_centre`` takes it (the mean position of the stores selling
    online there), worked out by the database."""
    lat, lng = db.session.execute(
        select(func.avg(Store.latitude), func.avg(Store.longitude))
        .where(*_selling_online(), Store.district == district, Store.latitude.is_not(None),
               Store.longitude.is_not(None))).one()
    return (float(lat), float(lng)) if lat is not None and lng is not None else None


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
