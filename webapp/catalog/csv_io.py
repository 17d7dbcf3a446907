"""Products in and out as CSV: one row per SKU; rows naming the same product are its variants."""
from flask_babel import lazy_gettext as _l

from webapp.catalog import queries, services
from webapp.catalog.models import Tracking, Unit
from webapp.catalog.services import VariantInput
from webapp.csvfile import import_rows, read_rows
from webapp.errors import ShopError

COLUMNS = ["product", "category", "unit", "weighed", "tracking", "plu", "sku", "attributes",
           "list_price", "member_price", "barcodes", "supplier"]
REQUIRED = ["product", "sku", "list_price"]
TRUE = {"1", "yes", "y", "true", "是"}


class BadValue(ShopError):
    message = _l("Column %(column)s: %(value)s is not one of %(allowed)s.")


def import_products(data: bytes) -> int:
    """Create or update the products of a CSV file; a bad row rejects the whole file."""
    return import_rows(read_rows(data, REQUIRED), _import_row)


def _import_row(row: dict[str, str]) -> None:
    existing = queries.sku_by_code_or_barcode(row["sku"])
    product = existing.product if existing else queries.product_named(row["product"])
    variants = [_variant_of(sku) for sku in product.skus if sku.active and sku.code != row["sku"]] if product else []
    variants.append(VariantInput(
        id=existing.id if existing else None, code=row["sku"], list_price=row["list_price"],
        member_price=row.get("member_price") or None, attributes=parse_attributes(row.get("attributes", "")),
        barcodes=row.get("barcodes", "").replace(";", " ").replace(",", " ").split(),
    ))
    services.save_product(
        product, name=row["product"], variants=variants,
        category=services.category_by_path(row["category"]) if row.get("category") else None,
        unit=_choice(row, "unit", Unit, Unit.PIECE), weighed=row.get("weighed", "").lower() in TRUE,
        tracking=_choice(row, "tracking", Tracking, Tracking.NONE), plu=row.get("plu") or None,
        preferred_supplier=services.supplier_by_name(row["supplier"]) if row.get("supplier") else None,
    )


def _variant_of(sku) -> VariantInput:
    return VariantInput(id=sku.id, code=sku.code, list_price=sku.list_price, member_price=sku.member_price,
                        attributes=dict(sku.attributes), barcodes=[b.code for b in sku.barcodes])


def _choice(row, column, enum, default):
    value = row.get(column, "").strip().lower() or default.value
    if value not in {e.value for e in enum}:
        raise BadValue(column=column, value=value, allowed=", ".join(e.value for e in enum))
    return value


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
               product.preferred_supplier.name if product.preferred_supplier else ""]
