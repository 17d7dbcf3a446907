"""Writing the catalogue: products with their SKUs, barcodes and prices."""
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from pypinyin import Style, lazy_pinyin
from sqlalchemy import select

from webapp.catalog.barcodes import classify
from webapp.catalog.models import SKU, Barcode, Brand, Category, Product, StorePrice, Supplier, Tracking, Unit
from webapp.errors import DomainError, InvalidPrice, check_length
from webapp.extensions import db
from webapp.numbers import money


class BarcodeTaken(DomainError):
    message = _l("Barcode %(code)s already belongs to %(owner)s.")


class SkuCodeTaken(DomainError):
    message = _l("SKU code %(code)s is already used.")


class InvalidProduct(DomainError):
    message = _l("%(reason)s")


class CodeClash(DomainError):
    message = _l("%(code)s is already a barcode or SKU code of another SKU.")


class DuplicateSkuCode(DomainError):
    message = _l("Two SKUs of this product have the code %(code)s.")


NAME_REQUIRED = _l("A product needs a name.")
NO_VARIANTS = _l("A product needs at least one SKU.")
PLU_FORMAT = _l("A scale PLU code has five digits.")
PLU_TAKEN = _l("This scale PLU code is already used.")
STYLE_CODE_TAKEN = _l("The style number %(code)s is already used by another product, SKU or barcode.")
WEIGHED_IN_KG = _l("Goods sold by weight are priced per kg.")


@dataclass
class VariantInput:
    """One SKU as typed in a form or a CSV row."""

    code: str
    list_price: Decimal | str
    attributes: dict = field(default_factory=dict)
    member_price: Decimal | str | None = None
    barcodes: list[str] = field(default_factory=list)
    id: int | None = None
    active: bool = True


def initials(name: str) -> str:
    """Pinyin initials of a name, kept for search ("可口可乐" → "kkkl", "小米 Redmi" → "xmredmi")."""
    def latin(chunk: str) -> str:
        return "".join(ch for ch in chunk.lower() if ch.isalnum())

    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors=latin)).lower()[:100]


def save_product(product: Product | None, *, name: str, variants: list[VariantInput],
                 category: Category | None = None, unit: str = Unit.PIECE, weighed: bool = False,
                 tracking: str = Tracking.NONE, plu: str | None = None, style_code: str | None = None,
                 preferred_supplier: Supplier | None = None, active: bool = True,
                 brand: Brand | None = None) -> Product:
    """Create (product=None) or change a product and its SKUs, all checked before anything is written.

    SKUs missing from ``variants`` are deactivated, never deleted: the ledger refers to them.
    """
    name = check_length(name.strip(), 100, _l("The product name"))
    if not name:
        raise InvalidProduct(reason=NAME_REQUIRED)
    if not variants:
        raise InvalidProduct(reason=NO_VARIANTS)
    codes = [v.code.strip() for v in variants]
    for code in codes:
        if codes.count(code) > 1:
            raise DuplicateSkuCode(code=code)
    plu = (plu or "").strip() or None
    if plu:
        _check_plu(plu, product)
    style_code = check_length((style_code or "").strip(), 40, _l("The style number")) or None
    if style_code:
        _check_style_code(style_code, product)
    if weighed and unit != Unit.KG:
        raise InvalidProduct(reason=WEIGHED_IN_KG)
    if product is None:
        product = Product()
        db.session.add(product)
    product.name, product.initials = name, initials(name)
    product.category, product.unit, product.weighed = category, Unit(unit).value, weighed
    product.tracking, product.plu, product.style_code = Tracking(tracking).value, plu, style_code
    product.preferred_supplier, product.active, product.brand = preferred_supplier, active, brand

    kept = []
    for variant in variants:
        kept.append(_save_sku(product, variant))
    for sku in product.skus:
        if sku not in kept:
            sku.active = False
    db.session.flush()
    return product


def _check_plu(plu: str, product: Product | None) -> None:
    if not (plu.isdigit() and len(plu) == 5):
        raise InvalidProduct(reason=PLU_FORMAT)
    owner = db.session.scalar(select(Product).where(Product.plu == plu))
    if owner and owner is not product:
        raise InvalidProduct(reason=PLU_TAKEN)


def _check_style_code(code: str, product: Product | None) -> None:
    """A style number is scanned like a barcode: it must mean one product and nothing else."""
    owner = db.session.scalar(select(Product).where(Product.style_code == code))
    taken = (owner is not None and owner is not product) \
        or db.session.scalar(select(SKU.id).where(SKU.code == code)) is not None \
        or db.session.scalar(select(Barcode.id).where(Barcode.code == code)) is not None
    if taken:
        raise InvalidProduct(reason=STYLE_CODE_TAKEN % {"code": code})


