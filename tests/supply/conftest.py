"""Fixtures for store orders: the HQ warehouse with stock, franchise stores with terms, orders in each state."""
from decimal import Decimal

import pytest

from webapp.auth.models import Role
from webapp.extensions import db
from webapp.stock import services as stock
from webapp.supply import allocation, orders, shipping
from webapp.supply.models import DeliveryPrice, FranchiseTerms, SupplyItem
from webapp.supply.terms import settings


@pytest.fixture
def hq(make_store, make_user):
    """The HQ warehouse, the chain's settings row, and an HQ admin (``hq.admin``)."""
    store = make_store(code="HQ", name="配送中心", kind="hq_warehouse", allow_negative_stock=False)
    stock.ensure_locations(store)
    settings(lock=True)
    store.admin = make_user(Role.HQ_ADMIN)
    return store


@pytest.fixture
def stock_hq(hq):
    def put(sku, qty, cost="2.00", lot=None, expiry=None):
        stock.receive(hq, sku, qty, cost, user=hq.admin, document=("receipt", f"R{sku.id}-{lot}"),
                      lot_code=lot, expiry=expiry)
    return put


@pytest.fixture
def franchise(make_store, make_user):
    """A franchise store with credit terms and its franchisee (``store.owner``)."""
    def make(credit_limit="10000.00", payment_days=30, **fields):
        store = make_store(kind="franchise", **fields)
        if credit_limit is not None:
            db.session.add(FranchiseTerms(store_id=store.id, credit_limit=Decimal(credit_limit),
                                          payment_days=payment_days))
            db.session.flush()
        store.owner = make_user(Role.FRANCHISEE, stores=[store])
        return store
    return make


@pytest.fixture
def delivery_price():
    def set_price(store, sku, price):
        db.session.add(DeliveryPrice(store_id=store.id, sku_id=sku.id, price=Decimal(price)))
        db.session.flush()
    return set_price


@pytest.fixture
def pack():
    def set_pack(sku, size, minimum="0", orderable=True):
        db.session.add(SupplyItem(sku_id=sku.id, pack_size=Decimal(size), min_qty=Decimal(minimum),
                                  orderable=orderable))
        db.session.flush()
    return set_pack


@pytest.fixture
def submitted():
    def make(store, lines, user=None):
        """lines: (sku, quantity); the order is submitted to HQ."""
        order = orders.draft_for(store, user=user)
        for sku, qty in lines:
            orders.set_quantity(order, sku, qty)
        orders.submit(order, user=user)
        return order
    return make


@pytest.fixture
def shipped(submitted, hq):
    def make(store, lines):
        order = submitted(store, lines)
        allocation.approve(order, user=hq.admin)
        shipping.ship(order, user=hq.admin)
        return order
    return make
