"""What the fulfilment screens show: a store's queue by status, its change stamp, pick lists."""
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from webapp.catalog.models import SKU, Category, Product
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.sales.models import Order, OrderLine
from webapp.sales.online.models import OnlineOrder, OnlineStatus, TillShortfall
from webapp.stores.models import Store

# The queue's columns, in the order the work flows.
COLUMNS = (OnlineStatus.NEW, OnlineStatus.PICKING, OnlineStatus.READY, OnlineStatus.OUT_FOR_DELIVERY)
DONE = (OnlineStatus.HANDED_OVER, OnlineStatus.DELIVERED)
DONE_HOURS = 12  # finished orders stay in view this long


def _of_store(store: Store):
    return select(OnlineOrder).join(Order, OnlineOrder.order_id == Order.id).where(Order.store_id == store.id)


def queue(store: Store) -> dict[str, list[OnlineOrder]]:
    """The store's orders in work, oldest first in each column, and those finished lately, newest first."""
    rows = db.session.scalars(
        _of_store(store).where(OnlineOrder.status.in_([s.value for s in COLUMNS]))
        .options(selectinload(OnlineOrder.order).selectinload(Order.lines))
        .order_by(OnlineOrder.id))
    columns: dict[str, list[OnlineOrder]] = {s.value: [] for s in COLUMNS}
    for row in rows:
        columns[row.status].append(row)
    columns["done"] = list(db.session.scalars(
        _of_store(store).where(OnlineOrder.status.in_([s.value for s in DONE]),
                               OnlineOrder.status_changed_at >= utcnow() - timedelta(hours=DONE_HOURS))
        .options(selectinload(OnlineOrder.order).selectinload(Order.lines))
        .order_by(OnlineOrder.status_changed_at.desc()).limit(20)))
    return columns


@dataclass(frozen=True)
class Stamp:
    """How the queue stands: the newest order's id and the last change. Polls compare stamps."""

    newest: int
    changed: str
    waiting: int  # new orders not yet picked
    short: str = "0"  # the newest till shortfall and how many are open: a till sale flags an order at once

    def __str__(self) -> str:
        return f"{self.newest}.{self.changed}" + (f".{self.short}" if self.short != "0" else "")

    @staticmethod
    def newest_of(text: str) -> int:
        head = (text or "").split(".", 1)[0]
        return int(head) if head.isdigit() and len(head) <= 18 else 0  # a stamp, not a 200,000-digit number


def stamp(store: Store) -> Stamp:
    newest, changed = db.session.execute(
        select(func.max(OnlineOrder.id), func.max(OnlineOrder.status_changed_at))
        .join(Order, OnlineOrder.order_id == Order.id).where(Order.store_id == store.id)).one()
    waiting = db.session.scalar(
        select(func.count()).select_from(OnlineOrder).join(Order, OnlineOrder.order_id == Order.id)
        .where(Order.store_id == store.id, OnlineOrder.status == OnlineStatus.NEW.value))
    last_short, open_short = db.session.execute(
        select(func.max(TillShortfall.id), func.count(case((TillShortfall.resolution.is_(None), 1))))
        .join(OnlineOrder, OnlineOrder.id == TillShortfall.online_order_id)
        .join(Order, OnlineOrder.order_id == Order.id).where(Order.store_id == store.id)).one()
    return Stamp(newest or 0, changed.strftime("%Y%m%d%H%M%S%f") if changed else "0", waiting or 0,
                 f"{last_short}-{open_short}" if last_short else "0")


def orders_of(store: Store, ids: list[int]) -> list[OnlineOrder]:
    """The store's orders among these ids (another store's are simply not there)."""
    if not ids:
        return []
    return list(db.session.scalars(_of_store(store).where(OnlineOrder.id.in_(ids)).order_by(OnlineOrder.id)))


def in_work(store: Store) -> list[OnlineOrder]:
    """The orders to pick now: new and being picked."""
    return list(db.session.scalars(_of_store(store).where(
        OnlineOrder.status.in_([OnlineStatus.NEW.value, OnlineStatus.PICKING.value])).order_by(OnlineOrder.id)))


@dataclass
class PickRow:
    sku: SKU
    category: str
    quantity: Decimal = Decimal(0)
    orders: list[str] = field(default_factory=list)  # (order number × quantity) where it goes


def pick_list(orders: list[OnlineOrder]) -> list[PickRow]:
    """One row per SKU over these orders, in the store's walking order: by category, then name."""
    order_ids = [o.order_id for o in orders]
    if not order_ids:
        return []
    parent = db.aliased(Category)
    lines = db.session.execute(
        select(OrderLine, Order.number, Category, parent)
        .join(Order, OrderLine.order_id == Order.id)
        .join(SKU, OrderLine.sku_id == SKU.id).join(Product, SKU.product_id == Product.id)
        .outerjoin(Category, Product.category_id == Category.id)
        .outerjoin(parent, Category.parent_id == parent.id)
        .where(OrderLine.order_id.in_(order_ids))).all()

    def walk(row):
        line, _number, category, top = row
        return (top is None and category is None,
                (top.position, top.name) if top else (category.position, category.name) if category else (0, ""),
                (category.position, category.name) if category and top else (0, ""),
                line.sku.product.name, line.sku.code)

    rows: dict[int, PickRow] = {}
    for line, number, category, _top in sorted(lines, key=walk):
        row = rows.setdefault(line.sku_id, PickRow(line.sku, category.path if category else ""))
        row.quantity += line.quantity
        row.orders.append(f"{number} × {line.quantity.normalize():f}")
    return list(rows.values())