def _is_style_code(code: str) -> bool:
    return db.session.scalar(select(Product.id).where(Product.style_code == code)) is not None


def _save_sku(product: Product, variant: VariantInput) -> SKU:
    code = check_length(variant.code.strip(), 40, _l("The SKU code"))
    sku = next((s for s in product.skus if variant.id and s.id == variant.id), None)
    sku = sku or next((s for s in product.skus if s.code == code), None)
    clash = db.session.scalar(select(SKU).where(SKU.code == code))
    if clash and clash is not sku:
        raise SkuCodeTaken(code=code)
    barcode_owner = db.session.scalar(select(Barcode).where(Barcode.code == code))
    if (barcode_owner and barcode_owner.sku is not sku) or _is_style_code(code):
        raise CodeClash(code=code)
    list_price = _price(variant.list_price)
    member_price = _price(variant.member_price) if variant.member_price not in (None, "") else None
    if sku is None:
        sku = SKU(code=code, list_price=list_price)
        product.skus.append(sku)
    sku.code, sku.list_price, sku.member_price = code, list_price, member_price
    sku.attributes = {k.strip(): str(v).strip() for k, v in variant.attributes.items() if k.strip()}
    sku.active = variant.active
    _set_barcodes(sku, variant.barcodes)
    return sku


def _set_barcodes(sku: SKU, codes: list[str]) -> None:
    wanted = []
    for code in (c.strip() for c in codes):
        if code and code not in wanted:
            wanted.append(code)
    for code in wanted:
        symbology = classify(code)
        owner = db.session.scalar(select(Barcode).where(Barcode.code == code))
        if owner and owner.sku is not sku:
            raise BarcodeTaken(code=code, owner=owner.sku.display_name)
        code_owner = db.session.scalar(select(SKU).where(SKU.code == code))
        if (code_owner and code_owner is not sku) or _is_style_code(code):
            raise CodeClash(code=code)
        if not owner:
            sku.barcodes.append(Barcode(code=code, symbology=symbology.value))
    for barcode in list(sku.barcodes):
        if barcode.code not in wanted:
            sku.barcodes.remove(barcode)


def _price(value) -> Decimal:
    price = money(value)
    if price < 0:
        raise InvalidPrice(price=price)
    return price


def save_store_prices(prices: dict) -> None:
    """{(store, sku): (price, member price)} as typed; an empty price means the list price."""
    for (store, sku), (price, member_price) in prices.items():
        if price.strip():
            set_store_price(store, sku, price.strip(), member_price.strip() or None)
        else:
            clear_store_price(store, sku)


def clear_store_price(store, sku: SKU) -> None:
    """The store goes back to the list price."""
    row = db.session.scalar(
        select(StorePrice).where(StorePrice.store_id == store.id, StorePrice.sku_id == sku.id))
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def set_store_price(store, sku: SKU, price, member_price=None) -> StorePrice:
    """A store's own price for a SKU (and optionally its own member price)."""
    row = db.session.scalar(
        select(StorePrice).where(StorePrice.store_id == store.id, StorePrice.sku_id == sku.id))
    if row is None:
        row = StorePrice(store_id=store.id, sku_id=sku.id, price=_price(price))
        db.session.add(row)
    row.price = _price(price)
    row.member_price = _price(member_price) if member_price not in (None, "") else None
    db.session.flush()
    return row


def category_by_path(path: str) -> Category:
    """The category "饮料/碳酸饮料", made on first use, each level under the one before."""
    parent = None
    for name in (part.strip() for part in path.replace("／", "/").split("/")):
        if not name:
            continue
        check_length(name, 50, _l("A category name"))
        found = db.session.scalar(select(Category).where(
            Category.name == name,
            Category.parent_id.is_(None) if parent is None else Category.parent_id == parent.id))
        if found is None:
            found = Category(name=name, parent=parent)
            db.session.add(found)
            db.session.flush()
        parent = found
    return parent


def supplier_by_name(name: str) -> Supplier:
    check_length(name.strip(), 100, _l("The supplier name"))
    found = db.session.scalar(select(Supplier).where(Supplier.name == name.strip()))
    if found is None:
        found = Supplier(name=name.strip())
        db.session.add(found)
        db.session.flush()
    return found


def brand_by_name(name: str) -> Brand | None:
    """The brand called ``name`` (spaces around it ignored), made on first use; blank: no brand."""
    name = check_length(" ".join((name or "").split()), 50, _l("The brand name"))
    if not name:
        return None
    found = db.session.scalar(select(Brand).where(Brand.name == name))
    if found is None:
        found = Brand(name=name)
        db.session.add(found)
        db.session.flush()
    return found
