"""Reads for the till: the open shift, the cash in the drawer, the Z report."""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from webapp.catalog.models import SKU, Category, Product
from webapp.extensions import db
from webapp.pos.models import CashKind, CashMovement, Register, Shift, ShiftStatus
from webapp.sales.models import (
    Order,
    OrderKind,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from webapp.stores.models import Store

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CashSummary:
    opening_float: Decimal
    cash_sales: Decimal  # cash kept from sales, change already given back
    cash_refunds: Decimal
    cash_in: Decimal
    cash_out: Decimal
    cash_topups: Decimal = Decimal("0.00")  # stored value paid in with cash, less top-ups given back in cash

    @property
    def expected(self) -> Decimal:
        return (self.opening_float + self.cash_sales - self.cash_refunds + self.cash_in - self.cash_out
                + self.cash_topups)


@dataclass(frozen=True)
class ZReport:
    """A shift's figures. Returns and refunds are positive amounts, taken off the sales."""

    shift: Shift
    sales_count: int
    sales_total: Decimal
    returns_count: int
    returns_total: Decimal
    discounts_total: Decimal
    sales_by_method: dict[str, Decimal]
    refunds_by_method: dict[str, Decimal]
    by_category: dict[str, Decimal]  # top-level category name ("" for none) → sales less returns
    cash: CashSummary
    counted_cash: Decimal | None
    variance: Decimal | None
    denominations: dict[str, int] = field(default_factory=dict)

    @property
    def net_total(self) -> Decimal:
        return self.sales_total - self.returns_total

    @property
    def expected_cash(self) -> Decimal:
        return self.cash.expected


def registers_of(store: Store, *, active_only: bool = True) -> list[Register]:
    query = select(Register).where(Register.store_id == store.id)
    if active_only:
        query = query.where(Register.active)
    return list(db.session.scalars(query.order_by(Register.name)))


def open_shift_of(register: Register) -> Shift | None:
    return db.session.scalar(select(Shift).where(Shift.register_id == register.id,
                                                 Shift.status == ShiftStatus.OPEN.value))


def cash_summary(shift: Shift) -> CashSummary:
    cash = _pairs(db.session.execute(
        select(Order.kind, func.coalesce(func.sum(Payment.amount), 0))
        .join(Order, Order.id == Payment.order_id)
        .where(*_completed_in(shift), Payment.method == PaymentMethod.CASH.value,
               Payment.status == PaymentStatus.SUCCEEDED.value)
        .group_by(Order.kind)))
    moved = _pairs(db.session.execute(
        select(CashMovement.kind, func.coalesce(func.sum(CashMovement.amount), 0))
        .where(CashMovement.shift_id == shift.id).group_by(CashMovement.kind)))
    return CashSummary(
        opening_float=shift.opening_float,
        cash_sales=_money(cash.get(OrderKind.SALE.value)),
        cash_refunds=-_money(cash.get(OrderKind.RETURN.value)),
        cash_in=_money(moved.get(CashKind.IN.value)),
        cash_out=_money(moved.get(CashKind.OUT.value)),
        cash_topups=_money(cash.get(OrderKind.TOPUP.value)),
    )


def closed_shifts(register: Register):
    """The register's closed shifts, the last closed first (a select, to page through)."""
    return (select(Shift).options(joinedload(Shift.cashier))
            .where(Shift.register_id == register.id, Shift.status == ShiftStatus.CLOSED.value)
            .order_by(Shift.closed_at.desc(), Shift.id.desc()))


def net_sales_of(shifts: list[Shift]) -> dict[int, Decimal]:
    """Each shift's net sales (sales less returns), as its Z report gives them, in one query."""
    rows = db.session.execute(
        select(Order.shift_id, Order.kind, func.sum(Order.total))
        .where(Order.shift_id.in_([s.id for s in shifts]), Order.status == OrderStatus.COMPLETED.value)
        .group_by(Order.shift_id, Order.kind))
    net = {shift.id: ZERO for shift in shifts}
    for shift_id, kind, total in rows:
        if kind != OrderKind.TOPUP:  # stored value paid in is a liability, not a sale
            net[shift_id] += -_money(total) if kind == OrderKind.RETURN else _money(total)
    return net


def z_report(shift: Shift) -> ZReport:
    """Sales, returns, discounts, payment methods, categories and the cash of a shift (open or closed)."""
    orders = db.session.execute(
        select(Order.kind, func.count(Order.id), func.coalesce(func.sum(Order.total), 0),
               func.coalesce(func.sum(Order.discount), 0))
        .where(*_completed_in(shift)).group_by(Order.kind)).all()
    figures = {kind: (count, _money(total), _money(discount)) for kind, count, total, discount in orders}
    sales = figures.get(OrderKind.SALE.value, (0, ZERO, ZERO))
    returns = figures.get(OrderKind.RETURN.value, (0, ZERO, ZERO))
    by_method = {OrderKind.SALE.value: {}, OrderKind.RETURN.value: {}, OrderKind.TOPUP.value: {}}
    for kind, method, amount in db.session.execute(
        select(Order.kind, Payment.method, func.sum(Payment.amount))
        .join(Order, Order.id == Payment.order_id)
        .where(*_completed_in(shift), Payment.status == PaymentStatus.SUCCEEDED.value)
        .group_by(Order.kind, Payment.method)
    ):
        by_method[kind][method] = abs(_money(amount))
    return ZReport(
        shift=shift, sales_count=sales[0], sales_total=sales[1], returns_count=returns[0],
        returns_total=returns[1], discounts_total=sales[2], sales_by_method=by_method[OrderKind.SALE.value],
        refunds_by_method=by_method[OrderKind.RETURN.value], by_category=_by_category(shift),
        cash=cash_summary(shift), counted_cash=shift.counted_cash, variance=shift.variance,
        denominations=dict(shift.denominations or {}),
    )


def _by_category(shift: Shift) -> dict[str, Decimal]:
    rows = db.session.execute(
        select(Product.category_id, Order.kind, func.sum(OrderLine.amount))
        .join(Order, Order.id == OrderLine.order_id)
        .join(SKU, SKU.id == OrderLine.sku_id).join(Product, Product.id == SKU.product_id)
        .where(*_completed_in(shift)).group_by(Product.category_id, Order.kind))
    categories = {c.id: c for c in db.session.scalars(select(Category))}
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for category_id, kind, amount in rows:
        sign = -1 if kind == OrderKind.RETURN else 1
        totals[_top_name(categories, category_id)] += sign * _money(amount)
    return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


def _top_name(categories: dict[int, Category], category_id: int | None) -> str:
    seen = set()
    while category_id is not None and category_id in categories and category_id not in seen:
        seen.add(category_id)
        category = categories[category_id]
        if category.parent_id is None:
            return category.name
        category_id = category.parent_id
    return ""


def _completed_in(shift: Shift):
    return Order.shift_id == shift.id, Order.status == OrderStatus.COMPLETED.value


def _pairs(rows) -> dict:
    return {key: value for key, value in rows}


def _money(value) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(ZERO)


# One statement, built once (not on every scan): the order joined to its lines, SKUs, products, payments.
_CURRENT_SALE = (
    select(Order).where(Order.shift_id == bindparam("shift"), Order.status == OrderStatus.OPEN.value,
                        Order.kind == OrderKind.SALE.value)
    .order_by(Order.id.desc()).limit(1)
    .options(joinedload(Order.lines).joinedload(OrderLine.sku).joinedload(SKU.product),
             joinedload(Order.payments)))


def current_sale(shift: Shift) -> Order | None:
    """The sale being rung up on a shift: its newest open order, with what the sale panel shows."""
    return db.session.scalars(_CURRENT_SALE, {"shift": shift.id}).unique().first()
