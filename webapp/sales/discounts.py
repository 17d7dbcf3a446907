"""Discounts at the till: given by someone allowed, or approved on the spot by a manager's PIN.

Every discount records who answers for it, and is never more than the amount
it comes off. An order discount is spread over the lines when the order is
repriced (``cart.reprice``).
"""
from decimal import Decimal

from webapp.auth.models import MANAGERS, Role, User
from webapp.numbers import money
from webapp.sales.cart import check_line, reprice, require_changeable
from webapp.sales.errors import DiscountNeedsApproval, DiscountTooLarge, InvalidDiscount, NotAnApprover
from webapp.sales.models import ZERO, Order, OrderLine
from webapp.stores.models import Store

# Who may give a discount themselves, and approve a cashier's with their PIN.
DISCOUNT_ROLES = {*MANAGERS, Role.HQ_ADMIN}  # who may approve: User.is_manager


def may_discount(user: User, store: Store) -> bool:
    return user.active and user.is_manager and user.can_access_store(store.id)


def apply_line_discount(order: Order, line: OrderLine, amount, *, user: User, approver: User | None = None) -> None:
    """A discount off one line, given by someone allowed or approved by a manager; 0 takes it off."""
    require_changeable(order)
    check_line(order, line)
    amount = _valid_discount(amount, line.priced_amount)
    line.discount_approved_by_id = _approval(order.store, user, approver).id if amount else None
    line.line_discount = amount
    reprice(order)


def apply_order_discount(order: Order, amount, *, user: User, approver: User | None = None) -> None:
    """A discount off the whole order, spread over its lines; 0 takes it off."""
    require_changeable(order)
    amount = _valid_discount(amount, sum((ln.priced_amount - ln.line_discount for ln in order.lines), ZERO))
    order.order_discount_approved_by_id = _approval(order.store, user, approver).id if amount else None
    order.order_discount = amount
    reprice(order)


def _valid_discount(amount, limit: Decimal) -> Decimal:
    amount = money(amount)
    if amount < 0:
        raise InvalidDiscount(discount=amount)
    if amount > limit:
        raise DiscountTooLarge(discount=amount, limit=limit)
    return amount


def _approval(store: Store, user: User, approver: User | None) -> User:
    """Who answers for a discount: the user if allowed, else the approving manager."""
    if approver is None:
        if may_discount(user, store):
            return user
        raise DiscountNeedsApproval()
    if not may_discount(approver, store):
        raise NotAnApprover(name=approver.name)
    return approver
