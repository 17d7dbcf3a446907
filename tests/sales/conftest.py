"""Fixtures for sales: stocked SKUs with lots, a provider that keeps count (the till is in tests/conftest.py)."""
from decimal import Decimal

import pytest

from webapp.sales.providers import SandboxProvider, register_provider
from webapp.stock import services as stock


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
