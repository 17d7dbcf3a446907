"""Picking and shipping: approved lines leave the HQ warehouse for the store's transit place; a franchise store is invoiced.

Shipping goes through the ledger (``stock.services.transfer``), first-expiring lots first, in the
caller's transaction; a second shipment of the same order is refused.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select, update

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.stock import services as stock
from webapp.stock.models import Lot, StockLevel, Usage
from webapp.stores.models import StoreKind
from webapp.supply import account, errors
from webapp.supply.models import OrderStatus, StoreOrder, StoreOrderLine
from webapp.supply.terms import terms_of
from webapp.supply.warehouse import hq_warehouse

ZERO = Decimal("0")


@dataclass(frozen=True)
class Pick:
    line: StoreOrderLine
    lots: list[tuple[str | None, date | None, Decimal]]  # (lot code, expiry, quantity), first-expiring first


def picking_list(order: StoreOrder) -> list[Pick]:
    """What to take off the warehouse shelves, by product, with the lots to take first."""
    if order.status not in (OrderStatus.APPROVED, OrderStatus.SHIPPED):
        raise errors.NotApproved(number=order.number, status=order.status)
    shelf = stock.shelf(hq_warehouse())
    picks = []
    for line in sorted(order.warehouse_lines, key=lambda li: (li.sku.product.name, li.sku.code)):
        if not line.approved:
            continue
        levels = db.session.execute(
            select(Lot.code, Lot.expiry_date, StockLevel.on_hand - StockLevel.reserved)
            .outerjoin(Lot, Lot.id == StockLevel.lot_id)
            .where(StockLevel.location_id == shelf.id, StockLevel.sku_id == line.sku_id,
                   StockLevel.on_hand - StockLevel.reserved > 0)
            .order_by(Lot.expiry_date.is_(None), Lot.expiry_date, StockLevel.id)).all()
        wanted, lots = line.approved, []
        for code, expiry, available in levels:
            if wanted <= 0:
                break
            part = min(wanted, available)
            lots.append((code, expiry, part))
            wanted -= part
        picks.append(Pick(line, lots))
    return picks


def ship(order: StoreOrder, *, user) -> None:
    """Approved → shipped, once: the goods move warehouse → the store's transit place; the invoice is posted."""
    done = db.session.execute(
        update(StoreOrder).where(StoreOrder.id == order.id, StoreOrder.status == OrderStatus.APPROVED.value)
        .values(status=OrderStatus.SHIPPED.value, shipped_by_id=user.id if user else None, shipped_at=utcnow())
        .execution_options(synchronize_session="fetch"))
    if done.rowcount != 1:
        db.session.refresh(order)
        raise errors.NotApproved(number=order.number, status=order.status)
    db.session.refresh(order)
    source, transit = stock.shelf(hq_warehouse()), stock.location(Usage.TRANSIT, order.store)
    for line in order.warehouse_lines:
        if line.approved and line.approved > 0:
            stock.transfer(line.sku, line.approved, source, transit, user=user, document=order.document)
            line.shipped = line.approved
    db.session.flush()
    if order.store.kind == StoreKind.FRANCHISE:
        amount = sum(((li.shipped * li.unit_price).quantize(Decimal("0.01")) for li in order.warehouse_lines),
                     Decimal("0.00"))
        terms = terms_of(order.store)
        account.invoice(order, amount, user=user, terms_days=terms.payment_days if terms else 0)
