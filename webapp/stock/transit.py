"""What a document (a transfer, a store order) put into a store's transit place and has not taken out.

Goods on their way sit in the receiving store's transit place until they are received, settled or
written off. Each of those takes out what the document brought in, lot by lot, first-expiring first.
"""
from decimal import Decimal

from sqlalchemy import select

from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.stock.errors import InsufficientStock
from webapp.stock.models import Lot, StockMove
from webapp.stock.services import Document, Place

ZERO = Decimal("0")


def left(transit: Place, document: Document, sku: SKU, *, lot_id: int | None = None) -> list[tuple[Lot | None, Decimal]]:
    """(lot, quantity) of ``sku`` that ``document`` left in ``transit``, first-expiring first (no lot last)."""
    moves = select(StockMove.lot_id, StockMove.to_location_id, StockMove.quantity).where(
        StockMove.document_type == document[0], StockMove.document_id == document[1], StockMove.sku_id == sku.id,
        (StockMove.to_location_id == transit.id) | (StockMove.from_location_id == transit.id))
    if lot_id is not None:
        moves = moves.where(StockMove.lot_id == lot_id)
    by_lot: dict[int | None, Decimal] = {}
    for lot, to_id, qty in db.session.execute(moves):
        by_lot[lot] = by_lot.get(lot, ZERO) + (qty if to_id == transit.id else -qty)
    lots = {lot.id: lot for lot in db.session.scalars(select(Lot).where(Lot.id.in_([k for k in by_lot if k])))}

    def first_expiring(item):
        lot = lots.get(item[0])
        expiry = lot.expiry_date if lot else None
        return expiry is None, expiry or 0, item[0] or 0

    return [(lots.get(lot), qty) for lot, qty in sorted(by_lot.items(), key=first_expiring) if qty > 0]


def take(transit: Place, document: Document, sku: SKU, wanted: Decimal,
         *, lot_id: int | None = None) -> list[tuple[Lot | None, Decimal]]:
    """Split ``wanted`` over what ``document`` left in ``transit``, first-expiring first.

    Refuses when less is left than wanted: someone moved the document's goods out of transit by
    other means, and the books must not pretend otherwise.
    """
    parts = []
    for lot, available in left(transit, document, sku, lot_id=lot_id) if wanted > 0 else []:
        if wanted <= 0:
            break
        part = min(wanted, available)
        parts.append((lot, part))
        wanted -= part
    if wanted > 0:
        raise InsufficientStock(name=sku.display_name, requested=wanted, available=ZERO)
    return parts
