"""Reads of the catalogue for lists, search and export."""
from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import selectinload

from webapp.catalog.models import SKU, Barcode, Brand, Category, Product, StorePrice, Supplier
from webapp.extensions import db


def categories() -> list[Category]:
    """Every category, parents before their children, in tree order."""
    by_parent: dict[int | None, list[Category]] = {}
    for category in db.session.scalars(select(Category).order_by(Category.position, Category.id)):
        by_parent.setdefault(category.parent_id, []).append(category)
    ordered: list[Category] = []

    def walk(parent_id):
        for child in by_parent.get(parent_id, []):
            ordered.append(child)
            walk(child.id)

    walk(None)
    return ordered


def brands() -> list[Brand]:
    return list(db.session.scalars(select(Brand).order_by(Brand.name)))


def suppliers() -> list[Supplier]:
    return list(db.session.scalars(select(Supplier).order_by(Supplier.name)))


# The longest text worth searching for: a product's name (String(100)) is no longer.
SEARCH_LIMIT = 100


def product_search(text: str = "", category_id: int | None = None, weighed: bool | None = None,
                   tracking: str | None = None) -> Select:
    """Products matching a name (Chinese, partial), pinyin initials, SKU code or barcode."""
    query = select(Product).options(selectinload(Product.skus).selectinload(SKU.barcodes),
                                    selectinload(Product.category))
    text = text.strip()
    if len(text) > SEARCH_LIMIT:  # longer than any name or code: nothing matches (and LIKE has its limits)
        return query.where(false())
    if text:
        by_code = select(SKU.product_id).outerjoin(Barcode).where(
            or_(SKU.code == text, Barcode.code == text))
        query = query.where(or_(
            Product.name.icontains(text, autoescape=True),
            Product.initials.contains(text.lower(), autoescape=True),
            Product.id.in_(by_code),
        ))
    if category_id:
        query = query.where(Product.category_id.in_(_category_and_below(category_id)))
    if weighed is not None:
        query = query.where(Product.weighed == weighed)
    if tracking:
        query = query.where(Product.tracking == tracking)
    return query.order_by(Product.name, Product.id)


def _category_and_below(category_id: int) -> list[int]:
    ids, frontier = [category_id], [category_id]
    while frontier:
        frontier = list(db.session.scalars(select(Category.id).where(Category.parent_id.in_(frontier))))
        ids += frontier
    return ids


def sku_by_code(code: str) -> SKU | None:
    """The SKU with exactly this SKU code (CSV import matches rows by it)."""
    return db.session.scalar(select(SKU).where(SKU.code == code.strip()))


def store_price(store_id: int, sku_id: int) -> StorePrice | None:
    return db.session.scalar(
        select(StorePrice).where(StorePrice.store_id == store_id, StorePrice.sku_id == sku_id))


def all_skus_for_export():
    return db.session.scalars(
        select(SKU).join(Product).options(selectinload(SKU.barcodes), selectinload(SKU.product)
                                          .selectinload(Product.category),
                                          selectinload(SKU.product).selectinload(Product.brand))
        .order_by(Product.name, SKU.id)
    )


def product_named(name: str) -> Product | None:
    return db.session.scalar(select(Product).where(Product.name == name.strip()).order_by(Product.id).limit(1))


def store_prices_of(product: Product) -> dict[str, str]:
    """The product's store prices as form values: {"price-<store>-<sku>": "3.00", "member-...": ...}."""
    rows = db.session.scalars(
        select(StorePrice).where(StorePrice.sku_id.in_([sku.id for sku in product.skus])))
    values = {}
    for row in rows:
        values[f"price-{row.store_id}-{row.sku_id}"] = str(row.price)
        if row.member_price is not None:
            values[f"member-{row.store_id}-{row.sku_id}"] = str(row.member_price)
    return values
