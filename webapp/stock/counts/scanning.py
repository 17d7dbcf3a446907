"""What a scan or a typed line means on the stock screens (counts and write-offs alike)."""
from decimal import Decimal

from sqlalchemy import select

from webapp.catalog.models import SKU, Tracking
from webapp.catalog.scanning import resolve
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.stock.counts.errors import UnknownLot, WeightRequired
from webapp.stock.errors import LotRequired
from webapp.stock.models import Lot


def scanned(code: str | None, qty=None) -> tuple[SKU, Decimal]:
    """(SKU, quantity) for a code (``catalog.scanning.resolve``: a barcode, a SKU code, a PLU or a
    scale label with its weight).

    A typed quantity wins; a bare scan is one, or the label's weight; weighed goods
    with neither need their weight typed.
    """
    found = resolve(code)
    sku, weight = found.sku, found.weight
    if qty is not None and str(qty).strip() != "":
        return sku, quantity(qty)
    if weight is not None:
        return sku, quantity(weight)
    if sku.product.weighed:
        raise WeightRequired(name=sku.display_name)
    return sku, Decimal("1")


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
