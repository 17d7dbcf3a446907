"""Head office's warehouse: where store orders are shipped from, and what it has for stores."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, func, select, type_coerce

from webapp.errors import DomainError
from webapp.extensions import db
from webapp.numbers import GRAM
from webapp.stock import services as stock
from webapp.stock.models import StockLevel
from webapp.stores.models import Store, StoreKind
from webapp.supply.models import OrderStatus, StoreOrder, StoreOrderLine

ZERO = Decimal("0")


class NoWarehouse(DomainError):
    message = _l("The chain has no HQ warehouse to supply stores from.")


def hq_warehouse() -> Store:
    found = db.session.scalar(select(Store).where(Store.kind == StoreKind.HQ_WAREHOUSE.value, Store.active.is_(True))
                              .order_by(Store.id).limit(1))
    if found is None:
        raise NoWarehouse()
    return found


def available_for_stores(sku_ids) -> dict[int, Decimal]:
    """Per SKU, what the warehouse can still promise: available less approved, unshipped orders (absent: none)."""
    ids = list(sku_ids)
    try:
        place = stock.shelf(hq_warehouse())
    except NoWarehouse:
        return {}  # a chain without a warehouse has nothing to promise
    found: dict[int, Decimal] = {}
    raw = lambda column: type_coerce(column, BigInteger)  # noqa: E731
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for sku_id, q in db.session.execute(
                select(StockLevel.sku_id, func.sum(raw(StockLevel.on_hand) - raw(StockLevel.reserved)))
                .where(StockLevel.location_id == place.id, StockLevel.sku_id.in_(chunk)).group_by(StockLevel.sku_id)):
            found[sku_id] = found.get(sku_id, ZERO) + Decimal(int(q or 0)) * GRAM
        for sku_id, q in db.session.execute(
                select(StoreOrderLine.sku_id, func.sum(raw(StoreOrderLine.approved)))
                .join(StoreOrder, StoreOrder.id == StoreOrderLine.order_id)
                .where(StoreOrder.status == OrderStatus.APPROVED.value, StoreOrderLine.sku_id.in_(chunk),
                       StoreOrderLine.purchase_order_id.is_(None)).group_by(StoreOrderLine.sku_id)):
            found[sku_id] = found.get(sku_id, ZERO) - Decimal(int(q or 0)) * GRAM
    return {k: max(v, ZERO).quantize(GRAM) for k, v in found.items()}
