"""Fixtures for the online shop: stores that sell online (in Hangzhou), stocked SKUs, customers."""
import itertools
from decimal import Decimal

import pytest

import webapp.pos.models  # noqa: F401  (tables for create_all)
import webapp.sales.online.models  # noqa: F401
import webapp.shop.models  # noqa: F401
from webapp.auth.models import Role
from webapp.sales.online import services as online
from webapp.stock import services as stock

_keys = itertools.count(1)

# Real places in Hangzhou: West Lake (西湖区), Wulin (拱墅区), Binjiang (滨江区).
WEST_LAKE = (30.2590, 120.1300)
WULIN = (30.2750, 120.1630)
BINJIANG = (30.2080, 120.2110)


@pytest.fixture
def online_store(make_store):
    """A store that takes online orders: pickup, delivery within 3 km for 5 yuan over 20 yuan."""
    def make(position=WEST_LAKE, district="西湖区", radius=3000, fee="5.00", minimum="20.00",
             pay_at_pickup=True, hold=15, **fields):
        store = make_store(district=district, latitude=position[0], longitude=position[1],
                           opening_hours="08:00-22:00", city="杭州", **fields)
        store.online_pickup, store.delivery_radius_m, store.pay_at_pickup = True, radius, pay_at_pickup
        store.delivery_fee, store.minimum_order, store.unpaid_hold_minutes = Decimal(fee), Decimal(minimum), hold
        return store

    return make


@pytest.fixture
def stocked(make_sku):
    """A SKU with stock on the shelves of the given stores: stocked({store: 3}, price=...)."""
    def make(levels: dict, cost="2.00", **sku_fields):
        sku = make_sku(**sku_fields)
        for store, qty in levels.items():
            if qty:
                stock.receive(store, sku, qty, cost, user=None, document=("receipt", "R1"))
        return sku

    return make


@pytest.fixture
def customer(make_user):
    return make_user(role=Role.CUSTOMER, phone="13800138000", username="c13800138000")


@pytest.fixture
def place(customer):
    """Place a pickup order (or a delivery one) with a fresh checkout key."""
    def make(store, *lines, key=None, who=None, **options):
        return online.place_order(store, who or customer, list(lines), phone=options.pop("phone", "13800138000"),
                                  checkout_key=key or f"key-{next(_keys)}", **options)

    return make


def at_cashier(client, response, action="pay"):
    """Follow a checkout's (or a pay button's) answer to the sandbox's cashier and confirm there ("pay")
    or cancel; answers what the return URL answered (a 303 to the order page). Any other answer is
    given back as it is."""
    from urllib.parse import parse_qsl, urlsplit

    if response.status_code != 303 or "/shop/sandbox-pay" not in response.location:
        return response
    assert client.get(response.location).status_code == 200
    fields = dict(parse_qsl(urlsplit(response.location).query))
    back = client.post("/shop/sandbox-pay", data={**fields, "action": action})
    assert back.status_code == 303
    return client.get(back.location)
