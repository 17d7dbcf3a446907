"""Many customers check out the last units at once, against a live server: exactly that many orders."""
from decimal import Decimal

import pytest

from bench.bench_oversell import storm
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.sales.online.models import OnlineOrder
from webapp.shop.models import Cart, CartLine
from webapp.stock import services as stock
from webapp.stock.models import StockLevel
from webapp.stock.queries import level_at, level_from_moves

BUYERS, UNITS = 24, 5


@pytest.fixture
def last_units(online_store):
    store = online_store(name="西湖店")
    product = save_product(None, name="限量月饼", tracking="none", weighed=False, unit="piece", plu=None,
                           variants=[VariantInput(code="MOON-1", list_price="88.00", barcodes=[])])
    sku = product.skus[0]
    stock.receive(store, sku, UNITS, "40.00", user=None, document=("receipt", "R1"))
    db.session.add_all(Cart(token=f"buyer-{i}", fulfilment="pickup", store=store,
                            lines=[CartLine(sku=sku, quantity=Decimal("1"))]) for i in range(BUYERS))
    db.session.commit()
    return store, sku


def test_concurrent_checkouts_never_take_the_last_units_twice(app, last_units):
    store, sku = last_units
    outcomes = [outcome for outcome, *_answer in storm(app, BUYERS)[0]]
    assert outcomes.count("ordered") == UNITS
    assert outcomes.count("sold out") == BUYERS - UNITS  # every other buyer is told, none gets an error
    db.session.remove()
    assert db.session.query(OnlineOrder).count() == UNITS
    assert level_at(store, sku) == (Decimal(UNITS), Decimal(UNITS))
    for level in db.session.query(StockLevel).filter_by(sku_id=sku.id):
        assert level.on_hand == level_from_moves(level.location_id, level.sku_id, level.lot_id)
