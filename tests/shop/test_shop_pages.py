"""The shop as a customer uses it: browsing, the cart, choosing a store, checkout, the order page."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.shop.conftest import BINJIANG, WEST_LAKE, WULIN, at_cashier
from webapp.auth.models import Role, User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.sales.online.models import OnlineOrder
from webapp.sales.providers import SandboxProvider
from webapp.shop.models import Cart
from webapp.stock.queries import level_at


def add(client, sku, qty="1", **extra):
    return client.post("/shop/cart/add", data={"sku": sku.id, "quantity": qty, **extra})


def choose(client, **fields):
    return client.post("/shop/cart/fulfilment", data=fields)


def checkout(client, key="k-1", payment="wechat", cashier="pay", phone="13900139000", **extra):
    """Post the checkout form as the page would, with the amount the page showed, then at the wallet's
    cashier confirm ("pay"), cancel, or leave it (None)."""
    page = client.get("/shop/checkout").get_data(as_text=True)
    shown = re.search(r'name="expected_due" value="([^"]*)"', page)
    response = client.post("/shop/checkout", data={"checkout_key": key, "payment": payment,
                                                   "phone": phone, "contact_name": "李雷",
                                                   "expected_due": shown.group(1) if shown else "", **extra})
    return at_cashier(client, response, cashier) if cashier else response


def only_order() -> OnlineOrder:
    [order] = db.session.query(OnlineOrder).all()
    return order


@pytest.fixture
def west(online_store):
    return online_store(WEST_LAKE, "西湖区", name="西湖店")


def test_anyone_browses_the_shop_without_signing_in(client, west, stocked):
    cola = stocked({west: 3}, name="可口可乐", price="3.50")
    db.session.commit()
    home = client.get("/shop/").get_data(as_text=True)
    assert "可口可乐" in home and "¥3.50" in home
    page = client.get(f"/shop/products/{cola.product_id}")
    assert page.status_code == 200 and "西湖店" in page.get_data(as_text=True)


def test_search_finds_chinese_names_partial_words_and_pinyin_initials(client, west, stocked):
    stocked({west: 3}, name="可口可乐")
    stocked({west: 3}, name="农夫山泉")
    db.session.commit()
    for text in ("可口", "kkkl", "可乐"):
        found = client.get(f"/shop/search?q={text}").get_data(as_text=True)
        assert "可口可乐" in found and "农夫山泉" not in found, text


def test_a_product_page_says_what_each_store_has(client, online_store, stocked):
    a = online_store(WEST_LAKE, name="西湖店")
    b = online_store(WULIN, "拱墅区", name="武林店")
    tea = stocked({a: 3, b: 0}, name="龙井茶")
    db.session.commit()
    client.post("/locale", data={"locale": "en"})
    page = client.get(f"/shop/products/{tea.product_id}").get_data(as_text=True)
    assert "Only 3 left at 西湖店" in page  # the store the prices are from
    assert re.search(r"Stock in other stores.*?武林店.*?out of stock", page, re.S)


def test_the_placeholder_picture_carries_the_first_character(client, west, stocked):
    tea = stocked({west: 1}, name="龙井茶")
    db.session.commit()
    svg = client.get(f"/shop/art/{tea.product_id}.svg")
    assert svg.mimetype == "image/svg+xml" and "龙" in svg.get_data(as_text=True)


def test_the_cart_survives_closing_the_browser(app, client, west, stocked):
    tea = stocked({west: 5}, name="龙井茶")
    db.session.commit()
    add(client, tea, "2")
    cookie = client.get_cookie("huotong_cart")
    assert cookie is not None and cookie.expires is not None  # a lasting cookie, not a session one
    again = app.test_client()  # a new browser session holding only the lasting cookie
    again.set_cookie("huotong_cart", cookie.value)
    assert "龙井茶" in again.get("/shop/cart").get_data(as_text=True)


@pytest.mark.parametrize("qty", ["-1", "0", "100000", "abc", "1.5"])
def test_a_nonsense_quantity_is_refused_clearly(client, west, stocked, qty):
    tea = stocked({west: 5}, name="龙井茶")
    db.session.commit()
    response = add(client, tea, qty)
    assert response.status_code == 303
    page = client.get("/shop/cart").get_data(as_text=True)
    assert 'class="toast error"' in page and page.count('class="line"') == 0


def test_a_tampered_price_in_the_form_is_ignored(client, west, stocked):
    tea = stocked({west: 5}, price="12.00")
    db.session.commit()
    add(client, tea, "1", price="0.01", unit_price="0.01")
    choose(client, fulfilment="pickup", store=west.id)
    checkout(client, price="0.01", total="0.01", amount="0.01")
    assert only_order().order.total == Decimal("12.00") and only_order().paid == Decimal("12.00")


def test_signing_in_merges_the_guest_cart_into_the_account(client, west, stocked, make_user):
    tea, cake = stocked({west: 5}), stocked({west: 5})
    me = make_user(role=Role.CUSTOMER, username="c13700137000", phone="13700137000")
    db.session.add(Cart(token="old", customer=me))
    db.session.flush()
    from webapp.shop import carts
    carts.add(db.session.scalar(db.select(Cart).where(Cart.customer_id == me.id)), cake, 1)
    db.session.commit()
    add(client, tea, "2")
    response = client.post("/shop/account/sign-in", data={"phone": "13700137000", "password": "secret-pass-1"})
    assert response.status_code == 303
    [cart] = db.session.query(Cart).all()
    assert cart.customer_id == me.id and {ln.sku_id: ln.quantity for ln in cart.lines} == {tea.id: 2, cake.id: 1}


def test_a_wrong_password_does_not_sign_in(client, west, make_user):
    make_user(role=Role.CUSTOMER, username="c13700137000", phone="13700137000")
    db.session.commit()
    response = client.post("/shop/account/sign-in", data={"phone": "13700137000", "password": "nope"})
    assert response.status_code == 401


def test_pickup_stores_come_nearest_first_with_their_hours(client, online_store, stocked):
    binjiang = online_store(BINJIANG, "滨江区", name="滨江店")
    west = online_store(WEST_LAKE, "西湖区", name="西湖店")
    wulin = online_store(WULIN, "拱墅区", name="武林店")
    tea = stocked({binjiang: 5, west: 5, wulin: 5})
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", latitude="30.2760", longitude="120.1620")  # at Wulin
    page = client.get("/shop/cart").get_data(as_text=True).split('id="fulfilment"')[1]
    assert page.index("武林店") < page.index("西湖店") < page.index("滨江店")
    assert "08:00-22:00" in page


def test_a_store_lacking_an_item_comes_after_those_that_have_everything(client, online_store, stocked):
    near = online_store(WULIN, "拱墅区", name="武林店")
    far = online_store(BINJIANG, "滨江区", name="滨江店")
    tea = stocked({near: 0, far: 5})
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", district="拱墅区")
    page = client.get("/shop/cart").get_data(as_text=True).split('id="fulfilment"')[1]
    assert page.index("滨江店") < page.index("武林店")


def test_an_item_sold_out_while_in_the_cart_is_flagged_with_another_store(client, online_store, stocked, place,
                                                                        customer):
    a = online_store(WEST_LAKE, name="西湖店")
    b = online_store(WULIN, "拱墅区", name="武林店")
    tea = stocked({a: 1, b: 4}, name="龙井茶")
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", store=a.id)
    place(a, (tea, 1))  # someone else takes the last one
    db.session.commit()
    client.post("/locale", data={"locale": "en"})
    page = client.get("/shop/cart").get_data(as_text=True)
    assert "Sold out at 西湖店" in page and "Pick up at 武林店 instead" in page
    refused = checkout(client)
    assert refused.status_code == 409 and "Sold out" in refused.get_data(as_text=True)
    assert db.session.query(OnlineOrder).count() == 1


def test_checkout_places_a_pickup_order_and_makes_the_account(client, west, stocked):
    tea = stocked({west: 5}, price="4.00")
    db.session.commit()
    add(client, tea, "2")
    choose(client, fulfilment="pickup", store=west.id)
    response = checkout(client, password="my-password-1")
    order = only_order()
    assert response.status_code == 303 and response.location.endswith(f"/shop/orders/{order.access_token}")
    assert order.is_paid and order.order.total == Decimal("8.00")
    assert level_at(west, tea) == (Decimal("5.000"), Decimal("2.000"))
    assert db.session.scalar(db.select(User).where(User.phone == "13900139000")).role == "customer"
    page = client.get(response.location).get_data(as_text=True)
    assert order.pickup_code in page and "<svg" in page
    assert client.get("/shop/cart").get_data(as_text=True).count('class="line"') == 0  # the cart is emptied
    assert order.order.number in client.get("/shop/orders").get_data(as_text=True)


def test_a_guest_cannot_order_into_an_account_someone_set_a_password_on(client, west, stocked):
    tea = stocked({west: 5})
    db.session.commit()
    client.post("/shop/account/sign-up", data={"phone": "13900139000", "name": "韩梅梅", "password": "hers-pass-1"})
    client.post("/shop/account/sign-out")
    add(client, tea)
    choose(client, fulfilment="pickup", store=west.id)
    response = checkout(client, phone="13900139000")
    assert response.status_code == 422 and db.session.query(OnlineOrder).count() == 0
    assert level_at(west, tea)[1] == 0


def test_nobody_takes_over_a_guests_account_by_signing_up_with_their_number(app, client, west, stocked):
    tea = stocked({west: 5})
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", store=west.id)
    checkout(client, phone="13900139000")  # a guest's order makes an account without a password
    other = app.test_client()
    response = other.post("/shop/account/sign-up", data={"phone": "13900139000", "name": "X", "password": "x-pass-12"},
                          headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert only_order().order.number not in other.get("/shop/orders").get_data(as_text=True)


def test_signing_out_forgets_the_orders_in_this_browser(client, west, stocked):
    tea = stocked({west: 5})
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", store=west.id)
    checkout(client, password="my-password-1")
    assert only_order().order.number in client.get("/shop/orders").get_data(as_text=True)
    client.post("/shop/account/sign-out")
    assert only_order().order.number not in client.get("/shop/orders").get_data(as_text=True)


def test_a_double_submitted_checkout_makes_one_order(client, west, stocked):
    tea = stocked({west: 5})
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", store=west.id)
    first, second = checkout(client, key="same"), checkout(client, key="same")
    assert first.location == second.location
    assert db.session.query(OnlineOrder).count() == 1 and level_at(west, tea)[1] == 1


def test_an_amount_the_customer_has_not_seen_is_never_charged(client, west, stocked):
    tea = stocked({west: 20})
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", store=west.id)
    page = client.get("/shop/checkout").get_data(as_text=True)
    shown = re.search(r'name="expected_due" value="([^"]*)"', page).group(1)
    add(client, tea, "9")  # in another tab, before the old page's button is pressed
    response = client.post("/shop/checkout", data={"checkout_key": "k-1", "payment": "wechat",
                                                   "phone": "13900139000", "expected_due": shown},
                           headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 409 and "应付金额已变" in response.get_data(as_text=True)
    assert db.session.query(OnlineOrder).count() == 0 and level_at(west, tea)[1] == 0
    assert SandboxProvider._charges == {}  # nothing was charged


def test_a_payment_cancelled_at_the_cashier_keeps_the_order_to_pay_again(client, west, stocked):
    tea = stocked({west: 5})
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", store=west.id)
    page = client.get(checkout(client, cashier="cancel").location).get_data(as_text=True)
    order = only_order()
    assert not order.is_paid and level_at(west, tea)[1] == 1
    assert 'id="pay"' in page
    at_cashier(client, client.post(f"/shop/orders/{order.access_token}/pay", data={"payment": "alipay"}))
    db.session.refresh(order)
    assert order.is_paid and order.order.payments[0].method == "alipay"


def test_delivery_outside_every_radius_is_refused(client, online_store, stocked):
    west = online_store(WEST_LAKE, name="西湖店", radius=2000)
    tea = stocked({west: 5}, price="30.00")
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="delivery", address="江南大道 1 号", latitude=str(BINJIANG[0]), longitude=str(BINJIANG[1]))
    client.post("/locale", data={"locale": "en"})
    page = client.get("/shop/cart").get_data(as_text=True)
    assert "outside every store" in page
    assert checkout(client).status_code == 409 and db.session.query(OnlineOrder).count() == 0


def test_delivery_goes_from_the_nearest_store_with_stock_and_adds_its_fee(client, online_store, stocked):
    near = online_store(WULIN, "拱墅区", name="武林店", radius=5000, fee="6.00")
    also = online_store(WEST_LAKE, "西湖区", name="西湖店", radius=8000, fee="4.00")
    tea = stocked({near: 0, also: 5}, price="30.00")
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="delivery", address="体育场路 1 号", latitude=str(WULIN[0]), longitude=str(WULIN[1]))
    checkout(client)
    order = only_order()
    assert order.order.store_id == also.id and order.delivery_fee == Decimal("4.00")
    assert order.amount_due == Decimal("34.00") and order.paid == Decimal("34.00")


def test_delivery_below_the_minimum_order_is_refused(client, online_store, stocked):
    west = online_store(WEST_LAKE, minimum="20.00")
    tea = stocked({west: 5}, price="3.00")
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="delivery", address="文三路", district="西湖区")
    response = checkout(client)
    assert response.status_code == 422 and db.session.query(OnlineOrder).count() == 0


def test_an_expired_order_page_says_so_and_the_stock_is_back(client, west, stocked):
    tea = stocked({west: 5})
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", store=west.id)
    checkout(client, cashier=None)  # off to the cashier, and never back
    order = only_order()
    location = f"/shop/orders/{order.access_token}"
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.post("/locale", data={"locale": "en"})
    page = client.get(location, follow_redirects=True).get_data(as_text=True)
    assert "expired" in page and level_at(west, tea)[1] == 0


def test_the_customer_cancels_before_picking_and_the_stock_is_released(client, west, stocked):
    tea = stocked({west: 5})
    db.session.commit()
    add(client, tea, "3")
    choose(client, fulfilment="pickup", store=west.id)
    checkout(client)
    order = only_order()
    client.post(f"/shop/orders/{order.access_token}/cancel")
    db.session.refresh(order)
    assert order.status == "cancelled" and level_at(west, tea) == (Decimal("5.000"), Decimal("0.000"))


def test_the_status_part_refreshes_by_itself_while_the_order_is_open(client, west, stocked):
    tea = stocked({west: 5})
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", store=west.id)
    location = checkout(client).location
    fragment = client.get(location, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith("<section") and 'hx-trigger="every' in fragment


def test_the_shop_installs_as_its_own_app(client):
    manifest = client.get("/shop/manifest.webmanifest").get_json()
    assert manifest["start_url"] == "/shop/" and manifest["orientation"] == "portrait"
    assert "/shop/manifest.webmanifest" in client.get("/shop/").get_data(as_text=True)


def test_someone_elses_order_is_not_found_by_guessing(client):
    assert client.get("/shop/orders/not-a-token").status_code == 404


def test_sweep_command_expires_and_sends(app, west, stocked, place):
    order = place(west, (stocked({west: 2}), 1))
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["shop", "sweep"])
    assert "expired 1" in result.output and "sent 2" in result.output



@pytest.mark.parametrize("qty", ["-3", "1000", "1e9"])
def test_a_tampered_quantity_on_a_cart_line_is_refused_and_the_line_kept(client, west, stocked, qty):
    tea = stocked({west: 5}, name="龙井茶")
    db.session.commit()
    add(client, tea, "2")
    [line] = db.session.scalar(db.select(Cart)).lines
    response = client.post(f"/shop/cart/lines/{line.id}", data={"quantity": qty})
    assert response.status_code == 422 and 'class="alert"' in response.get_data(as_text=True)
    db.session.refresh(line)
    assert line.quantity == 2


def test_a_guest_sees_the_orders_placed_in_their_browser_only(app, client, west, stocked):
    tea = stocked({west: 5})
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", store=west.id)
    checkout(client)
    number = only_order().order.number
    client.post("/shop/account/sign-out")  # the order made an account and signed in: leave it
    assert number in client.get("/shop/orders").get_data(as_text=True)
    assert number not in app.test_client().get("/shop/orders").get_data(as_text=True)


def test_search_as_you_type_gets_only_the_results(client, west, stocked):
    stocked({west: 3}, name="可口可乐")
    db.session.commit()
    fragment = client.get("/shop/search?q=kk", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="results"') and "可口可乐" in fragment


@pytest.mark.parametrize("field", ["sku", "store"])
def test_an_id_no_row_can_have_is_refused_not_a_crash(client, west, stocked, field):
    stocked({west: 5})
    db.session.commit()
    url = "/shop/cart/add" if field == "sku" else "/shop/cart/fulfilment"
    response = client.post(url, data={field: "99999999999999999999", "quantity": "1", "fulfilment": "pickup"})
    assert response.status_code < 500


def test_a_closed_store_takes_no_pickup_orders(client, west, stocked):
    tea = stocked({west: 5})
    db.session.commit()
    add(client, tea)
    choose(client, fulfilment="pickup", store=west.id)
    west.active = False
    db.session.commit()
    assert checkout(client).status_code == 409
    assert db.session.query(OnlineOrder).count() == 0 and level_at(west, tea)[1] == 0
