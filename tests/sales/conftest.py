"""Fixtures for sales: a till with an open shift, stocked SKUs, a provider that keeps count.

The till's and the sales' models are imported here, at collection, so that the
session-wide ``create_all`` of tests/conftest.py makes their tables.
"""
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest

import webapp.pos.models  # noqa: F401  (tables for create_all)
import webapp.sales.models  # noqa: F401
from webapp.auth.models import Role, User
from webapp.pos import services as pos
from webapp.pos.models import Register, Shift
from webapp.sales import services as sales
from webapp.sales.providers import SandboxProvider, register_provider
from webapp.stock import services as stock
from webapp.stores.models import Store

_tills = itertools.count(1)


@dataclass
class Till:
    store: Store
    register: Register
    cashier: User
    shift: Shift

    def sale(self):
        return sales.open_sale(self.store, self.register, self.shift, self.cashier)


@pytest.fixture
def make_till(make_store, make_user):
    def make(store=None, width=80, opening_float="200.00", **store_fields) -> Till:
        store = store or make_store(**store_fields)
        register = pos.save_register(None, store=store, name=f"{next(_tills)}号收银台", receipt_width=width)
        cashier = make_user(role=Role.CASHIER, stores=[store], display_name="张三")
        return Till(store, register, cashier, pos.open_shift(register, cashier, opening_float))

    return make


@pytest.fixture
def till(make_till) -> Till:
    return make_till()


@pytest.fixture
def stocked(make_sku):
    """A SKU with stock on a store's shelf at a cost."""
    def make(store, qty=10, cost="2.00", lot_code="L1", **sku_fields):
        sku = make_sku(**sku_fields)
        tracked = sku_fields.get("tracking", "none") != "none"
        stock.receive(store, sku, qty, cost, user=None, document=("receipt", "R1"),
                      lot_code=lot_code if tracked else None)
        return sku

    return make


class Recording(SandboxProvider):
    """The sandbox, keeping a log of every call: ("charge"|"refund"|"query", amount or reference)."""

    calls: list = []

    def charge(self, amount, auth_code, reference):
        self.calls.append(("charge", self.method.value, Decimal(amount)))
        return super().charge(amount, auth_code, reference)

    def refund(self, transaction_id, amount, reference):
        self.calls.append(("refund", self.method.value, Decimal(amount)))
        return super().refund(transaction_id, amount, reference)


@pytest.fixture
def provider(app):
    """Payments go through the recording sandbox for this test; returns its call log."""
    register_provider("recording", Recording)
    Recording.calls = []
    app.config["PAYMENT_PROVIDER"] = "recording"
    yield Recording.calls
    app.config.pop("PAYMENT_PROVIDER")
