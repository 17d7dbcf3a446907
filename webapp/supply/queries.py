"""Reads for the supply screens: a store's orders, HQ's queue, the catalogue for stores, the accounts."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from webapp.catalog.models import SKU, Barcode, Product
from webapp.extensions import db
from webapp.paging import Page, paginate
from webapp.stores.models import Store, StoreKind
from webapp.supply import account
from webapp.supply.models import (
    PENDING,
    FranchiseTerms,
    OrderStatus,
    StoreOrder,
    StoreOrderLine,
    SupplyItem,
)
from webapp.supply.terms import prices_for, settings
from webapp.supply.warehouse import available_for_stores

ZERO = Decimal("0")


def order_of(store: Store, order_id: int) -> StoreOrder | None:
    """The store's order, or None when it is another store's: a franchisee sees only their own."""
    return db.session.scalar(select(StoreOrder).where(StoreOrder.id == order_id, StoreOrder.store_id == store.id)
                             .options(selectinload(StoreOrder.lines).selectinload(StoreOrderLine.sku)))


def orders_of(store: Store, limit: int = 30) -> list[StoreOrder]:
    return list(db.session.scalars(
        select(StoreOrder).where(StoreOrder.store_id == store.id, StoreOrder.status != OrderStatus.DRAFT.value)
        .options(selectinload(StoreOrder.lines)).order_by(StoreOrder.id.desc()).limit(limit)))


def draft_of(store: Store) -> StoreOrder | None:
    return db.session.scalar(select(StoreOrder).where(
        StoreOrder.store_id == store.id, StoreOrder.status == OrderStatus.DRAFT.value).order_by(StoreOrder.id).limit(1))


def on_its_way(store: Store) -> list[StoreOrder]:
    return [o for o in orders_of(store, 100) if o.status == OrderStatus.SHIPPED]


def queue() -> list[StoreOrder]:
    return list(db.session.scalars(
        select(StoreOrder).where(StoreOrder.status.in_([s.value for s in PENDING]))
        .options(selectinload(StoreOrder.lines), selectinload(StoreOrder.store))
        .order_by(StoreOrder.submitted_at, StoreOrder.id)))


def to_ship() -> list[StoreOrder]:
    return list(db.session.scalars(
        select(StoreOrder).where(StoreOrder.status == OrderStatus.APPROVED.value)
        .options(selectinload(StoreOrder.lines), selectinload(StoreOrder.store)).order_by(StoreOrder.decided_at)))


def recently_shipped(limit: int = 20) -> list[StoreOrder]:
    return list(db.session.scalars(
        select(StoreOrder).where(StoreOrder.status.in_([OrderStatus.SHIPPED.value, OrderStatus.RECEIVED.value]))
        .options(selectinload(StoreOrder.store)).order_by(StoreOrder.shipped_at.desc()).limit(limit)))


def any_order(order_id: int) -> StoreOrder | None:
    return db.session.get(StoreOrder, order_id)


def stores_of(user) -> list[Store]:
    if user.is_hq:
        return list(db.session.scalars(select(Store).where(Store.kind != StoreKind.HQ_WAREHOUSE.value,
                                                           Store.active.is_(True)).order_by(Store.code)))
    return [s for s in user.stores if s.kind != StoreKind.HQ_WAREHOUSE]


# ---------------------------------------------------------------- the catalogue for stores


@dataclass(frozen=True)
class CatalogueRow:
    sku: SKU
    item: SupplyItem | None
    price: Decimal
    available: Decimal
    availability: str  # in_stock, low, out
    new: bool


def catalogue(store: Store, search: str, page: int, today: date) -> tuple[Page, list[CatalogueRow]]:
    """What HQ supplies, with its availability at HQ and the price this store pays, 30 to a page."""
    query = (select(SKU).join(Product, Product.id == SKU.product_id)
             .outerjoin(SupplyItem, SupplyItem.sku_id == SKU.id)
             .where(SKU.active.is_(True), Product.active.is_(True),
                    func.coalesce(SupplyItem.orderable, True).is_(True))
             .options(selectinload(SKU.product))
             .order_by(SupplyItem.new_until.is_(None), Product.name, SKU.code))
    search = "".join(ch for ch in (search or "") if ch >= " ").strip()[:50]
    if search:
        like = f"%{search}%"
        query = query.where(or_(Product.name.ilike(like), Product.initials.ilike(like), SKU.code == search,
                                SKU.id.in_(select(Barcode.sku_id).where(Barcode.code == search))))
    found = paginate(query, page, 30)
    skus = list(found.items)
    items = {i.sku_id: i for i in db.session.scalars(select(SupplyItem).where(
        SupplyItem.sku_id.in_([s.id for s in skus])))} if skus else {}
    prices, available, low = prices_for(store, skus), available_for_stores(s.id for s in skus), settings().low_below
    rows = []
    for sku in skus:
        have = available.get(sku.id, ZERO)
        item = items.get(sku.id)
        rows.append(CatalogueRow(sku, item, prices[sku.id], have,
                                 "out" if have <= 0 else ("low" if have < low else "in_stock"),
                                 bool(item and item.new_until and item.new_until >= today)))
    return found, rows


# ---------------------------------------------------------------- accounts


@dataclass(frozen=True)
class AccountSummary:
    store: Store
    terms: FranchiseTerms | None
    balance: Decimal
    frozen: Decimal

    @property
    def available(self) -> Decimal | None:
        return None if self.terms is None else self.terms.credit_limit - self.balance - self.frozen


def summary(store: Store) -> AccountSummary:
    terms = db.session.scalar(select(FranchiseTerms).where(FranchiseTerms.store_id == store.id))
    return AccountSummary(store, terms, account.balance(store), account.frozen(store))


def franchise_stores() -> list[Store]:
    return list(db.session.scalars(select(Store).where(Store.kind == StoreKind.FRANCHISE.value).order_by(Store.code)))
