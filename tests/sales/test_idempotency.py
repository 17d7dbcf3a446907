"""A double tap on "pay" or a retried request never makes two sales, nor charges twice.

The racing taps run in real threads against the real test database (an SQLite
file, or PostgreSQL), as tests/stock/test_concurrency.py does: ids are read
before the commit, and the main thread stays off the database while they run.
"""
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.extensions import db
from webapp.sales import services as sales
from webapp.sales.models import Order, Payment
from webapp.sales.services import Tender
from webapp.stock import queries as stock_queries
from webapp.stock.models import StockMove

PAY = [Tender("wechat", "10.00", "130000000000001234")]


def sales_made() -> tuple[int, int, int]:
    """(completed orders, sale moves, payments) in the database."""
    count = db.session.scalar
    return (count(select(func.count(Order.id)).where(Order.status == "completed")),
            count(select(func.count(StockMove.id)).where(StockMove.reason == "sale")),
            count(select(func.count(Payment.id))))


def test_a_double_tapped_pay_makes_one_sale(till, stocked, provider):
    sku = stocked(till.store, qty=10, price="10.00")
    order = till.sale()
    sales.add_item(order, sku)
    first = sales.complete_sale(order, PAY, user=till.cashier, client_uuid="tap-1")
    again = sales.complete_sale(order, PAY, user=till.cashier, client_uuid="tap-1")
    assert again is first and sales_made() == (1, 1, 1)
    assert len(provider) == 1 and stock_queries.level_at(till.store, sku)[0] == 9


def test_a_sale_synced_twice_from_the_offline_till_is_made_once(till, stocked, provider):
    sku = stocked(till.store, qty=10, price="10.00")
    copies = [till.sale(), till.sale()]  # the sync retried after a lost answer: a second copy
    for order in copies:
        sales.add_item(order, sku)
    made = [sales.complete_sale(order, PAY, user=till.cashier, client_uuid="offline-7") for order in copies]
    assert made == [copies[0], copies[0]] and copies[1].status == "open"
    assert sales_made() == (1, 1, 1) and len(provider) == 1


@pytest.mark.parametrize("copies", [1, 2], ids=["same order", "two copies of the order"])
def test_two_taps_racing_on_the_same_key_make_one_sale(app, till, stocked, provider, copies):
    sku = stocked(till.store, qty=10, price="10.00")
    orders = [till.sale() for _ in range(copies)]
    for order in orders:
        sales.add_item(order, sku)
    order_ids = [o.id for o in orders] * (2 // copies)
    cashier_id, store, sku_id = till.cashier.id, till.store, sku.id
    db.session.commit()  # and touch nothing until the taps are done: SQLite has one writer

    start = threading.Barrier(2)
    outcomes = []

    def tap(order_id):
        with app.app_context():
            start.wait()
            try:
                made = sales.complete_sale(db.session.get(Order, order_id), PAY,
                                           user=db.session.get(User, cashier_id), client_uuid="tap-race")
                made_id = made.id
                db.session.commit()
                outcomes.append(made_id)
            except Exception as error:  # noqa: BLE001 - the assertion below shows it
                db.session.rollback()
                outcomes.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tap, args=(order_id,)) for order_id in order_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == 2 and outcomes[0] == outcomes[1], outcomes
    assert sales_made() == (1, 1, 1)
    assert [call[0] for call in provider] == ["charge"]
    assert stock_queries.level_at(store, db.session.get(type(sku), sku_id))[0] == Decimal("9")
