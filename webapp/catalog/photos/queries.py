"""Which photo a page shows: the colour's own for a variant, else the product's, else none (the placeholder)."""
from sqlalchemy import select

from webapp.catalog.models import SKU, Product
from webapp.catalog.photos.models import ProductPhoto
from webapp.catalog.photos.services import colour_of
from webapp.extensions import db


def main_photos(product_ids) -> dict[int, ProductPhoto]:
    """Each product's picture for lists: its photo for every colour, else its first colour's."""
    ids = list({i for i in product_ids if i})
    if not ids:
        return {}
    found: dict[int, ProductPhoto] = {}
    for photo in db.session.scalars(select(ProductPhoto).where(ProductPhoto.product_id.in_(ids))
                                    .order_by(ProductPhoto.product_id, ProductPhoto.colour != "", ProductPhoto.id)):
        found.setdefault(photo.product_id, photo)
    return found


def photo_for(product: Product, sku: SKU | None = None) -> ProductPhoto | None:
    """The picture of a variant: its colour's photo when there is one, else the product's."""
    photos = list(db.session.scalars(select(ProductPhoto).where(ProductPhoto.product_id == product.id)))
    colour = colour_of(sku.attributes) if sku is not None else ""
    by_colour = {p.colour: p for p in photos}
    return by_colour.get(colour) or by_colour.get("") or (photos[0] if photos else None)


def sku_photos(skus) -> dict[int, ProductPhoto]:
    """The picture of each SKU (cart lines): its colour's photo, else its product's."""
    skus = list(skus)
    product_ids = list({s.product_id for s in skus})
    if not product_ids:
        return {}
    photos = list(db.session.scalars(select(ProductPhoto).where(ProductPhoto.product_id.in_(product_ids))))
    by_key = {(p.product_id, p.colour): p for p in photos}
    main = main_photos(product_ids)
    return {s.id: by_key.get((s.product_id, colour_of(s.attributes))) or main.get(s.product_id)
            for s in skus if by_key.get((s.product_id, colour_of(s.attributes))) or main.get(s.product_id)}


def photos_of(product: Product) -> dict[str, ProductPhoto]:
    """The product's photos by colour ("" for every colour), for the back office."""
    return {p.colour: p for p in db.session.scalars(select(ProductPhoto)
                                                    .where(ProductPhoto.product_id == product.id))}
