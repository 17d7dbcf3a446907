"""Fixtures for promotions: promotions made the way a manager makes them, a till, an online store."""
import itertools
from dataclasses import dataclass

import pytest

import webapp.pos.models  # noqa: F401  (tables for create_all)
import webapp.sales.online.models  # noqa: F401
import webapp.shop.models  # noqa: F401
from webapp.auth.models import Role, User
from webapp.catalog.services import category_by_path
from webapp.pos import services as pos
from webapp.pos.models import Register, Shift
from webapp.promotions import editing
from webapp.sales import services as sales
from webapp.stock import services as stock
from webapp.stores.models import Store

_numbers = itertools.count(1)


@pytest.fixture
def make_promotion():
    """An active promotion from the manager's input: make_promotion("percent", percent="20", sku_ids=[...])."""
    def make(kind, name=None, active=True, **fields):
        promotion = editing.save(None, editing.PromotionInput(name=name or f"促销{next(_numbers)}", kind=kind,
                                                              **fields), user=None)
        if active:
            editing.start(promotion)
        return promotion

    return make


@pytest.fixture
def goods(make_sku):
    """A SKU with a cost, in a category, with stock at the given stores: goods("9.90", stores=[s], category=...)."""
    def make(price, cost="1.00", stores=(), category=None, qty=100, **fields):
        sku = make_sku(price=price, **fields)
        sku.cost = cost
        if category:
            sku.product.category = category_by_path(category)
        for store in stores:
            stock.receive(store, sku, qty, cost, user=None, document=("receipt", "R1"))
        return sku

    return make


@dataclass
class Till:
    store: Store
    register: Register
    cashier: User
    shift: Shift

    def ring_up(self, *skus_and_quantities):
        order = sales.open_sale(self.store, self.register, self.shift, self.cashier)
        for sku, qty in skus_and_quantities:
            sales.add_item(order, sku, qty)
        return order

    def sell(self, *skus_and_quantities):
        order = self.ring_up(*skus_and_quantities)
        return sales.complete_sale(order, [sales.Tender("cash", str(order.total))], user=self.cashier,
                                   client_uuid=f"sale-{order.number}")


@pytest.fixture
def make_till(make_user):
    def make(store) -> Till:
        register = pos.save_register(None, store=store, name=f"{next(_numbers)}号收银台")
        cashier = make_user(role=Role.CASHIER, stores=[store], display_name="李四")
        return Till(store, register, cashier, pos.open_shift(register, cashier, "200.00"))

    return make


@pytest.fixture
def customer(make_user):
    return make_user(role=Role.CUSTOMER, phone="13800138000", username="c13800138000")
