"""The app behind PgBouncer in transaction pooling (README: "Connection pooling"): real till sales and online
checkouts from many threads at once, through a pooler that gives each transaction whichever of its few
server connections is free, and the books hold.

A throwaway PgBouncer (``bench.cluster.PgBouncer``: 3 server connections, transaction pooling) in front of the
test PostgreSQL cluster (``TEST_DATABASE_URL``, from scripts/with-postgres.sh), on a database of its own. Every
journey repeats the same statements far more than psycopg's ``prepare_threshold`` (5), so prepared statements
would be made; ``DATABASE_POOLER=pgbouncer`` turns them off, and the last test shows what happens without it.
Skipped where the ``pgbouncer`` binary is absent (``apt-get install pgbouncer``; `.ci/run` installs it) and in
the SQLite pass; `make test` runs it in its PostgreSQL pass.
"""
import os
import re
import threading
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bench.cluster import PgBouncer, pooler_binary
from tests.shop.conftest import WEST_LAKE, at_cashier
from webapp import create_app
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, save_product
from webapp.config import engine_options
from webapp.extensions import db
from webapp.pos import services as pos
from webapp.sales.models import Order, Payment
from webapp.sales.online.models import OnlineOrder
from webapp.stock import services as stock
from webapp.stock.models import StockLevel
from webapp.stock.queries import level_at, level_from_moves
from webapp.stores.services import save_store

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "")
DATABASE = "huotong_pgbouncer"
COUNTER = "huotong_pgbouncer_counter"  # the order counter's pool: the same database, its own 2 server connections
SERVER_CONNECTIONS = 3
CASHIERS, SALES = 4, 8  # each cashier rings up 8 sales of 3 scans: the same statements 24+ times
BUYERS, ORDERS = 4, 4  # each buyer checks out 4 pickup orders and pays at the wallet's cashier
BARCODES = ("6921168509256", "6921168509263", "6921168509270")
PASSWORD = "secret-pass-1"
HX = {"HX-Request": "true"}

pytestmark = [
    pytest.mark.skipif(not SERVER_URL.startswith("postgresql"),
                       reason="needs PostgreSQL (TEST_DATABASE_URL): runs in make test's PostgreSQL pass"),
    pytest.mark.skipif(pooler_binary() is None, reason="pgbouncer not installed (apt-get install pgbouncer)"),
]


