"""The shop's requests around the checkout read what they need, never the whole chain.

A chain sells online from many stores (120 in the seed case); the home page, the fulfilment choice, the
checkout page, the return from the wallet's cashier and the order page must not load every store as
objects, nor ask every store's stock. Counted with SQLAlchemy's cursor events on a fresh session, as each
request has; the figures are the ones this code reaches: raise them only with a reason.
"""
from decimal import Decimal

import pytest

from tests.shop.conftest import WEST_LAKE, at_cashier
from tests.shop.test_checkout_statements import counted
from webapp.extensions import db
from webapp.sales.online.models import OnlineOrder
from webapp.shop import geo, queries

FAR = (31.2304, 121.4737)  # Shanghai: 165 km from West Lake


@pytest.fixture
def chain(online_store):
    """Two stores near West Lake and eight far away, each offering pickup and delivery within 3 km."""
    near = [online_store(WEST_LAKE, "西湖区", name="西湖店"),
            online_store((WEST_LAKE[0] + 0.01, WEST_LAKE[1]), "西湖区", name="北山店")]
    far = [online_store((FAR[0] + 0.01 * n, FAR[1]), "黄浦区", name=f"上海{n}店") for n in range(8)]
    return near, far


@pytest.fixture
def whole_chain_refused(monkeypatch):
    """Loading every store selling online fails the test; the stores whose stock is read are kept."""
    def refused():
        raise AssertionError("every store of the chain loaded")

    asked: list[int] = []
    available = queries.available

    def watched(stores, sku_ids):
        asked.extend(s.id for s in stores)
        return available(stores, sku_ids)

    monkeypatch.setattr(queries, "online_stores", refused)
    monkeypatch.setattr(queries, "available", watched)
    return asked


@pytest.fixture(autouse=True)
def book_kept(app, monkeypatch):
    """The promotions' book, once read, is not asked about again during the test (in production: once a
    second per process): the counts are the requests' own."""
    monkeypatch.setitem(app.config, "PROMOTIONS_CHECK_SECONDS", 3600)


def sent(statements) -> list[str]:
    return [s for s in statements if not s.startswith("BEGIN")]


def test_the_home_page_reads_one_store_for_its_prices(client, chain, stocked, whole_chain_refused):
    near, far = chain
    stocked({near[0]: 5}, price="4.50", name="龙井茶")
    db.session.commit()
    client.get("/shop/")  # the promotions' book, read once a second per process
    db.session.expunge_all()
    with counted() as statements:
        page = client.get("/shop/")
    assert page.status_code == 200 and "龙井茶" in page.get_data(as_text=True)
    stores = [s for s in sent(statements) if s.startswith("SELECT stores.")]
    assert len(stores) == 1 and "LIMIT" in stores[0], "\n".join(stores)
    # the store, the newest products and their SKUs, the categories, the store's prices, the photos
    assert len(sent(statements)) <= 6, "\n".join(sent(statements))


def test_delivery_reads_only_the_stores_near_the_customer(client, chain, stocked, whole_chain_refused):
    near, far = chain
    tea = stocked({store: 5 for store in near + far}, price="30.00")
    db.session.commit()
    client.post("/shop/cart/add", data={"sku": tea.id, "quantity": "1"})
    client.get("/shop/")  # the promotions' book read
    db.session.expunge_all()
    with counted() as statements:
        chosen = client.post("/shop/cart/fulfilment", data={
            "fulfilment": "delivery", "address": "北山路 1 号", "latitude": str(WEST_LAKE[0] + 0.008),
            "longitude": str(WEST_LAKE[1])})
    assert chosen.status_code == 303
    assert len(sent(statements)) == 2, "\n".join(sent(statements))  # the cart, its change: no store to read
    db.session.expunge_all()
    with counted() as statements:
        page = client.get("/shop/checkout")
    assert page.status_code == 200 and "北山店" in page.get_data(as_text=True)  # 220 m, the nearer one
    # the cart, the stores near the customer, their stock of the cart's SKUs, the store's prices
    assert len(sent(statements)) <= 4, "\n".join(sent(statements))
    assert set(whole_chain_refused) <= {s.id for s in near}


