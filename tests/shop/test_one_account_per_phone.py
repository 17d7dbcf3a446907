"""One person, one account per mobile number; a signed-in member pays member prices; an account's order is
its own; order statuses read as words."""
import re
import threading
from decimal import Decimal

import pytest

from tests.shop.conftest import WEST_LAKE, at_cashier
from webapp.auth import customers
from webapp.auth.models import Role, User
from webapp.demo.users import CUSTOMER_PASSWORD, CUSTOMER_PHONE, create_users
from webapp.extensions import db
from webapp.sales.online.models import OnlineOrder


def add(client, sku, qty="1"):
    return client.post("/shop/cart/add", data={"sku": sku.id, "quantity": qty})


def checkout(client, key="k-1", phone="13900139000", **extra):
    page = client.get("/shop/checkout").get_data(as_text=True)
    shown = re.search(r'name="expected_due" value="([^"]*)"', page)
    return at_cashier(client, client.post("/shop/checkout", data={
        "checkout_key": key, "payment": "wechat", "phone": phone, "contact_name": "李雷",
        "expected_due": shown.group(1) if shown else "", **extra}))


def customers_with(phone: str) -> list[User]:
    return list(db.session.scalars(db.select(User).where(User.role == Role.CUSTOMER.value, User.phone == phone)))


@pytest.fixture
def west(online_store):
    return online_store(WEST_LAKE, "西湖区", name="西湖店")


@pytest.fixture
def demo_customer(make_store):
    stores = {code: make_store(code=code) for code in ("HZ01", "HZ02", "HZ03")}
    users = create_users(stores)
    db.session.commit()
    return users["customer"]


def test_the_demo_customer_signs_in_to_the_shop_with_the_phone_the_readme_prints(client, demo_customer):
    with open("README.md", encoding="utf-8") as readme:
        assert CUSTOMER_PHONE in readme.read()
    response = client.post("/shop/account/sign-in", data={"phone": CUSTOMER_PHONE, "password": CUSTOMER_PASSWORD})
    assert response.status_code == 303
    assert "赵敏" in client.get("/shop/orders").get_data(as_text=True) or response.location.endswith("/shop/orders")


def test_a_guest_checkout_with_the_demo_customers_phone_makes_no_second_account(client, west, stocked,
                                                                                demo_customer):
    tea = stocked({west: 5})
    db.session.commit()
    add(client, tea)
    client.post("/shop/cart/fulfilment", data={"fulfilment": "pickup", "store": west.id})
    response = checkout(client, phone=CUSTOMER_PHONE, headers=None)
    assert response.status_code == 422
    assert "请登录" in response.get_data(as_text=True) or "sign in" in response.get_data(as_text=True)
    assert [u.id for u in customers_with(CUSTOMER_PHONE)] == [demo_customer.id]
    assert db.session.query(OnlineOrder).count() == 0


def test_hq_cannot_give_a_second_customer_account_the_same_phone(client, make_user, login, demo_customer):
    login(make_user(Role.HQ_ADMIN))
    response = client.post("/admin/users/new", data={"username": "zhaomin2", "role": "customer",
                                                      "password": "long-enough-1", "phone": CUSTOMER_PHONE},
                           headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert [u.id for u in customers_with(CUSTOMER_PHONE)] == [demo_customer.id]


@pytest.mark.parametrize("who", ["customer", CUSTOMER_PHONE])
def test_a_customer_signing_in_at_the_staff_login_lands_in_the_shop(client, demo_customer, who):
    response = client.post("/login", data={"username": who, "password": CUSTOMER_PASSWORD})
    assert response.status_code == 303 and response.location.endswith("/shop/")
    assert client.get("/shop/").status_code == 200


def test_two_sign_ups_with_the_same_phone_at_once_give_one_account_and_a_clear_answer(app, database_url):
    db.session.commit()
    start = threading.Barrier(2)
    answers = []

    def sign_up(name):
        with app.test_client() as browser:
            start.wait()
            response = browser.post("/shop/account/sign-up", data={"phone": "13912345678", "name": name,
                                                                   "password": "pass-word-1"},
                                    headers={"Accept-Language": "zh-CN"})
            answers.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=sign_up, args=(name,)) for name in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(code for code, _ in answers) == [303, 422]
    assert "已有账户" in next(text for code, text in answers if code == 422)
    assert len(customers_with("13912345678")) == 1


def test_a_sign_up_losing_the_race_for_its_number_is_told_the_number_has_an_account(monkeypatch):
    customers.sign_up("13912345678", "甲", "pass-word-1")
    db.session.commit()
    monkeypatch.setattr(customers, "customer_by_phone", lambda phone: None)  # checked before the other committed
    with pytest.raises(customers.PhoneTaken):
        customers.sign_up("13912345678", "乙", "pass-word-2")
    db.session.rollback()
    assert len(customers_with("13912345678")) == 1


