"""Suppliers and their terms per SKU."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.catalog.models import SKU, Barcode, Supplier
from webapp.errors import InvalidPrice, check_length
from webapp.extensions import db
from webapp.numbers import money, quantity
from webapp.purchasing.errors import InvalidPackSize, PackBarcodeTaken, SupplierNameTaken
from webapp.purchasing.models import SupplierItem


def save_supplier(supplier: Supplier | None, *, name: str, contact: str = "", phone: str = "",
                  lead_time_days: int = 2, minimum_order="0") -> Supplier:
    name = check_length(name.strip(), 100, _l("The name"))
    taken = db.session.scalar(select(Supplier).where(Supplier.name == name))
    if taken is not None and taken is not supplier:
        raise SupplierNameTaken(name=name)
    minimum = money(minimum_order or "0")
    if minimum < 0:
        raise InvalidPrice(price=minimum)
    if supplier is None:
        supplier = Supplier()
        db.session.add(supplier)
    supplier.name, supplier.contact, supplier.phone = name, contact.strip()[:50], phone.strip()[:30]
    supplier.lead_time_days = max(0, int(lead_time_days))
    supplier.minimum_order = minimum
    db.session.flush()
    return supplier


def save_item(supplier: Supplier, sku: SKU, *, cost_price, pack_size="1", min_order_qty="0",
              pack_barcode: str | None = None) -> SupplierItem:
    """Add or change the supplier's terms for a SKU."""
    cost, pack, minimum = money(cost_price), quantity(pack_size), quantity(min_order_qty or "0")
    if cost < 0:
        raise InvalidPrice(price=cost)
    if pack <= 0:
        raise InvalidPackSize(quantity=pack)
    if minimum < 0:
        raise InvalidPackSize(quantity=minimum)
    item = db.session.scalar(select(SupplierItem).where(SupplierItem.supplier_id == supplier.id,
                                                        SupplierItem.sku_id == sku.id))
    code = (pack_barcode or "").strip() or None
    if code:
        check_length(code, 48, _l("The pack barcode"))
        other = db.session.scalar(select(SupplierItem).where(SupplierItem.pack_barcode == code))
        unit = db.session.scalar(select(Barcode.id).where(Barcode.code == code))
        if unit is not None or (other is not None and other is not item):
            raise PackBarcodeTaken(code=code)
    if item is None:
        item = SupplierItem(supplier_id=supplier.id, sku_id=sku.id)
        db.session.add(item)
    item.cost_price, item.pack_size, item.min_order_qty, item.pack_barcode = cost, pack, minimum, code
    db.session.flush()
    return item


def remove_item(item: SupplierItem) -> None:
    db.session.delete(item)
    db.session.flush()


def item_for(supplier_id: int | None, sku_id: int) -> SupplierItem | None:
    if supplier_id is None:
        return None
    return db.session.scalar(select(SupplierItem).where(SupplierItem.supplier_id == supplier_id,
                                                        SupplierItem.sku_id == sku_id))