def test_a_delivery_address_by_district_is_measured_from_the_districts_centre(client, chain, stocked,
                                                                              whole_chain_refused):
    near, far = chain
    tea = stocked({near[1]: 5, far[0]: 5}, price="30.00")
    db.session.commit()
    client.post("/shop/cart/add", data={"sku": tea.id, "quantity": "1"})
    client.post("/shop/cart/fulfilment", data={"fulfilment": "delivery", "address": "北山路 1 号",
                                               "district": "西湖区", "district_changed": "1"})
    page = client.get("/shop/checkout")
    assert page.status_code == 200 and "北山店" in page.get_data(as_text=True)
    assert set(whole_chain_refused) <= {s.id for s in near}


@pytest.mark.parametrize("metres, reached", [(2990, True), (3010, False)])
def test_a_store_delivers_exactly_as_far_as_its_radius_east_and_north(app, online_store, metres, reached):
    """The box the database looks in holds the whole circle: the exact distance decides, at its edge too."""
    store = online_store((30.0, 120.0), radius=3000)
    db.session.commit()
    east = (30.0, 120.0 + metres / (geo.EARTH_RADIUS_M * 0.017453292519943295 * 0.8660254037844387))
    north = (30.0 + metres / (geo.EARTH_RADIUS_M * 0.017453292519943295), 120.0)
    for here in (east, north):
        assert abs(geo.distance_m(here, (30.0, 120.0)) - metres) <= 2
        found = store in queries.delivering_near(here)
        assert found or not reached
        within = found and geo.distance_m(here, geo.position_of(store)) <= store.delivery_radius_m
        assert within == reached


def _placed_for_pickup(client, online_store, stocked, key):
    """A guest's one-item pickup order placed through the shop's pages, sent on to the wallet's cashier."""
    store = online_store()
    tea = stocked({store: 5}, price="4.50")
    db.session.commit()
    client.post("/shop/cart/add", data={"sku": tea.id, "quantity": "1"})
    client.post("/shop/cart/fulfilment", data={"fulfilment": "pickup", "store": store.id})
    due = client.get("/shop/checkout").get_data(as_text=True).split('name="expected_due" value="')[1].split('"')[0]
    placed = client.post("/shop/checkout", data={"checkout_key": key, "payment": "wechat",
                                                 "phone": "13900000001", "expected_due": due})
    return placed, tea


def test_back_from_the_wallet_after_its_notification_reads_the_order_once(client, online_store, stocked):
    placed, _tea = _placed_for_pickup(client, online_store, stocked, "k-back")
    from urllib.parse import parse_qsl, urlsplit
    fields = dict(parse_qsl(urlsplit(placed.location).query))
    back = client.post("/shop/sandbox-pay", data={**fields, "action": "pay"})  # its notification recorded it
    db.session.expunge_all()
    with counted() as statements:
        order_page = client.get(back.location)
    assert order_page.status_code == 303
    assert len(sent(statements)) == 1, "\n".join(sent(statements))  # the order with its payments: no lock
    online = db.session.query(OnlineOrder).one()
    assert online.is_paid and len(online.order.payments) == 1


def test_the_order_pages_cart_badge_is_one_sum(client, online_store, stocked):
    placed, tea = _placed_for_pickup(client, online_store, stocked, "k-badge")
    at_cashier(client, placed, "pay")
    client.post("/shop/cart/add", data={"sku": tea.id, "quantity": "2"})  # the next order's cart
    token = db.session.query(OnlineOrder).one().access_token
    db.session.expunge_all()
    with counted() as statements:
        page = client.get(f"/shop/orders/{token}")
    assert page.status_code == 200
    assert 'id="cart-count">2<' in page.get_data(as_text=True)
    carts = [s for s in sent(statements) if "shop_cart" in s]
    assert len(carts) == 1 and carts[0].startswith("SELECT sum(shop_cart_lines.quantity)"), "\n".join(carts)
    assert Decimal(2) == Decimal(page.get_data(as_text=True).split('id="cart-count">')[1].split("<")[0])
