"""Fixtures for purchasing: suppliers with terms, and a sent purchase order."""
import itertools

import pytest

from webapp.purchasing import orders, suppliers

_suppliers = itertools.count(1)


@pytest.fixture
def make_supplier():
    def make(name=None, lead_time_days=2, minimum_order="0", items=()):
        """items: (sku, cost price, pack size[, minimum quantity[, pack barcode]])"""
        supplier = suppliers.save_supplier(None, name=name or f"供应商{next(_suppliers)}",
                                           lead_time_days=lead_time_days, minimum_order=minimum_order)
        for sku, cost, pack, *rest in items:
            suppliers.save_item(supplier, sku, cost_price=cost, pack_size=pack,
                                min_order_qty=rest[0] if rest else "0", pack_barcode=rest[1] if len(rest) > 1 else None)
        return supplier

    return make


@pytest.fixture
def sent_order():
    def make(store, supplier, lines, user=None):
        """lines: (sku, quantity[, unit cost]); the order is sent to the supplier."""
        order = orders.create_order(store, supplier, user=user)
        for sku, qty, *cost in lines:
            orders.set_line(order, sku, qty, cost[0] if cost else None)
        orders.send(order)
        return order

    return make
