"""A store's stock alerts, computed from the current levels and moves on each read.

Nothing is stored: an alert is there while its cause is, and gone the moment
it is not (goods received, a count done, a lot sold or written off). Each SKU
shows its most urgent stock alert (negative, out, low, overstock); near-expiry
alerts are per lot.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import selectinload

from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.stock.expiry.queries import near_expiry, settings
from webapp.stock.models import Lot, Reason, StockLevel, StockMove, StockRule
from webapp.stock.queries import shelf_of
from webapp.stores.models import Store

SOLD = (Reason.SALE.value, Reason.HANDOVER.value)
ZERO = Decimal("0")


class Kind(StrEnum):
    NEGATIVE = "negative"  # a till sale took more than the books had: count it
    OUT = "out"
    LOW = "low"  # below the warning line
    OVERSTOCK = "overstock"  # more than N days of cover at recent sales
    NEAR_EXPIRY = "near_expiry"


@dataclass
class Alert:
    kind: Kind
    sku: SKU
    on_hand: Decimal
    available: Decimal
    warning_qty: Decimal | None = None
    sold: Decimal = ZERO  # in the sales window
    lot: Lot | None = None
    days_left: int | None = None


def _stock_kinds(store: Store):
    """(SKU id, on hand, reserved, warning line, sold, kind) of each SKU with a stock alert."""
    shelf = shelf_of(store)
    chain = settings()
    shelf_id = shelf.id if shelf else -1
    levels = (select(StockLevel.sku_id, func.sum(StockLevel.on_hand).label("on_hand"),
                     func.sum(StockLevel.reserved).label("reserved"))
              .where(StockLevel.location_id == shelf_id).group_by(StockLevel.sku_id).subquery())
    sales = (select(StockMove.sku_id, func.sum(StockMove.quantity).label("sold"))
             .where(StockMove.from_location_id == shelf_id, StockMove.reason.in_(SOLD),
                    StockMove.created_at >= utcnow() - timedelta(days=chain.sales_window_days))
             .group_by(StockMove.sku_id).subquery())
    available = levels.c.on_hand - levels.c.reserved
    kind = case(
        (levels.c.on_hand < 0, literal(Kind.NEGATIVE.value)),
        (available <= 0, literal(Kind.OUT.value)),
        (and_(StockRule.warning_qty.is_not(None), available < StockRule.warning_qty), literal(Kind.LOW.value)),
        # on hand > sold / window × N, in whole numbers: on hand × window > sold × N
        (and_(sales.c.sold > 0,
              levels.c.on_hand * chain.sales_window_days > sales.c.sold * chain.overstock_days),
         literal(Kind.OVERSTOCK.value)),
        else_=None,
    ).label("kind")
    query = (select(levels.c.sku_id, levels.c.on_hand, levels.c.reserved, StockRule.warning_qty,
                    sales.c.sold, kind)
             .outerjoin(StockRule, and_(StockRule.sku_id == levels.c.sku_id, StockRule.store_id == store.id))
             .outerjoin(sales, sales.c.sku_id == levels.c.sku_id))
    return query.subquery()


def counts(store: Store, today: date | None = None) -> dict[Kind, int]:
    """How many alerts of each kind the store has now."""
    stock = _stock_kinds(store)
    found = {Kind(k): n for k, n in db.session.execute(
        select(stock.c.kind, func.count()).where(stock.c.kind.is_not(None)).group_by(stock.c.kind))}
    expiring = len(near_expiry(store, today))
    if expiring:
        found[Kind.NEAR_EXPIRY] = expiring
    return found


def alerts(store: Store, kind: Kind | None = None, today: date | None = None, limit: int = 500) -> list[Alert]:
    """The store's alerts, most urgent kind first; one kind when asked."""
    found: list[Alert] = []
    if kind != Kind.NEAR_EXPIRY:
        stock = _stock_kinds(store)
        query = select(stock).where(stock.c.kind.is_not(None))
        if kind is not None:
            query = query.where(stock.c.kind == kind.value)
        rows = db.session.execute(query.limit(limit)).all()
        skus = {s.id: s for s in db.session.scalars(
            select(SKU).where(SKU.id.in_({r.sku_id for r in rows})).options(selectinload(SKU.product)))}
        for r in rows:
            on_hand, reserved = r.on_hand or ZERO, r.reserved or ZERO
            found.append(Alert(Kind(r.kind), skus[r.sku_id], on_hand, on_hand - reserved, r.warning_qty,
                               r.sold or ZERO))
    if kind in (None, Kind.NEAR_EXPIRY):
        for item in near_expiry(store, today):
            found.append(Alert(Kind.NEAR_EXPIRY, item.sku, item.on_hand, item.on_hand, lot=item.lot,
                               days_left=item.days_left))
    order = list(Kind)
    return sorted(found, key=lambda a: (order.index(a.kind), a.sku.display_name))


def badge(store: Store) -> int:
    """The number on the Alerts tab."""
    return sum(counts(store).values())
