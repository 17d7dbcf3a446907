"""The online checkout stays close to the database: a 3-line order is placed in a few statements.

Counted with SQLAlchemy's cursor events over the whole POST (cart, prices, stock, the order and its
reservations; a new customer's account and member card; the way to the wallet's cashier), on a fresh
session as each request has. Paying happens at the wallet's cashier, after this POST. The figure is the one this
code reaches: raise it only with a reason.
"""
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import event

from tests.shop.conftest import at_cashier
from webapp.extensions import db
from webapp.sales.online.models import OnlineOrder
from webapp.shop.checkout import due_token
from webapp.shop.models import Cart, CartLine
from webapp.stock import services as stock
from webapp.stock.queries import level_at

PAID_CODE = "134567890123450001"
# was 70. A guest's first order: 6 of these make their account and member card (a returning member: 21).
# SQLite sends each line's INSERT alone (PostgreSQL batches them; its counter runs on its own connection).
MOST_STATEMENTS = 27


@contextmanager
def counted():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _cart(store, skus, token="cart-1", fulfilment="pickup"):
    cart = Cart(token=token, fulfilment=fulfilment, store=store,
                lines=[CartLine(sku=sku, quantity=Decimal(1)) for sku in skus])
    db.session.add(cart)
    db.session.commit()
    return cart


def _checkout(client, cart, key="k-1"):
    shown = due_token(cart)
    db.session.expunge_all()
    client.set_cookie("huotong_cart", cart.token)
    with counted() as statements:
        response = client.post("/shop/checkout", data={
            "checkout_key": key, "payment": "wechat", "payment_code": PAID_CODE, "phone": "13900000001",
            "contact_name": "买家", "expected_due": shown})
    return response, statements


def test_a_three_line_online_checkout_takes_few_statements(client, online_store, stocked):
    store = online_store()
    skus = [stocked({store: 5}, price="4.50") for _ in range(3)]
    cart = _cart(store, skus)
    response, statements = _checkout(client, cart)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert len(statements) <= MOST_STATEMENTS, f"{len(statements)} statements:\n" + "\n".join(statements)
    at_cashier(client, response, "pay")
    online = db.session.query(OnlineOrder).one()
    assert online.is_paid and len(online.order.lines) == 3
    assert all(level_at(store, sku) == (Decimal("5.000"), Decimal("1.000")) for sku in skus)


def test_a_sold_out_checkout_answers_with_a_small_page_before_any_work(client, online_store, stocked):
    store = online_store()
    cake = stocked({store: 1}, price="88.00", name="限量月饼")
    cart = _cart(store, [cake])
    shown = due_token(cart)
    stock.reserve(store, cake, 1, document=("order", "someone-else"))  # the last unit went meanwhile
    db.session.commit()
    db.session.expunge_all()
    client.set_cookie("huotong_cart", cart.token)
    with counted() as statements:
        response = client.post("/shop/checkout", data={
            "checkout_key": "k-late", "payment": "wechat", "payment_code": PAID_CODE, "phone": "13900000002",
            "expected_due": shown})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "已售罄" in page and "限量月饼" in page
    assert 'name="fulfilment"' not in page  # not the cart page with its store choices
    assert not [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(statements) <= 6, "\n".join(statements)  # the cart, the key, the stock; the badge; SQLite: BEGIN ×2
    assert db.session.query(OnlineOrder).count() == 0
