"""Who may open what: sign-in, throttling, the role guard and the store-scope guard."""
import re

import pytest

from webapp.auth.models import Role
from webapp.extensions import db


def test_signing_in_and_out(client, make_user):
    user = make_user(Role.HQ_ADMIN, username="boss")
    db.session.commit()
    response = client.post("/login", data={"username": "boss", "password": "secret-pass-1"})
    assert response.status_code == 303
    assert client.get("/admin/products/").status_code == 200
    client.post("/logout")
    assert client.get("/admin/products/").status_code == 302
    assert user.password_hash != "secret-pass-1"


def test_a_wrong_password_is_refused_in_the_users_language(client):
    response = client.post("/login", data={"username": "nobody", "password": "x"},
                           headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_repeated_failed_logins_are_throttled(client, make_user):
    make_user(Role.HQ_ADMIN, username="target")
    db.session.commit()
    codes = [client.post("/login", data={"username": "target", "password": "guess"}).status_code
             for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    # even the right password waits out the minute
    assert client.post("/login", data={"username": "target", "password": "secret-pass-1"}).status_code == 429


def test_an_inactive_user_cannot_sign_in(client, make_user):
    make_user(Role.HQ_ADMIN, username="left", active=False)
    db.session.commit()
    assert client.post("/login", data={"username": "left", "password": "secret-pass-1"}).status_code == 401


def _staff_routes(app):
    """Every GET route that needs a signed-in user, with sample arguments."""
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if "GET" in rule.methods and getattr(view, "allowed_roles", None):
            yield rule


def _url(rule, store_id, other_id=1):
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: str(store_id if m.group(1) == "store_id" else other_id), rule.rule)


def test_every_guarded_page_sends_a_stranger_to_sign_in(app, client):
    rules = list(_staff_routes(app))
    assert len(rules) >= 10
    for rule in rules:
        response = client.get(_url(rule, 1))
        assert response.status_code == 302 and "/login" in response.location, rule.rule


def test_a_manager_of_store_a_is_refused_every_page_of_store_b(app, client, make_store, make_user, make_sku, login):
    a, b = make_store(), make_store()
    sku = make_sku()
    manager = make_user(Role.STORE_MANAGER, stores=[a])
    login(manager)
    store_rules = [r for r in _staff_routes(app) if "store_id" in r.arguments]
    assert {r.endpoint for r in store_rules} >= {"stock.overview", "stock.ledger", "stock.receive"}
    for rule in store_rules:
        assert client.get(_url(rule, b.id, sku.id)).status_code == 403, rule.rule
        if Role.STORE_MANAGER in app.view_functions[rule.endpoint].allowed_roles:
            # a page of a record the test has none of (an order, a note, a count, a transfer, an online order) is "not found", not refused
            missing = 404 if rule.arguments - {"store_id", "sku_id"} else 200
            assert client.get(_url(rule, a.id, sku.id)).status_code in {200, missing}, rule.rule


@pytest.mark.parametrize("role", [Role.STORE_MANAGER, Role.CASHIER, Role.FRANCHISEE, Role.CUSTOMER])
def test_only_hq_opens_the_back_office(app, client, make_store, make_user, login, role):
    store = make_store()
    login(make_user(role, stores=[store] if role != Role.CUSTOMER else []))
    for rule in _staff_routes(app):
        if rule.rule.startswith("/admin") and "<" not in rule.rule:
            assert client.get(rule.rule).status_code == 403, rule.rule


def test_a_customer_is_refused_the_stock_screens(client, make_store, make_user, login):
    store = make_store()
    login(make_user(Role.CUSTOMER))
    assert client.get(f"/stock/stores/{store.id}").status_code == 403


def test_a_cashier_sees_stock_but_cannot_receive(client, make_store, make_user, login):
    store = make_store()
    login(make_user(Role.CASHIER, stores=[store]))
    assert client.get(f"/stock/stores/{store.id}").status_code == 200
    assert client.get(f"/stock/stores/{store.id}/receive").status_code == 403


@pytest.mark.parametrize("target", ["//evil.example", "/\t/evil.example",
                                    "https://evil.example", "/\\evil.example"])
def test_signing_in_never_sends_the_user_to_another_site(client, make_user, target):
    make_user(Role.HQ_ADMIN, username="safe")
    db.session.commit()
    response = client.post("/login", query_string={"next": target},
                           data={"username": "safe", "password": "secret-pass-1"})
    assert response.status_code == 303 and response.location == "/"


def test_signing_in_returns_to_the_page_asked_for(client, make_user):
    make_user(Role.HQ_ADMIN, username="back")
    db.session.commit()
    response = client.post("/login?next=/admin/stores/", data={"username": "back", "password": "secret-pass-1"})
    assert response.location == "/admin/stores/"
