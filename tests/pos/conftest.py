"""Fixtures for the till's tests: stocked SKUs (the till itself is in tests/conftest.py)."""
import pytest

from webapp.stock import services as stock


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
