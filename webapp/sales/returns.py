"""Customer returns: a return order with its ledger moves and refunds.

A return never takes back more of a line than was sold less what earlier
returns took back. Its refund is the line's amount pro rata, rounded so that
all returns of a line together give back exactly what the line cost.

A refund above the store's ``refund_approval_above`` (default 0.00: every
refund) is approved by a manager of the store — the one giving it, or the one
whose PIN the cashier was given — and the return records who, as a discount does.
"""
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from webapp.auth.models import User
from webapp.clock import utcnow
from webapp.errors import InvalidQuantity
from webapp.extensions import db
from webapp.numbers import quantity, round_money
from webapp.promotions import coupons
from webapp.promotions import services as promotions
from webapp.sales import tenders
from webapp.sales.allocation import allocate, pro_rata_refund
from webapp.sales.cart import _valid_quantity, check_till
from webapp.sales.discounts import may_discount
from webapp.sales.errors import (
    DuplicateRequest,
    NotARefundApprover,
    NothingToReturn,
    NotReturnable,
    RefundNeedsApproval,
    ReturnTooMuch,
    UnknownPaymentMethod,
)
from webapp.sales.models import (
    ZERO,
    Order,
    OrderKind,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from webapp.sales.numbering import next_order_number
from webapp.sales.tenders import completed_with
from webapp.stock import services as stock
from webapp.stores.models import Store


class RefundMethod(StrEnum):
    ORIGINAL = "original"  # back the way it was paid: card, WeChat, Alipay first, then cash
    CASH = "cash"


def return_lines(original: Order, picks: list[tuple[OrderLine, Decimal]], *, user: User, shift=None,
                 register=None, refund_method: str = RefundMethod.ORIGINAL, damaged: bool = False,
                 client_uuid: str | None = None, approver: User | None = None) -> Order:
    """Take goods back from a completed sale; the same ``client_uuid`` again returns the same return.

    ``approver``: the manager whose PIN approved the refund, when the user may not approve it themselves.
    """
    done = completed_with(client_uuid)
    if done is not None:
        return done
    if original.kind != OrderKind.SALE or original.status != OrderStatus.COMPLETED:
        raise NotReturnable(number=original.number)
    if refund_method not in {m.value for m in RefundMethod}:
        raise UnknownPaymentMethod(method=str(refund_method)[:20])
    refund_method = RefundMethod(refund_method)
    store = register.store if register is not None else original.store
    check_till(store, register, shift)
    _lock(original)
    wanted = _wanted(original, picks)
    before = returned_so_far(original)
    for line, qty in wanted.items():
        left = line.quantity - before.get(line.id, (ZERO, ZERO))[0]
        if qty > left:
            raise ReturnTooMuch(name=line.sku.display_name, returnable=left, requested=qty)
    try:
        with db.session.begin_nested():
            order = Order(number=next_order_number(store), channel=original.channel, kind=OrderKind.RETURN.value,
                          status=OrderStatus.OPEN.value, store_id=store.id, cashier=user,
                          register_id=register.id if register else None, shift_id=shift.id if shift else None,
                          client_uuid=client_uuid or None, original_order_id=original.id,
                          customer_id=original.customer_id)
            db.session.add(order)
            db.session.flush()
            refunds = _refunds(original, wanted, before)
            for line, qty in wanted.items():
                _take_back(order, line, qty, refunds[line], user, damaged)
            order.subtotal = order.total = sum((ln.amount for ln in order.lines), ZERO)
            order.refund_approved_by = refund_approval(store, order.total, user, approver)
            if all(before.get(ln.id, (ZERO, ZERO))[0] + wanted.get(ln, ZERO) >= ln.quantity for ln in original.lines):
                coupons.give_back(original)  # a full refund: its coupons may be used again
            _refund(order, original, refund_method)
            if original.customer_id is not None:  # the points the refunded part earned go back
                from webapp.members.points import take_back_for_return
                take_back_for_return(original, order)
            order.status, order.completed_at = OrderStatus.COMPLETED.value, utcnow()
            db.session.flush()
    except IntegrityError:
        done = completed_with(client_uuid)
        if done is None:
            raise DuplicateRequest() from None
        return done
    return order


def needs_approval(store: Store, amount: Decimal) -> bool:
    return amount > store.refund_approval_above


def refund_approval(store: Store, amount: Decimal, user: User, approver: User | None) -> User | None:
    """Who answers for a refund of this amount: nobody below the store's threshold; above it the user when
    they may approve it (a manager of the store), else the manager whose PIN approved it."""
    if not needs_approval(store, amount):
        return None
    if approver is None:
        if may_discount(user, store):
            return user
        raise RefundNeedsApproval(amount=amount, limit=store.refund_approval_above)
    if not may_discount(approver, store):
        raise NotARefundApprover(name=approver.name)
    return approver


def returned_so_far(original: Order) -> dict[int, tuple[Decimal, Decimal]]:
    """Per line of a sale: (quantity taken back, amount refunded) by completed returns."""
    rows = db.session.execute(
        select(OrderLine.original_line_id, func.sum(OrderLine.quantity), func.sum(OrderLine.amount))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.original_order_id == original.id, Order.status == OrderStatus.COMPLETED.value)
        .group_by(OrderLine.original_line_id)
    )
    return {line_id: (quantity(qty), Decimal(amount)) for line_id, qty, amount in rows}