@pytest.fixture(scope="module")
def bouncer():
    """A database of this module's own on the test cluster, and PgBouncer in front of it."""
    direct = create_engine(make_url(SERVER_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with direct.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE}"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    try:
        with PgBouncer(SERVER_URL, pool_size=SERVER_CONNECTIONS, aliases={COUNTER: (DATABASE, 2)}) as pooler:
            yield pooler
    finally:
        with direct.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        direct.dispose()


@pytest.fixture(scope="module")
def chain(bouncer):
    """The app through PgBouncer (DATABASE_POOLER=pgbouncer, the order counter in a pool of its own): a store
    selling in the shop, a till per cashier with its shift open, three SKUs with plenty on the shelf."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": bouncer.url(DATABASE), "DATABASE_POOLER": "pgbouncer",
                      "DATABASE_COUNTER_URL": bouncer.url(COUNTER)})
    with app.app_context():
        db.create_all()
        store = save_store(None, code="HZ01", name="西湖店", district="西湖区", city="杭州",
                           latitude=WEST_LAKE[0], longitude=WEST_LAKE[1])
        store.online_pickup, store.delivery_radius_m, store.minimum_order = True, 3000, Decimal("0.00")
        stock.ensure_locations(store)
        skus = []
        for n, barcode in enumerate(BARCODES):
            product = save_product(None, name=f"龙井茶{n}", tracking="none", weighed=False, unit="piece", plu=None,
                                   variants=[VariantInput(code=f"TEA-{n}", list_price="9.00", barcodes=[barcode])])
            skus.append(product.skus[0])
            stock.receive(store, product.skus[0], 1000, "2.00", user=None, document=("receipt", "R1"))
        tills = []
        for n in range(CASHIERS):
            cashier = save_user(None, username=f"cashier{n}", display_name=f"收银员{n}", role=Role.CASHIER,
                                stores=[store], password=PASSWORD)
            register = pos.save_register(None, store=store, name=f"{n + 1}号收银台", receipt_width=80)
            pos.open_shift(register, cashier, "200.00")
            tills.append((cashier.username, register))
        db.session.commit()
        ids = {"store": store.id, "skus": [s.id for s in skus],
               "tills": [(username, register.id) for username, register in tills]}
        db.session.remove()
    yield app, ids
    with app.app_context():
        db.engine.dispose()


def _ring_up(app, username: str, register_id: int, failures: list) -> None:
    """A cashier's shift: sales of three scans, paid in cash, each through the till's own endpoints."""
    try:
        client = app.test_client()
        assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 303
        for _ in range(SALES):
            for barcode in BARCODES:
                scanned = client.post(f"/pos/registers/{register_id}/scan", data={"code": barcode}, headers=HX)
                assert scanned.status_code == 200, scanned.get_data(as_text=True)[:300]
            order_id = re.search(r"/pos/orders/(\d+)/", scanned.get_data(as_text=True)).group(1)
            paid = client.post(f"/pos/orders/{order_id}/pay", data={"client_uuid": str(uuid.uuid4()), "cash": "100"},
                               headers=HX)
            assert paid.status_code == 204, paid.get_data(as_text=True)[:300]
    except Exception as e:  # noqa: BLE001  (reported by the test, with the thread's name)
        failures.append(f"{username}: {e!r}")


def _check_out(app, ids: dict, buyer: int, failures: list) -> None:
    """A guest's pickup orders: the first SKU twice into the cart, the checkout, paying at the wallet's cashier."""
    try:
        for n in range(ORDERS):
            client = app.test_client()
            assert client.post("/shop/cart/add", data={"sku": ids["skus"][0], "quantity": "2"}).status_code == 303
            client.post("/shop/cart/fulfilment", data={"fulfilment": "pickup", "store": ids["store"]})
            page = client.get("/shop/checkout").get_data(as_text=True)
            shown = re.search(r'name="expected_due" value="([^"]*)"', page).group(1)
            answer = client.post("/shop/checkout", data={
                "checkout_key": f"buyer-{buyer}-{n}", "payment": "wechat", "phone": f"1390013{buyer:02d}{n:02d}",
                "expected_due": shown})
            back = at_cashier(client, answer)
            assert back.status_code == 303 and back.location.startswith("/shop/orders/"), back.status_code
    except Exception as e:  # noqa: BLE001
        failures.append(f"buyer {buyer}: {e!r}")


@pytest.fixture(scope="module")
def busy_day(chain):
    """Every cashier and every buyer at once, each in a thread of its own."""
    app, ids = chain
    failures: list[str] = []
    threads = [threading.Thread(target=_ring_up, args=(app, username, register_id, failures))
               for username, register_id in ids["tills"]]
    threads += [threading.Thread(target=_check_out, args=(app, ids, buyer, failures)) for buyer in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    return app, ids, failures


def test_till_sales_and_online_checkouts_from_many_threads_go_through_pgbouncer(busy_day, bouncer):
    app, ids, failures = busy_day
    assert failures == []
    with app.app_context():
        sales = db.session.scalars(select(Order).where(Order.channel == "pos", Order.status == "completed")).all()
        assert len(sales) == CASHIERS * SALES
        online = db.session.scalars(select(OnlineOrder)).all()
        assert len(online) == BUYERS * ORDERS and all(o.paid_at is not None for o in online)
        numbers = db.session.scalars(select(Order.number)).all()
        assert len(set(numbers)) == len(numbers) == CASHIERS * SALES + BUYERS * ORDERS
        db.session.remove()
    # PgBouncer served them all with its few server connections
    pools = [row for row in bouncer.show("POOLS") if row["database"] == DATABASE]
    assert 0 < bouncer.server_connections(DATABASE) <= SERVER_CONNECTIONS
    clients = [row for row in bouncer.show("CLIENTS") if row["database"] == DATABASE]
    assert len(clients) > SERVER_CONNECTIONS, (pools, clients)  # the app's pools: more clients than servers


def test_the_books_hold_after_the_busy_day(busy_day):
    app, ids, _failures = busy_day
    with app.app_context():
        from webapp.catalog.models import SKU
        from webapp.stores.models import Store

        store = db.session.get(Store, ids["store"])
        for n, sku_id in enumerate(ids["skus"]):
            reserved = 2 * BUYERS * ORDERS if n == 0 else 0  # picked up later: still held for the buyers
            assert level_at(store, db.session.get(SKU, sku_id)) == (Decimal(1000 - CASHIERS * SALES), reserved)
        for level in db.session.scalars(select(StockLevel)):
            assert level.on_hand == level_from_moves(level.location_id, level.sku_id, level.lot_id)
        for order in db.session.scalars(select(Order).where(Order.status == "completed")):
            paid = db.session.scalar(select(func.sum(Payment.amount)).where(
                Payment.order_id == order.id, Payment.status == "succeeded"))
            assert paid == order.total, order.number
        for online in db.session.scalars(select(OnlineOrder)):
            paid = db.session.scalar(select(func.sum(Payment.amount)).where(
                Payment.order_id == online.order_id, Payment.status == "succeeded"))
            assert paid == online.order.total + (online.delivery_fee or 0)
        db.session.remove()


def test_the_order_counter_used_its_own_pool(busy_day, bouncer):
    """Each order's number was bumped in a short transaction of the counter's pool, while the order's own
    transaction held a server connection of the orders' pool (one pool: orders holding every server
    connection would wait for ever for one more)."""
    stats = {row["database"]: row for row in bouncer.show("STATS")}
    assert int(stats[COUNTER]["total_xact_count"]) >= CASHIERS * SALES + BUYERS * ORDERS


def test_behind_pgbouncer_without_the_counters_pool_the_number_is_bumped_in_the_orders_transaction(bouncer):
    from webapp.sales import numbering

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": bouncer.url(DATABASE),
                      "DATABASE_POOLER": "pgbouncer"})
    with app.app_context():
        assert numbering._counter_engine() is None
        db.engine.dispose()


def test_no_session_setting_is_left_on_a_server_connection(busy_day, bouncer):
    """The order counter commits without waiting for the disk and gives up a lock wait after 200 ms — in each
    of its own transactions, whichever server connection it runs on. Every server connection of the orders'
    pool (one transaction open on each at once) still has the server's settings: an order's commit is
    durable, its lock waits are not cut short."""
    app, _ids, _failures = busy_day
    direct = create_engine(make_url(SERVER_URL).set(database=DATABASE))
    with direct.connect() as connection:
        server_says = connection.execute(text("SELECT current_setting('synchronous_commit'), "
                                              "current_setting('lock_timeout')")).one()
    direct.dispose()
    assert bouncer.server_connections(DATABASE) == SERVER_CONNECTIONS  # the busy day used every one of them
    with app.app_context():
        held = [db.engine.connect() for _ in range(SERVER_CONNECTIONS)]
        try:
            seen = [(c.execute(text("SELECT pg_backend_pid()")).scalar(),
                     *c.execute(text("SELECT current_setting('synchronous_commit'), "
                                     "current_setting('lock_timeout')")).one()) for c in held]
        finally:
            for connection in held:
                connection.close()
    assert len({pid for pid, *_ in seen}) == SERVER_CONNECTIONS  # one transaction on each server connection
    assert [tuple(settings) for _pid, *settings in seen] == [tuple(server_says)] * SERVER_CONNECTIONS
    # the counter's server connections closed and made anew (as after a restart or server_lifetime): the
    # counter's client connections, still open in its pool, now run on server connections nobody set up
    bouncer.console(f"RECONNECT {COUNTER}")
    with app.app_context():
        from webapp.sales import numbering

        counter = numbering._counter_engine()
        held = [counter.connect() for _ in range(2)]
        try:
            seen = [c.execute(text("SELECT current_setting('synchronous_commit'), current_setting('lock_timeout')"))
                    .one() for c in held]
        finally:
            for connection in held:
                connection.close()
    assert [tuple(settings) for settings in seen] == [("off", "200ms")] * 2


STATEMENT = text("SELECT count(*) FROM stores WHERE id > :id")


def _prepared_then_elsewhere(engine) -> None:
    """One client runs a statement 8 times (psycopg prepares it on the 6th, on the server connection PgBouncer
    gave that transaction), then another client holds that server connection in a transaction of its own
    (PgBouncer hands out the last one freed first), and the first client runs the statement once more."""
    with engine.connect() as buyer, engine.connect() as holder:
        for _ in range(8):
            buyer.execute(STATEMENT, {"id": 0})
            buyer.commit()
        holder.execute(text("SELECT 1"))
        try:
            buyer.execute(STATEMENT, {"id": 0})
            buyer.commit()
        finally:
            holder.rollback()


def test_without_the_setting_psycopgs_prepared_statements_break_behind_pgbouncer(bouncer):
    engine = create_engine(bouncer.url(DATABASE))  # psycopg's default: prepare after 5 uses
    try:
        with pytest.raises(DBAPIError, match=r'prepared statement "_pg3_\d+" does not exist'):
            _prepared_then_elsewhere(engine)
    finally:
        engine.dispose()


def test_with_the_setting_the_same_statements_run_anywhere(bouncer):
    options = engine_options({"SQLALCHEMY_DATABASE_URI": bouncer.url(DATABASE), "DATABASE_POOLER": "pgbouncer"})
    assert options["connect_args"] == {"prepare_threshold": None} and options["pool_pre_ping"] is True
    engine = create_engine(bouncer.url(DATABASE), **options)
    try:
        _prepared_then_elsewhere(engine)
    finally:
        engine.dispose()
