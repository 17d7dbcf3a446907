"""HQ opens stores and gives staff their accounts."""
from decimal import Decimal

import pytest

from webapp.auth.models import Role, User
from webapp.auth.services import authenticate
from webapp.extensions import db
from webapp.stores.models import Store
from webapp.stores.queries import store_by_code


@pytest.fixture
def admin(make_user, login):
    return login(make_user(Role.HQ_ADMIN))


STORE = {"code": "hz09", "name": "货通便利 武林店", "kind": "franchise", "city": "杭州", "district": "拱墅区",
         "address": "武林路 88 号", "latitude": "30.27", "longitude": "120.16", "phone": "0571-88880000",
         "opening_hours": "07:00-23:00", "active": "y", "delivery_radius_m": "0", "delivery_fee": "0",
         "minimum_order": "0", "unpaid_hold_minutes": "15"}


def test_hq_opens_a_franchise_store(client, admin):
    assert client.post("/admin/stores/new", data=STORE).status_code == 303
    store = store_by_code("HZ09")  # codes are kept upper-case
    assert (store.name, store.kind, store.allow_negative_stock) == ("货通便利 武林店", "franchise", False)
    assert client.get(f"/stock/stores/{store.id}").status_code == 200
    assert "武林店" in client.get("/admin/stores/").get_data(as_text=True)


def test_a_store_code_is_unique(client, admin, make_store):
    make_store(code="HZ09")
    db.session.commit()
    response = client.post("/admin/stores/new", data=STORE, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422 and "门店编码 HZ09 已被使用" in response.get_data(as_text=True)
    assert db.session.query(Store).count() == 1


def test_bad_coordinates_are_refused(client, admin):
    response = client.post("/admin/stores/new", data={**STORE, "latitude": "300"})
    assert response.status_code == 422
    assert store_by_code("HZ09") is None


def test_hq_creates_a_cashier_for_a_store_who_can_then_sign_in(client, admin, make_store):
    store = make_store()
    db.session.commit()
    response = client.post("/admin/users/new", data={
        "username": "xiaowang", "display_name": "小王", "role": "cashier", "stores": [str(store.id)],
        "password": "cashier-1234", "active": "y"})
    assert response.status_code == 303
    user = authenticate("xiaowang", "cashier-1234")
    assert user.role == Role.CASHIER and [s.id for s in user.stores] == [store.id]


def test_store_staff_without_a_store_is_refused(client, admin):
    response = client.post("/admin/users/new", data={
        "username": "lost", "role": "store_manager", "password": "manager-1234", "active": "y"},
        headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422 and "门店员工至少要属于一个门店" in response.get_data(as_text=True)
    assert db.session.query(User).filter_by(username="lost").count() == 0


def test_a_short_password_and_a_taken_username_are_refused(client, admin, make_user):
    make_user(Role.CUSTOMER, username="taken")
    db.session.commit()
    short = client.post("/admin/users/new", data={"username": "new", "role": "customer", "password": "123"})
    taken = client.post("/admin/users/new", data={"username": "taken", "role": "customer", "password": "long-enough-1"})
    assert (short.status_code, taken.status_code) == (422, 422)


def test_editing_a_user_keeps_the_password_when_left_empty(client, admin, make_user, make_store):
    store = make_store()
    user = make_user(Role.STORE_MANAGER, stores=[store], username="keep")
    db.session.commit()
    response = client.post(f"/admin/users/{user.id}", data={
        "username": "keep", "display_name": "老李", "role": "store_manager", "stores": [str(store.id)],
        "password": "", "active": "y"})
    assert response.status_code == 303
    assert authenticate("keep", "secret-pass-1").display_name == "老李"


def test_hq_sets_how_a_store_sells_online(client, admin):
    online = {**STORE, "online_pickup": "y", "pay_at_pickup": "y", "delivery_radius_m": "3000",
              "delivery_fee": "5.00", "minimum_order": "30", "unpaid_hold_minutes": "20"}
    assert client.post("/admin/stores/new", data=online).status_code == 303
    store = store_by_code("HZ09")
    assert (store.online_pickup, store.pay_at_pickup, store.delivery_radius_m, store.delivery_fee,
            store.minimum_order, store.unpaid_hold_minutes) == (True, True, 3000, Decimal("5.00"), Decimal("30.00"), 20)


@pytest.mark.parametrize("field, value", [("delivery_fee", "-1"), ("delivery_fee", "5.005"),
                                          ("unpaid_hold_minutes", "0"), ("delivery_radius_m", "")])
def test_a_bad_online_setting_is_refused_and_nothing_saved(client, admin, field, value):
    response = client.post("/admin/stores/new", data={**STORE, field: value})
    assert response.status_code == 422
    assert store_by_code("HZ09") is None
