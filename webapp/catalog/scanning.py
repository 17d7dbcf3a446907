"""The one scan resolver: what a scanned or typed code means, for the till, counts, write-offs,
receiving and transfers alike.

In this order: a scale label (EAN-13 starting 2x: the PLU and a weight or a price), a barcode,
a SKU code, a PLU, a style number (款号: the product, its size and colour still to choose).
Barcodes, SKU codes and style numbers never clash (the catalogue refuses it), so the order only
matters for a PLU that happens to look like a code. A PLU means the product's first active SKU
(a product with no active SKU left still resolves to its first SKU, so its stock can be counted
and written off; the till refuses to sell it). Case barcodes live with the suppliers' terms
(``purchasing``), and serial numbers with the lots (``stock``): those rooms look at them first.
"""
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.catalog import scale_labels
from webapp.catalog.errors import UnknownCode
from webapp.catalog.models import SKU, Barcode, Product
from webapp.extensions import db


@dataclass(frozen=True)
class Scanned:
    code: str
    sku: SKU | None = None
    style: Product | None = None  # a style number: the product whose variant is still to pick
    weight: Decimal | None = None  # kg, from a weight label
    price: Decimal | None = None  # from a price label: the caller weighs it at its own price


def resolve(code: str | None, *, styles: bool = False) -> Scanned:
    """What ``code`` names; ``UnknownCode`` when nothing. ``styles``: a style number is an answer too."""
    code = (code or "").strip()
    patterns = _patterns()
    if scale_labels.is_scale_label(code, patterns):
        label = scale_labels.parse(code, patterns)
        sku = sku_by_plu(label.plu)
        if sku is not None:
            return Scanned(code, sku, weight=label.weight_kg, price=label.price)
    elif code:
        sku = sku_by_code_or_barcode(code) or sku_by_plu(code)
        if sku is not None:
            return Scanned(code, sku)
        style = product_by_style_code(code) if styles else None
        if style is not None:
            return Scanned(code, style=style)
    raise UnknownCode(code=code[:48])


def find(code: str | None) -> SKU | None:
    """The SKU a code names, or None: for screens that say "not found" their own way."""
    try:
        return resolve(code).sku
    except UnknownCode:
        return None


def sku_by_code_or_barcode(code: str) -> SKU | None:
    """A barcode first, else a SKU code (they never clash)."""
    code = code.strip()
    if not code:
        return None
    with_product = joinedload(SKU.product)  # every caller asks about the product next (weighed? tracked?)
    return (db.session.scalar(select(SKU).join(Barcode).where(Barcode.code == code).options(with_product))
            or db.session.scalar(select(SKU).where(SKU.code == code).options(with_product)))


def sku_by_plu(plu: str) -> SKU | None:
    """The product's first active SKU, else its first SKU; PLUs are digits."""
    if not plu.isdigit():
        return None
    return db.session.scalar(select(SKU).join(Product).where(Product.plu == plu)
                             .order_by(SKU.active.desc(), SKU.id).limit(1))


def product_by_style_code(code: str) -> Product | None:
    """The active product whose style number (款号) this is."""
    return db.session.scalar(select(Product).where(Product.style_code == code, Product.active)) if code else None


def _patterns() -> dict:
    if has_app_context():
        return current_app.config.get("SCALE_LABELS", scale_labels.DEFAULT_PATTERNS)
    return scale_labels.DEFAULT_PATTERNS
