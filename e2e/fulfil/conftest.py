"""The fulfilment journeys' world: two online stores in Hangzhou, their staff and till, goods in stock,
a bridge with an emulated USB scanner, and browser contexts for a phone and tablets."""
from decimal import Decimal

import pytest

from bridge.app import BridgeThread
from bridge.config import Settings
from e2e.harness import fresh_app, serving
from tests.bridge.emulation import EmulatedScanner, EmulatedUsbBackend
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.pos.services import open_shift, save_register
from webapp.stock import services as stock
from webapp.stores.services import save_store

TOKEN = "fulfil-journey-token"
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}
PAID_CODE = "134567890123450001"
# Wensan Road (文三路), West Lake district, and a store across the river in Binjiang: the first is nearer.
NEAR, FAR = (30.2770, 120.1330), (30.2080, 120.2110)
CUSTOMER_AT = {"latitude": 30.2790, "longitude": 120.1360}
GOODS = [("西湖龙井 250g", "6901000000011", "48.00"), ("五芳斋粽子 2只装", "6901000000028", "15.50"),
         ("知味观桂花糕", "6901000000035", "22.00")]
STOCK = 10


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """A server of its own (the journeys' stores would show in other journeys' store lists)."""
    return fresh_app(tmp_path_factory, "fulfil")


@pytest.fixture(scope="session")
def base_url(live_app):
    with serving(live_app) as url:
        yield url


@pytest.fixture(scope="session")
def world(live_app):
    with live_app.app_context():
        near = save_store(None, code="FL01", name="文三路店", kind="direct", city="杭州", district="西湖区",
                          address="文三路 200 号", phone="0571-88880001", latitude=NEAR[0], longitude=NEAR[1])
        far = save_store(None, code="FL02", name="滨江店", kind="direct", city="杭州", district="滨江区",
                         address="江南大道 9 号", latitude=FAR[0], longitude=FAR[1])
        for store in (near, far):
            stock.ensure_locations(store)
            store.online_pickup, store.delivery_radius_m, store.pay_at_pickup = True, 5000, True
            store.delivery_fee, store.minimum_order, store.opening_hours = Decimal("5.00"), Decimal("20.00"), "08:00-22:00"
        register = save_register(None, store=near, name="1号收银台", receipt_width=80)
        cashier = save_user(None, username="fl-cashier", display_name="周收银", role=Role.CASHIER, stores=[near],
                            password="fl-cashier-1")
        save_user(None, username="fl-picker", display_name="王拣货", role=Role.CASHIER, stores=[near],
                  password="fl-picker-1")
        open_shift(register, cashier, "200.00")
        skus = {}
        for name, barcode, price in GOODS:
            product = save_product(None, name=name, variants=[VariantInput(code=f"FL-{barcode}", list_price=price,
                                                                           barcodes=[barcode])])
            skus[name] = product.skus[0]
            for store in (near, far):
                stock.receive(store, product.skus[0], STOCK, "10.00", user=None, document=("opening", "FL"))
        db.session.commit()
        return {"store_id": near.id, "register_id": register.id,
                "skus": {name: (sku.id, sku.product_id) for name, sku in skus.items()}}


@pytest.fixture(scope="session")
def scanner(base_url):
    """The till's bridge on a free port with an emulated USB barcode scanner."""
    backend = EmulatedUsbBackend()
    device = backend.plug(EmulatedScanner())
    settings = Settings(port=0, hosts=("127.0.0.1",), origins=(base_url,), poll_interval=0.05, read_timeout_ms=20,
                        usb_backend=backend)
    with BridgeThread(settings, TOKEN) as bridge:
        yield {"scanner": device, "url": f"ws://127.0.0.1:{bridge.port}/"}

