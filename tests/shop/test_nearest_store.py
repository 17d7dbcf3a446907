"""Item 14: checkout is one tap from the cart: the nearest store that has everything is taken for the customer."""
import pytest

from tests.shop.conftest import BINJIANG, WEST_LAKE, WULIN
from webapp.extensions import db
from webapp.shop.geo import distance_label


def add(client, sku, qty="1"):
    return client.post("/shop/cart/add", data={"sku": sku.id, "quantity": qty})


def choose(client, **fields):
    return client.post("/shop/cart/fulfilment", data=fields)


def test_choosing_a_district_puts_checkout_one_tap_away_at_the_nearest_store_with_everything(
        client, online_store, stocked):
    west = online_store(WEST_LAKE, "西湖区", name="西湖店")
    wulin = online_store(WULIN, "拱墅区", name="武林店")
    binjiang = online_store(BINJIANG, "滨江区", name="滨江店")
    tea, cola = stocked({west: 5, wulin: 5, binjiang: 5}), stocked({west: 5, binjiang: 5})
    db.session.commit()
    add(client, tea), add(client, cola)
    choose(client, fulfilment="pickup", district="拱墅区", district_changed="1")  # Wulin lacks the cola
    page = client.get("/shop/cart").get_data(as_text=True)
    assert "/shop/checkout" in page
    assert page.split('class="go box"')[1].index("西湖店") < 200  # the summary names the store taken
    checkout = client.get("/shop/checkout")
    assert checkout.status_code == 200 and "西湖店" in checkout.get_data(as_text=True)


def test_the_browsers_position_takes_the_store_nearest_to_it(client, online_store, stocked):
    west = online_store(WEST_LAKE, "西湖区", name="西湖店")
    binjiang = online_store(BINJIANG, "滨江区", name="滨江店")
    tea = stocked({west: 5, binjiang: 5})
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", latitude=str(BINJIANG[0] + 0.003), longitude=str(BINJIANG[1]))
    page = client.get("/shop/checkout").get_data(as_text=True)
    assert "滨江店" in page and "西湖店" not in page
    cart = client.get("/shop/cart", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "330 米" in cart  # a real position: a real distance, rounded to tens


def test_a_store_in_the_customers_own_district_never_reads_zero_metres(client, online_store, stocked):
    west = online_store(WEST_LAKE, "西湖区", name="西湖店")
    online_store(BINJIANG, "滨江区", name="滨江店")
    tea = stocked({west: 5})
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", district="西湖区", district_changed="1")
    page = client.get("/shop/cart", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "0 米" not in page and "0 m" not in page
    assert "公里" in page  # Binjiang, in another district, is some kilometres away


@pytest.mark.parametrize("metres, shown", [(None, ""), (0, "10 米"), (4, "10 米"), (348, "350 米"),
                                           (994, "990 米"), (1234, "1.2 公里"), (9949, "9.9 公里"),
                                           (12_600, "13 公里")])
def test_a_distance_rounds_as_a_customer_reads_it(app, metres, shown):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert distance_label(metres) == shown


def test_without_a_district_the_only_store_with_everything_is_taken(client, online_store, stocked):
    west = online_store(WEST_LAKE, "西湖区", name="西湖店")
    wulin = online_store(WULIN, "拱墅区", name="武林店")
    tea = stocked({west: 5, wulin: 0})
    db.session.commit()
    add(client, tea)
    assert client.get("/shop/checkout").status_code == 200
