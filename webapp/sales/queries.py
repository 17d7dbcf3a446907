"""Reads of orders for the till screens: find a receipt, suspended sales, what can be returned."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.sales.models import ZERO, Order, OrderKind, OrderLine, OrderStatus
from webapp.sales.returns import returned_so_far
from webapp.stores.models import Store


@dataclass(frozen=True)
class Returnable:
    line: OrderLine
    sold: Decimal
    returned: Decimal

    @property
    def left(self) -> Decimal:
        return self.sold - self.returned


def order_for_till(order_id: int) -> Order | None:
    """An order with its lines, their SKUs and products, and its payments, in four statements."""
    return db.session.scalar(select(Order).where(Order.id == order_id).options(
        selectinload(Order.lines).selectinload(OrderLine.sku).selectinload(SKU.product),
        selectinload(Order.payments)))


def order_by_number(number: str) -> Order | None:
    """The order a receipt's barcode or QR names."""
    return db.session.scalar(select(Order).where(Order.number == number.strip()))


def suspended_sales(store: Store, register=None) -> list[Order]:
    query = select(Order).where(Order.store_id == store.id, Order.kind == OrderKind.SALE.value,
                                Order.status == OrderStatus.SUSPENDED.value)
    if register is not None:
        query = query.where(Order.register_id == register.id)
    return list(db.session.scalars(query.order_by(Order.created_at, Order.id)))


def returnable(original: Order) -> list[Returnable]:
    """Each line of a sale with what is sold and already returned."""
    before = returned_so_far(original)
    return [Returnable(line, line.quantity, before.get(line.id, (ZERO, ZERO))[0]) for line in original.lines]
