"""Fixtures for the till: a register with an open shift, stocked SKUs.

The till's and the sales' models are imported here, at collection, so that the
session-wide ``create_all`` of tests/conftest.py makes their tables.
"""
import itertools
from dataclasses import dataclass

import pytest

import webapp.pos.models  # noqa: F401  (tables for create_all)
import webapp.sales.models  # noqa: F401
from webapp.auth.models import Role, User
from webapp.pos import services as pos
from webapp.pos.models import Register, Shift
from webapp.sales import services as sales
from webapp.stock import services as stock
from webapp.stores.models import Store

_tills = itertools.count(1)


@dataclass
class Till:
    store: Store
    register: Register
    cashier: User
    shift: Shift

    def sell(self, *skus_and_quantities, pay=None, discount=None, approver=None):
        """Ring up and complete a sale; ``pay``: Tenders (default: exact cash)."""
        order = sales.open_sale(self.store, self.register, self.shift, self.cashier)
        for sku, qty in skus_and_quantities:
            sales.add_item(order, sku, qty)
        if discount:
            sales.apply_order_discount(order, discount, user=self.cashier, approver=approver)
        pay = pay or [sales.Tender("cash", str(order.total))]
        return sales.complete_sale(order, pay, user=self.cashier, client_uuid=f"sale-{order.number}")


@pytest.fixture
def make_till(make_store, make_user):
    def make(store=None, opening_float="200.00", **store_fields) -> Till:
        store = store or make_store(**store_fields)
        register = pos.save_register(None, store=store, name=f"{next(_tills)}号收银台")
        cashier = make_user(role=Role.CASHIER, stores=[store], display_name="李四")
        return Till(store, register, cashier, pos.open_shift(register, cashier, opening_float))

    return make


@pytest.fixture
def till(make_till) -> Till:
    return make_till()


@pytest.fixture
def stocked(make_sku):
    def make(store, qty=100, cost="1.00", category=None, **sku_fields):
        sku = make_sku(**sku_fields)
        if category:
            from webapp.catalog.services import category_by_path

            sku.product.category = category_by_path(category)
        stock.receive(store, sku, qty, cost, user=None, document=("receipt", "R1"))
        return sku

    return make
