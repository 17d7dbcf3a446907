"""The fulfilment queue's cost: many stores with many online orders (SQLite file; PostgreSQL too when
TEST_DATABASE_URL is set).

    .venv/bin/python -m bench.bench_fulfil
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_fulfil

Every tablet polls its store's signal every 3 s, and fetches the queue when it changed. With
STORES stores of ORDERS online orders each (a quarter new, picking, ready and done), prints the
server time (p50/p95/p99, in-process through the real views) and SQL statements of one poll and
one queue fetch, and of a pickup scan plus hand-over at the till.
"""
import os
import statistics
import tempfile
import time
import uuid

from sqlalchemy import event

from webapp import create_app
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.pos import services as pos
from webapp.sales.online import services as online
from webapp.stock import services as stock
from webapp.stores.services import save_store

STORES, ORDERS, POLLS, FETCHES, HAND_OVERS = 10, 200, 500, 100, 50
PAID = "134567890123450001"
HX = {"HX-Request": "true"}


def main(url: str, label: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        began = time.perf_counter()
        store, register, ready = make_orders()
        print(f"{label}: {STORES} stores × {ORDERS} online orders made in {time.perf_counter() - began:.1f} s")
        engine = db.engine
    # Each request in its own app context and session, as when served.
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-pass-1"})
    stamp = client.get(f"/fulfil/stores/{store}/signal", headers=HX).get_data(as_text=True)
    stamp = stamp.split("v=")[1].split('"')[0]
    report(label, "signal poll (unchanged)", measure(engine, client, "GET", f"/fulfil/stores/{store}/signal?v={stamp}",
                                                   POLLS))
    report(label, f"queue fetch ({ORDERS} orders of the store)",
           measure(engine, client, "GET", f"/fulfil/stores/{store}/", FETCHES))
    timings, statements = [], []
    for token, online_id in ready[:HAND_OVERS]:
        t1, s1 = timed(engine, client, "POST", f"/pos/registers/{register}/scan", {"code": token})
        t2, s2 = timed(engine, client, "POST", f"/pos/registers/{register}/pickups/{online_id}/hand-over",
                       {"client_uuid": str(uuid.uuid4())})
        timings.append(t1 + t2)
        statements.append(s1 + s2)
    report(label, "pickup scan + hand-over at the till", (timings, statements))
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def make_orders():
    stock.ensure_locations()
    cashier = None
    products = [save_product(None, name=f"商品{i}", variants=[VariantInput(code=f"F{i}", list_price="9.90")]).skus[0]
                for i in range(5)]
    first = register = None
    ready = []
    for s in range(STORES):
        store = save_store(None, code=f"F{s:02d}", name=f"店{s}", district="西湖区")
        stock.ensure_locations(store)
        store.online_pickup = True
        for sku in products:
            stock.receive(store, sku, ORDERS * 10, "5.00", user=None, document=("receipt", "BENCH"))
        if first is None:
            first = store
            register = pos.save_register(None, store=store, name="1号收银台")
            cashier = save_user(None, username="bench", display_name="", role=Role.CASHIER, stores=[store],
                                password="bench-pass-1")
            pos.open_shift(register, cashier, "0")
        customer = save_user(None, username=f"c{s}", display_name="", role=Role.CUSTOMER, stores=[],
                             password="bench-pass-1", phone=f"1390000{s:04d}")
        for n in range(ORDERS):
            order = online.place_order(store, customer, [(products[n % 5], 2), (products[(n + 1) % 5], 1)],
                                       phone=customer.phone, checkout_key=f"b-{s}-{n}")
            online.pay(order, "wechat", PAID)
            if n % 4 >= 1:
                online.start_picking(order, cashier)
            if n % 4 >= 2:
                online.mark_ready(order, cashier)
            if n % 4 == 3:
                online.hand_over(order, cashier)
            elif n % 4 == 2 and store is first:
                ready.append((order.pickup_token, order.id))
        db.session.commit()
    return first.id, register.id, ready


def timed(engine, client, method, path, data=None):
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    began = time.perf_counter()
    response = client.open(path, method=method, data=data, headers=HX)
    elapsed = time.perf_counter() - began
    event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:200])
    return elapsed, len(statements)


def measure(engine, client, method, path, times):
    timings, statements = [], []
    for _ in range(times):
        elapsed, count = timed(engine, client, method, path)
        timings.append(elapsed)
        statements.append(count)
    return timings, statements


def report(label, what, measured):
    timings, statements = measured
    cuts = statistics.quantiles(timings, n=100)
    print(f"{label}: {what}: p50 {cuts[49] * 1000:.1f} ms, p95 {cuts[94] * 1000:.1f} ms, "
          f"p99 {cuts[98] * 1000:.1f} ms; {statistics.median(statements):.0f} SQL statements")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        main(f"sqlite:///{folder}/fulfil.db", "SQLite")
    if os.environ.get("TEST_DATABASE_URL"):
        main(os.environ["TEST_DATABASE_URL"], "PostgreSQL")
