"""Discounts: who may give them, a manager's PIN on the spot, never more than the amount, exact to the fen."""
from decimal import Decimal

import pytest

from webapp.auth.models import Role
from webapp.pos import services as pos
from webapp.sales import services as sales
from webapp.sales.errors import DiscountNeedsApproval, DiscountTooLarge, InvalidDiscount, NotAnApprover


def test_a_cashier_without_the_permission_cannot_give_a_discount(till, make_sku):
    order = till.sale()
    line = sales.add_item(order, make_sku(price="10.00"))
    with pytest.raises(DiscountNeedsApproval):
        sales.apply_line_discount(order, line, "1.00", user=till.cashier)
    with pytest.raises(DiscountNeedsApproval):
        sales.apply_order_discount(order, "1.00", user=till.cashier)
    assert order.total == Decimal("10.00")


def test_a_managers_pin_approves_a_cashiers_discount_and_is_recorded(till, make_sku, make_user):
    manager = make_user(role=Role.STORE_MANAGER, stores=[till.store])
    pos.set_pin(manager, "4321")
    order = till.sale()
    line = sales.add_item(order, make_sku(price="10.00"))
    approver = pos.approve_with_pin(till.store, "4321")
    sales.apply_line_discount(order, line, "1.50", user=till.cashier, approver=approver)
    assert (line.line_discount, line.amount, line.discount_approved_by) == (Decimal("1.50"), Decimal("8.50"), manager)
    assert (order.discount, order.total) == (Decimal("1.50"), Decimal("8.50"))


def test_a_store_manager_gives_a_discount_without_approval(till, make_sku, make_user):
    manager = make_user(role=Role.STORE_MANAGER, stores=[till.store])
    order = till.sale()
    sales.add_item(order, make_sku(price="10.00"))
    sales.apply_order_discount(order, "2.00", user=manager)
    assert (order.total, order.order_discount_approved_by) == (Decimal("8.00"), manager)


def test_a_manager_of_another_store_cannot_approve(till, make_sku, make_user, make_store):
    elsewhere = make_user(role=Role.STORE_MANAGER, stores=[make_store()])
    order = till.sale()
    line = sales.add_item(order, make_sku(price="10.00"))
    with pytest.raises(NotAnApprover):
        sales.apply_line_discount(order, line, "1.00", user=till.cashier, approver=elsewhere)


def test_a_discount_cannot_be_more_than_the_amount_nor_negative(till, make_sku, make_user):
    manager = make_user(role=Role.STORE_MANAGER, stores=[till.store])
    order = till.sale()
    line = sales.add_item(order, make_sku(price="10.00"))
    with pytest.raises(DiscountTooLarge):
        sales.apply_line_discount(order, line, "10.01", user=manager)
    with pytest.raises(InvalidDiscount):
        sales.apply_line_discount(order, line, "-1.00", user=manager)
    sales.apply_line_discount(order, line, "4.00", user=manager)
    with pytest.raises(DiscountTooLarge):
        sales.apply_order_discount(order, "6.01", user=manager)
    sales.apply_order_discount(order, "6.00", user=manager)
    assert order.total == Decimal("0.00")


def test_an_order_discount_is_spread_over_the_lines_to_the_fen(till, make_sku, make_user):
    manager = make_user(role=Role.STORE_MANAGER, stores=[till.store])
    order = till.sale()
    for price in ("1.00", "1.00", "1.00"):
        sales.add_item(order, make_sku(price=price))
    sales.apply_order_discount(order, "1.00", user=manager)
    assert [line.order_discount_share for line in order.lines] == [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")]
    assert [line.amount for line in order.lines] == [Decimal("0.66"), Decimal("0.67"), Decimal("0.67")]
    assert sum(line.amount for line in order.lines) == order.total == Decimal("2.00")


def test_an_order_discount_follows_the_lines_and_shrinks_with_them(till, make_sku, make_user):
    manager = make_user(role=Role.STORE_MANAGER, stores=[till.store])
    order = till.sale()
    big = sales.add_item(order, make_sku(price="9.99"))
    small = sales.add_item(order, make_sku(price="0.01"))
    sales.apply_order_discount(order, "5.00", user=manager)
    assert (big.order_discount_share, small.order_discount_share) == (Decimal("5.00"), Decimal("0.00"))
    sales.remove_line(order, big)
    assert (order.order_discount, small.amount, order.total) == (Decimal("0.01"), Decimal("0.00"), Decimal("0.00"))


def test_taking_a_discount_off_forgets_who_approved_it(till, make_sku, make_user):
    manager = make_user(role=Role.STORE_MANAGER, stores=[till.store])
    order = till.sale()
    line = sales.add_item(order, make_sku(price="10.00"))
    sales.apply_line_discount(order, line, "1.00", user=manager)
    sales.apply_line_discount(order, line, "0", user=till.cashier)
    assert (line.line_discount, line.discount_approved_by_id, order.total) == (Decimal("0.00"), None, Decimal("10.00"))
