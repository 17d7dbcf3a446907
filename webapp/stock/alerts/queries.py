"""A store's stock alerts, computed from the current levels and moves on each read.

Nothing is stored: an alert is there while its cause is, and gone the moment
it is not (goods received, a count done, a lot sold or written off). Each SKU
shows its most urgent stock alert (negative, out, low, overstock); near-expiry
alerts are per lot.
"""
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import and_, func, select

from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.stock.expiry.queries import near_expiry, settings
from webapp.stock.models import Lot, Reason, StockLevel, StockMove, StockRule
from webapp.stock.queries import shelf_of, store_overview
from webapp.stores.models import Store

SOLD = (Reason.SALE.value, Reason.HANDOVER.value)
ZERO = Decimal("0")


class Kind(StrEnum):
    NEGATIVE = "negative"  # a till sale took more than the books had: count it
    PROMISED = "promised"  # online orders hold more than the shelf has (a till sale took held units)
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


def _stock_kinds(store: Store) -> dict[int, Kind]:
    """SKU id → its most urgent stock alert, from three narrow reads of ids instead of one over every SKU:
    levels at or below zero available, SKUs with a warning line, SKUs sold lately."""
    shelf = shelf_of(store)
    if shelf is None:
        return {}
    chain = settings()
    on_hand, reserved = func.sum(StockLevel.on_hand), func.sum(StockLevel.reserved)
    found: dict[int, Kind] = {}

    # 1. Nothing available (out), less than nothing on hand (a till sale beyond the books), or less on
    # hand than online orders hold (a till sale took held units: the fulfilment queue shows which orders).
    for sku_id, negative, promised in db.session.execute(
            select(StockLevel.sku_id, on_hand < 0, reserved > on_hand).where(StockLevel.location_id == shelf.id)
            .group_by(StockLevel.sku_id).having(on_hand - reserved <= 0)):
        found[sku_id] = Kind.NEGATIVE if negative else Kind.PROMISED if promised else Kind.OUT

    # 2. Below the warning line (but not out: that is said above).
    for sku_id in db.session.scalars(
            select(StockRule.sku_id)
            .join(StockLevel, and_(StockLevel.location_id == shelf.id, StockLevel.sku_id == StockRule.sku_id))
            .where(StockRule.store_id == store.id).group_by(StockRule.sku_id, StockRule.warning_qty)
            .having(and_(on_hand - reserved < StockRule.warning_qty, on_hand - reserved > 0))):
        found.setdefault(sku_id, Kind.LOW)

    # 3. Overstock: on hand > sold / window × N days, in whole numbers: on hand × window > sold × N.
    sales = _sales(shelf.id, chain.sales_window_days)
    for sku_id in db.session.scalars(
            select(sales.c.sku_id)
            .join(StockLevel, and_(StockLevel.location_id == shelf.id, StockLevel.sku_id == sales.c.sku_id))
            .group_by(sales.c.sku_id, sales.c.sold)
            .having(on_hand * chain.sales_window_days > sales.c.sold * chain.overstock_days)):
        found.setdefault(sku_id, Kind.OVERSTOCK)
    return found


def _sales(shelf_id: int, days: int):
    """SKU id and quantity sold off the shelf in the last ``days``.

    Grouped by sku_id + 0: SQLite would otherwise walk every move in the chain
    by the SKU index to save a sort, instead of the shelf's recent moves by
    (from place, time).
    """
    sku_id = (StockMove.sku_id + 0).label("sku_id")
    return (select(sku_id, func.sum(StockMove.quantity).label("sold"))
            .where(StockMove.from_location_id == shelf_id, StockMove.reason.in_(SOLD),
                   StockMove.created_at >= utcnow() - timedelta(days=days))
            .group_by(sku_id).subquery("sales"))


def kind_of(store: Store, sku: SKU) -> Kind | None:
    """The SKU's stock alert at the store now, if it has one."""
    return _stock_kinds(store).get(sku.id)


def counts(store: Store, today: date | None = None) -> dict[Kind, int]:
    """How many alerts of each kind the store has now."""
    found = Counter(_stock_kinds(store).values())
    expiring = len(near_expiry(store, today))
    if expiring:
        found[Kind.NEAR_EXPIRY] = expiring
    return dict(found)


def alerts(store: Store, kind: Kind | None = None, today: date | None = None, limit: int = 500) -> list[Alert]:
    """The store's alerts, most urgent kind first (at most ``limit`` stock alerts); one kind when asked."""
    order = list(Kind)
    found: list[Alert] = []
    if kind != Kind.NEAR_EXPIRY:
        kinds = {sku_id: k for sku_id, k in _stock_kinds(store).items() if kind in (None, k)}
        shown = sorted(kinds, key=lambda sku_id: (order.index(kinds[sku_id]), sku_id))[:limit]
        window = settings().sales_window_days
        for sku, on_hand, reserved, sold, warning in db.session.execute(
                store_overview(store, sku_ids=shown, sales_days=window)) if shown else []:
            on_hand, reserved = on_hand or ZERO, reserved or ZERO
            found.append(Alert(kinds[sku.id], sku, on_hand, on_hand - reserved, warning, sold or ZERO))
    if kind in (None, Kind.NEAR_EXPIRY):
        found += [Alert(Kind.NEAR_EXPIRY, item.sku, item.on_hand, item.on_hand, lot=item.lot, days_left=item.days_left)
                  for item in near_expiry(store, today)]
    return sorted(found, key=lambda a: (order.index(a.kind), a.sku.display_name))


def badge(store: Store) -> int:
    """The number on the Alerts tab."""
    return sum(counts(store).values())
