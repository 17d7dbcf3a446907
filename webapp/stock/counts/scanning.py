"""What a scan or a typed line means on the stock screens (counts and write-offs alike)."""
from decimal import Decimal

from sqlalchemy import select

from webapp.catalog.models import SKU, Tracking
from webapp.catalog.queries import sku_by_code_or_barcode
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.stock.counts.errors import UnknownCode, UnknownLot, WeightRequired
from webapp.stock.errors import LotRequired
from webapp.stock.models import Lot


def scanned_sku(code: str | None) -> SKU:
    code = (code or "").strip()
    sku = sku_by_code_or_barcode(code) if code else None
    if sku is None:
        raise UnknownCode(code=code[:48])
    return sku


def scanned_quantity(sku: SKU, qty) -> Decimal:
    """A typed quantity, or 1 for a bare scan; weighed goods need their weight typed."""
    if qty is None or str(qty).strip() == "":
        if sku.product.weighed:
            raise WeightRequired(name=sku.display_name)
        return Decimal("1")
    return quantity(qty)


def scanned_lot(sku: SKU, lot_code: str | None) -> Lot | None:
    """The lot a lot- or serial-tracked SKU was counted in; none for untracked goods."""
    if sku.product.tracking == Tracking.NONE:
        return None
    code = (lot_code or "").strip()
    if not code:
        raise LotRequired(name=sku.display_name)
    lot = db.session.scalar(select(Lot).where(Lot.sku_id == sku.id, Lot.code == code))
    if lot is None:
        raise UnknownLot(name=sku.display_name, lot=code[:60])
    return lot
