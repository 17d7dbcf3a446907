"""What a flash sale's late buyer costs once this process knows the SKU is sold out: one light read of their
cart, no session written, no cookie sent — for a guest and for a signed-in customer alike."""
from decimal import Decimal

import pytest
from sqlalchemy import event

from webapp.auth.models import Role
from webapp.extensions import db
from webapp.shop.models import Cart, CartLine
from webapp.stock import sold_out


@pytest.fixture(autouse=True)
def _the_memo_outlasts_a_slow_machine(monkeypatch):
    """A loaded machine may take longer than the memo's 0.5 s between a test's two requests."""
    monkeypatch.setattr(sold_out, "SECONDS", 60)
    yield
    sold_out.forget_all()


def _refused(client, statements):
    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):
            statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        return client.post("/shop/checkout", data={"checkout_key": "late-1", "payment": "wechat",
                                                   "phone": "13900000009", "expected_due": "1:88.00"})
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _sold_out(online_store, stocked, customer=None, token="late"):
    store = online_store()
    cake = stocked({store: 1}, price="88.00", name="限量月饼")
    db.session.add(Cart(token=token, customer=customer, fulfilment="pickup", store=store,
                        lines=[CartLine(sku=cake, quantity=Decimal(1))]))
    db.session.commit()
    sold_out.note(store, cake, Decimal(0))  # as the storm's first refusal left it
    db.session.expunge_all()


def test_a_late_guest_is_refused_with_one_read_and_no_session_written(client, online_store, stocked):
    _sold_out(online_store, stocked)
    client.set_cookie("huotong_cart", "late")
    with client.session_transaction() as session:
        session["locale"] = "zh_CN"  # a guest's session, as the pages before left it
    statements = []
    response = _refused(client, statements)
    assert response.status_code == 409 and "限量月饼" in response.get_data(as_text=True)
    assert len(statements) == 1 and "FROM shop_carts" in statements[0], statements
    assert "Set-Cookie" not in response.headers
    with client.session_transaction() as session:
        assert dict(session) == {"locale": "zh_CN"}


def test_a_late_signed_in_customer_is_refused_by_their_own_cart(client, online_store, stocked, make_user, login):
    me = make_user(Role.CUSTOMER, phone="13900000008")
    login(me)
    _sold_out(online_store, stocked, customer=me, token="theirs")
    statements = []
    response = _refused(client, statements)
    assert response.status_code == 409 and "限量月饼" in response.get_data(as_text=True)
    assert len(statements) == 2, statements  # the customer (with their stores), their cart