def test_a_signed_in_member_pays_the_member_price_in_cart_checkout_and_order(client, west, stocked, make_user):
    tea = stocked({west: 5}, price="8.00", member_price="7.50")
    make_user(role=Role.CUSTOMER, username="c13700137000", phone="13700137000")
    db.session.commit()
    client.post("/shop/account/sign-in", data={"phone": "13700137000", "password": "secret-pass-1"})
    add(client, tea, "2")
    client.post("/shop/cart/fulfilment", data={"fulfilment": "pickup", "store": west.id})
    assert "¥15.00" in client.get("/shop/cart").get_data(as_text=True)
    assert "¥15.00" in client.get("/shop/checkout").get_data(as_text=True)
    assert "¥7.50" in client.get(f"/shop/products/{tea.product_id}").get_data(as_text=True)
    assert checkout(client, phone="13700137000").status_code == 303
    [order] = db.session.query(OnlineOrder).all()
    assert order.order.total == Decimal("15.00") and order.paid == Decimal("15.00")
    assert order.order.lines[0].unit_price == Decimal("7.50") and order.order.lines[0].regular_price == Decimal("8.00")


def test_a_guest_pays_the_list_price(client, west, stocked):
    tea = stocked({west: 5}, price="8.00", member_price="7.50")
    db.session.commit()
    add(client, tea, "2")
    client.post("/shop/cart/fulfilment", data={"fulfilment": "pickup", "store": west.id})
    assert checkout(client).status_code == 303
    assert db.session.query(OnlineOrder).one().order.total == Decimal("16.00")


@pytest.fixture
def members_order(client, west, stocked, make_user, app):
    """An order placed by a signed-in account, and a stranger's browser holding its link."""
    tea = stocked({west: 5})
    make_user(role=Role.CUSTOMER, username="c13700137000", phone="13700137000")
    db.session.commit()
    client.post("/shop/account/sign-in", data={"phone": "13700137000", "password": "secret-pass-1"})
    add(client, tea)
    client.post("/shop/cart/fulfilment", data={"fulfilment": "pickup", "store": west.id})
    checkout(client, phone="13700137000", payment="at_pickup")
    return db.session.query(OnlineOrder).one(), app.test_client()


def test_a_link_to_an_accounts_order_does_not_let_a_stranger_cancel_it(members_order, make_user):
    order, stranger = members_order
    page = stranger.get(f"/shop/orders/{order.access_token}").get_data(as_text=True)
    assert "/cancel" not in page
    response = stranger.post(f"/shop/orders/{order.access_token}/cancel")
    assert response.status_code == 303 and "/shop/account/sign-in" in response.location
    db.session.refresh(order)
    assert order.status == "new"
    other = make_user(role=Role.CUSTOMER, username="c13600136000", phone="13600136000")
    db.session.commit()
    stranger.post("/shop/account/sign-in", data={"phone": "13600136000", "password": "secret-pass-1"})
    assert stranger.post(f"/shop/orders/{order.access_token}/cancel").status_code == 403
    assert stranger.post(f"/shop/orders/{order.access_token}/pay",
                         data={"payment": "wechat"}).status_code == 403
    db.session.refresh(order)
    assert order.status == "new" and not order.is_paid and other.id != order.customer_id


def test_the_account_cancels_its_own_order(client, members_order):
    order, _stranger = members_order
    client.post(f"/shop/orders/{order.access_token}/cancel")
    db.session.refresh(order)
    assert order.status == "cancelled"


def test_a_guests_order_is_still_cancelled_by_its_link(app, client, west, stocked):
    tea = stocked({west: 5})
    db.session.commit()
    add(client, tea)
    client.post("/shop/cart/fulfilment", data={"fulfilment": "pickup", "store": west.id})
    checkout(client)
    order = db.session.query(OnlineOrder).one()
    app.test_client().post(f"/shop/orders/{order.access_token}/cancel")
    db.session.refresh(order)
    assert order.status == "cancelled"


def test_order_statuses_in_english_read_as_labels_not_codes(client, west, stocked):
    tea = stocked({west: 5})
    db.session.commit()
    add(client, tea)
    client.post("/shop/cart/fulfilment", data={"fulfilment": "pickup", "store": west.id})
    location = checkout(client).location
    page = client.get(location, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ">Accepted<" in page and ">Collected<" in page
    assert ">accepted<" not in page and ">collected<" not in page
    assert "已接单" in client.get(location, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