def _wanted(original: Order, picks) -> dict[OrderLine, Decimal]:
    wanted: dict[OrderLine, Decimal] = {}
    for line, qty in picks:
        if line.order_id != original.id:
            raise ValueError(f"line {line.id} is not on order {original.number}")
        qty = quantity(qty)
        if qty < 0:
            raise InvalidQuantity(quantity=qty)
        if qty:
            wanted[line] = wanted.get(line, ZERO) + _valid_quantity(line.sku, qty)
    if not wanted:
        raise NothingToReturn()
    return wanted


def _lock(original: Order) -> None:
    """One return of a sale at a time (PostgreSQL row lock; SQLite has one writer)."""
    db.session.execute(select(Order.id).where(Order.id == original.id).with_for_update())


def _refunds(original: Order, wanted: dict[OrderLine, Decimal],
             before: dict[int, tuple[Decimal, Decimal]]) -> dict[OrderLine, Decimal]:
    """Each returned line's refund: its stored amount pro rata, unless a reward for buying several is no
    longer earned on what the customer keeps (buy 2 get 1: returning a paid item does not leave the free
    one free). Then the refund is what was paid, less what was refunded before, less what the kept goods
    cost re-priced; so the last return of a sale always gives back exactly what is left of what it cost."""
    nothing = (ZERO, ZERO)
    pro_rata = {line: pro_rata_refund(line.amount, line.quantity, *before.get(line.id, nothing), qty)
                for line, qty in wanted.items()}
    kept = {ln.id: ln.quantity - before.get(ln.id, nothing)[0] - wanted.get(ln, ZERO) for ln in original.lines}
    extra = promotions.kept_extra(original, kept)
    if not extra and all(
            before.get(ln.id, nothing)[1] == pro_rata_refund(ln.amount, ln.quantity, ZERO, ZERO,
                                                             before.get(ln.id, nothing)[0])
            for ln in original.lines):
        return pro_rata
    paid_left = sum((ln.amount - before.get(ln.id, nothing)[1] for ln in original.lines), ZERO)
    kept_value = sum((ln.amount - pro_rata_refund(ln.amount, ln.quantity, ZERO, ZERO, ln.quantity - kept[ln.id])
                      for ln in original.lines), ZERO) + extra
    refund = min(max(ZERO, paid_left - kept_value), paid_left)
    lines = list(pro_rata)
    weights = [pro_rata[line] for line in lines]
    if not any(weights):
        weights = [line.unit_price * wanted[line] for line in lines]
    shares = allocate(refund, [round_money(w) for w in weights]) if any(weights) else [ZERO] * len(lines)
    return dict(zip(lines, shares, strict=True))


def _take_back(order: Order, line: OrderLine, qty: Decimal, refund: Decimal, user: User, damaged: bool) -> None:
    order.lines.append(OrderLine(
        sku_id=line.sku_id, quantity=qty, unit_price=line.unit_price, regular_price=line.regular_price,
        priced_amount=refund, line_discount=ZERO, order_discount_share=ZERO, amount=refund,
        unit_cost=line.unit_cost, lot_id=line.lot_id, serial=line.serial, original_line_id=line.id))
    stock.take_back(order.store, line.sku, qty, user=user, document=("order", order.number),
                    unit_cost=line.unit_cost, lot=line.lot, damaged=damaged)


def _refund(order: Order, original: Order, method: RefundMethod) -> None:
    """Refund payments (negative): in cash, or back to the original payments, non-cash first."""
    left = order.total
    if method == RefundMethod.ORIGINAL:
        refunded = _refunded_per_payment(original)
        paid = [p for p in original.payments if p.status == PaymentStatus.SUCCEEDED and p.amount > 0]
        for payment in sorted(paid, key=lambda p: (p.method == PaymentMethod.CASH, p.id)):
            part = min(left, payment.amount - refunded.get(payment.id, ZERO))
            if part > 0:
                _refund_payment(order, payment, part)
                left -= part
    if left > 0:
        tenders.cash_back(order, left)


def _refund_payment(order: Order, payment: Payment, amount: Decimal) -> None:
    """Back to the payment it came from (the payment path); when the provider refuses, the customer
    gets cash instead.

    Either way the refund is recorded against the original payment, so a later return of the
    same sale never gives that part back twice; a cash refund standing in for a refused one
    keeps the provider's reason in its message, and the return's receipt says so.
    """
    # Stable across retries of the same return, so the provider refunds it once.
    back = tenders.refund(order, payment, amount, f"R-{order.client_uuid or order.number}-{payment.id}")
    if back.status == PaymentStatus.DECLINED:
        back.method, back.status = PaymentMethod.CASH.value, PaymentStatus.SUCCEEDED.value


def _refunded_per_payment(original: Order) -> dict[int, Decimal]:
    rows = db.session.execute(
        select(Payment.original_payment_id, func.sum(Payment.amount))
        .join(Order, Order.id == Payment.order_id)
        .where(Order.original_order_id == original.id, Order.status == OrderStatus.COMPLETED.value,
               Payment.status == PaymentStatus.SUCCEEDED.value, Payment.original_payment_id.is_not(None))
        .group_by(Payment.original_payment_id)
    )
    return {payment_id: -Decimal(total) for payment_id, total in rows}

