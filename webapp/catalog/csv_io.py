"""Products in and out as CSV: one row per SKU; rows naming the same product are its variants."""
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from webapp.catalog import queries, services
from webapp.catalog.forms import TRACKING_LABELS, UNIT_LABELS
from webapp.catalog.models import Tracking, Unit
from webapp.catalog.services import VariantInput
from webapp.csvfile import import_rows, read_rows
from webapp.errors import DomainError

COLUMNS = ["product", "category", "unit", "weighed", "tracking", "plu", "sku", "attributes",
           "list_price", "member_price", "barcodes", "supplier", "active", "style_code", "brand"]
REQUIRED = ["product", "sku", "list_price"]
TRUE = {"1", "yes", "y", "true", "是"}


class BadValue(DomainError):
    message = _l("Column %(column)s: %(value)s is not one of %(allowed)s.")


def import_products(data: bytes) -> int:
    """Create or update the products of a CSV file; a bad row rejects the whole file."""
    return import_rows(read_rows(data, REQUIRED), _import_row)


def _import_row(row: dict[str, str]) -> None:
    """Create, or update with the columns given: an empty cell keeps what is there."""
    sku = queries.sku_by_code(row["sku"])
    product = sku.product if sku else queries.product_named(row["product"])
    old = _variant_of(sku) if sku else VariantInput(code=row["sku"], list_price="0")
    others = [_variant_of(s) for s in product.skus if s is not sku] if product else []
    given = _given(row)
    variant = VariantInput(
        id=old.id, code=row["sku"], list_price=row["list_price"],
        member_price=given("member_price", str, old.member_price),
        attributes=given("attributes", parse_attributes, old.attributes),
        barcodes=given("barcodes", lambda v: v.replace(";", " ").replace(",", " ").split(), old.barcodes),
        active=given("active", lambda v: v.lower() in TRUE, old.active),
    )
    keep = product or _NEW_PRODUCT
    services.save_product(
        product, name=row["product"], variants=others + [variant],
        category=given("category", services.category_by_path, keep.category),
        unit=given("unit", lambda v: _choice(v, "unit", UNIT_LABELS), keep.unit),
        weighed=given("weighed", lambda v: v.lower() in TRUE, keep.weighed),
        tracking=given("tracking", lambda v: _choice(v, "tracking", TRACKING_LABELS), keep.tracking),
        plu=given("plu", str, keep.plu),
        style_code=given("style_code", str, keep.style_code),
        preferred_supplier=given("supplier", services.supplier_by_name, keep.preferred_supplier),
        active=keep.active,
        brand=given("brand", services.brand_by_name, keep.brand),
    )


class _NEW_PRODUCT:  # what a product gets where its first row leaves a cell empty
    category = plu = style_code = preferred_supplier = brand = None
    unit, weighed, tracking, active = Unit.PIECE.value, False, Tracking.NONE.value, True


def _given(row: dict[str, str]):
    def value(column, parse, otherwise):
        text = row.get(column, "").strip()
        return parse(text) if text else otherwise

    return value


def _variant_of(sku) -> VariantInput:
    return VariantInput(id=sku.id, code=sku.code, list_price=sku.list_price, member_price=sku.member_price,
                        attributes=dict(sku.attributes), barcodes=[b.code for b in sku.barcodes], active=sku.active)


def _choice(value: str, column: str, labels: dict) -> str:
    """The code ("bottle"), or the word the product form shows in any of the app's languages (瓶, bottle)."""
    names = {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            names.update({str(label).lower(): code.value for code, label in labels.items()})
    names.update({code.value: code.value for code in labels})
    found = names.get(value.strip().lower())
    if found is None:
        allowed = ", ".join(f"{code.value}/{label}" for code, label in labels.items())
        raise BadValue(column=column, value=value[:40], allowed=allowed)
    return found


def parse_attributes(text: str) -> dict[str, str]:
    """"尺码=M; 颜色=红" → {"尺码": "M", "颜色": "红"}."""
    pairs = (part.split("=", 1) for part in text.replace("；", ";").split(";") if "=" in part)
    return {k.strip(): v.strip() for k, v in pairs if k.strip()}


def format_attributes(attributes: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in attributes.items())


def export_rows():
    for sku in queries.all_skus_for_export():
        product = sku.product
        yield [product.name, product.category.path.replace(" / ", "/") if product.category else "",
               product.unit, "yes" if product.weighed else "no", product.tracking, product.plu or "",
               sku.code, format_attributes(sku.attributes), sku.list_price,
               sku.member_price if sku.member_price is not None else "",
               " ".join(b.code for b in sku.barcodes),
               product.preferred_supplier.name if product.preferred_supplier else "",
               "yes" if sku.active else "no", product.style_code or "", product.brand.name if product.brand else ""]
