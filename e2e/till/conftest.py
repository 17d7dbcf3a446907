"""The till journeys' world: an online store with its till and staff, cans held by three online orders,
and the till's bridge (emulated USB scanner and receipt printer) allowing this server's pages."""
import pytest

from bridge.app import BridgeThread
from bridge.config import Settings
from e2e.harness import fresh_app, serving
from tests.bridge.emulation import EmulatedPrinter, EmulatedScanner, EmulatedUsbBackend
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.pos.services import open_shift, save_register
from webapp.sales.online import services as online
from webapp.stock import services as stock
from webapp.stores.services import save_store

TOKEN = "till-devices-token"
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}
PAID_CODE = "134567890123450001"
CANS = "6901000000523"


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    return fresh_app(tmp_path_factory, "till")


@pytest.fixture(scope="session")
def base_url(live_app):
    with serving(live_app) as url:
        yield url


@pytest.fixture(scope="session")
def world(live_app):
    """7 cans on the shelf of 文三路店, 6 held by three paid pickup orders (2, 1, 3, in that order)."""
    with live_app.app_context():
        store = save_store(None, code="TL01", name="文三路店", kind="direct", city="杭州", district="西湖区",
                           latitude=30.277, longitude=120.133)
        stock.ensure_locations(store)
        store.online_pickup, store.pay_at_pickup = True, True
        register = save_register(None, store=store, name="1号收银台", receipt_width=58)
        cashier = save_user(None, username="tl-cashier", display_name="周收银", role=Role.CASHIER, stores=[store],
                            password="tl-cashier-1")
        save_user(None, username="tl-picker", display_name="王拣货", role=Role.CASHIER, stores=[store],
                  password="tl-picker-1")
        customer = save_user(None, username="c13900139000", display_name="", role=Role.CUSTOMER, stores=[],
                             phone="13900139000", password="tl-customer-1")
        open_shift(register, cashier, "200.00")
        cans = save_product(None, name="可口可乐 330ml", variants=[VariantInput(code="TL-COLA", list_price="3.00",
                                                                              barcodes=[CANS])]).skus[0]
        tea = save_product(None, name="西湖龙井 250g", variants=[VariantInput(code="TL-TEA", list_price="48.00",
                                                                            barcodes=["6901000000530"])]).skus[0]
        stock.receive(store, cans, 7, "1.50", user=None, document=("opening", "TL"))
        stock.receive(store, tea, 10, "30.00", user=None, document=("opening", "TL"))
        orders = []
        for n, count in enumerate((2, 1, 3)):
            order = online.place_order(store, customer, [(cans, count), (tea, 1)], phone="13900139000",
                                       checkout_key=f"tl-{n}")
            online.pay(order, "wechat", PAID_CODE)
            orders.append(order.id)
        db.session.commit()
        return {"store_id": store.id, "register_id": register.id, "cans": cans.id, "orders": orders,
                "shift_id": register.id}


@pytest.fixture
def bridge(base_url):
    """The till's bridge on a free port, with an emulated USB scanner and receipt printer (and its drawer)."""
    backend = EmulatedUsbBackend()
    scanner, printer = backend.plug(EmulatedScanner()), backend.plug(EmulatedPrinter())
    settings = Settings(port=0, hosts=("127.0.0.1",), origins=(base_url,), poll_interval=0.05, read_timeout_ms=20,
                        usb_backend=backend)
    with BridgeThread(settings, TOKEN) as running:
        yield {"scanner": scanner, "printer": printer, "url": f"ws://127.0.0.1:{running.port}/"}

