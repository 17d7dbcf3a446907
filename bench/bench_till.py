"""The till's speed with a 26,000-SKU catalogue (SQLite file; PostgreSQL too when TEST_DATABASE_URL is set).

    .venv/bin/python -m bench.bench_till
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_till
    BENCH_PROMOTIONS=200 …                      (the same with 200 running promotions: the engine on every scan)

Prints: add-by-barcode server time (p50/p95/p99 over 1,000 scans through the
real view, in-process, so no network), the SQL statements a 3-line cash sale
executes to complete (counted with SQLAlchemy's cursor events), and how long
that completion and its commit take against a raw-SQL insert of the same rows
in one transaction.
"""
import os
import random
import statistics
import tempfile
import time
import uuid

from sqlalchemy import event, insert, text, update

from bench.data import barcode_of, make_catalogue
from webapp import create_app
from webapp.auth.models import Role, User
from webapp.auth.services import save_user
from webapp.catalog.models import SKU, Category, Product
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.pos import services as pos
from webapp.pos.models import Register, Shift
from webapp.promotions.models import Promotion
from webapp.sales import services as sales
from webapp.sales.models import Order
from webapp.stores.models import Store

SKUS = 26_000
SCANS = 1_000
PROMOTIONS = int(os.environ.get("BENCH_PROMOTIONS", "0"))  # running promotions (the engine on every scan)


def main(url: str, label: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        began = time.perf_counter()
        store = make_catalogue(SKUS)
        print(f"{label}: catalogue of {SKUS:,} SKUs made in {time.perf_counter() - began:.1f} s")
        if PROMOTIONS:
            add_promotions(PROMOTIONS)
            label = f"{label} with {PROMOTIONS} promotions"
        register = pos.save_register(None, store=store, name="1号收银台")
        cashier = save_user(None, username="bench", display_name="", role=Role.CASHIER, stores=[store],
                            password="bench-pass-1")
        shift = pos.open_shift(register, cashier, "0")
        db.session.commit()
        register_id = register.id
        scans(app, label, register_id)
        statements_and_commit(app, label, store, register, shift, cashier)
        db.drop_all()
        db.engine.dispose()


def scans(app, label, register_id):
    """Add by barcode through the real view: 100 scans to warm up (not counted), then SCANS timed, wall clock
    and CPU time (process_time: what the machine's other load does not add)."""
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-pass-1"})
    client.get(f"/pos/registers/{register_id}")
    rng = random.Random(7)
    timings, cpu = [], []
    for number in range(SCANS + 100):
        code = barcode_of(rng.randrange(SKUS))
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.post(f"/pos/registers/{register_id}/scan", data={"code": code},
                               headers={"HX-Request": "true"})
        if number >= 100:
            timings.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        assert response.status_code == 200, response.get_data(as_text=True)[:200]
        if number % 10 == 9:  # a basket of ten, then the next customer
            order_id = response.get_data(as_text=True).split("/pos/orders/")[1].split("/")[0]
            client.post(f"/pos/orders/{order_id}/void", headers={"HX-Request": "true"})
    cuts, cpu_cuts = statistics.quantiles(timings, n=100), statistics.quantiles(cpu, n=100)
    print(f"{label}: add by barcode, {SCANS} scans: p50 {cuts[49] * 1000:.1f} ms, "
          f"p95 {cuts[94] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms (target p95 ≤ 25 ms); CPU time p50 "
          f"{cpu_cuts[49] * 1000:.1f} ms, p95 {cpu_cuts[94] * 1000:.1f} ms; load {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")


CATEGORIES = 60


def add_promotions(count: int, seed: int = 5) -> None:
    """``count`` running promotions of every template over the bench catalogue: the products spread over
    CATEGORIES categories, half the promotions on a category, half on 20 SKUs."""
    db.session.execute(insert(Category), [{"id": n, "name": f"类{n}", "position": n}
                                          for n in range(1, CATEGORIES + 1)])
    db.session.execute(update(Product).values(category_id=Product.id % CATEGORIES + 1))
    rng = random.Random(seed)
    db.session.execute(insert(Promotion), [_promotion_row(rng, n) for n in range(1, count + 1)])
    db.session.commit()


def _promotion_row(rng: random.Random, n: int) -> dict:
    kind = rng.choice(("threshold", "percent", "fixed_price", "nth_item", "buy_get"))
    params = {"threshold": {"tiers": [["100", "10"]]}, "percent": {"percent": "10"},
              "fixed_price": {"price": "1.99"}, "nth_item": {"nth": 2, "percent": "50"},
              "buy_get": {"buy": 2, "free": 1}}[kind]
    on_categories = rng.random() < 0.5
    return {"name": f"促销{n}", "kind": kind, "status": "active", "params": params, "everything": False,
            "sku_ids": [] if on_categories else rng.sample(range(1, SKUS + 1), 20),
            "product_ids": [], "category_ids": [rng.randint(1, CATEGORIES)] if on_categories else [],
            "store_ids": [], "channels": [], "weekdays": [], "exclusive": False, "stackable": False,
            "priority": 0, "members_only": False, "needs_coupon": False, "source": "bench",
            "created_at": utcnow(), "updated_at": utcnow()}


def statements_and_commit(app, label, store, register, shift, cashier):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    completions, cpus, raws = [], [], []
    ids = store.id, register.id, shift.id, cashier.id
    for attempt in range(20):
        db.session.expunge_all()  # each sale in a fresh session, as each request has
        store, register, shift = (db.session.get(Store, ids[0]), db.session.get(Register, ids[1]),
                                  db.session.get(Shift, ids[2]))
        cashier = db.session.get(User, ids[3])
        order = sales.open_sale(store, register, shift, cashier)
        for sku_id in (attempt * 3 + 1, attempt * 3 + 2, attempt * 3 + 3):
            sales.add_item(order, db.session.get(SKU, sku_id), 1)
        db.session.commit()
        order_id = order.id
        db.session.expunge_all()
        cashier = db.session.get(User, ids[3])  # signed in: the view has loaded the user before the sale completes
        order = db.session.get(Order, order_id)
        _ = [line.sku.product for line in order.lines], order.store, order.shift, order.payments  # as the view has
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        began, cpu = time.perf_counter(), time.process_time()
        sales.complete_sale(order, [sales.Tender("cash", "20.00")], user=cashier,
                            client_uuid=str(uuid.uuid4()))
        db.session.commit()
        completions.append(time.perf_counter() - began)
        cpus.append(time.process_time() - cpu)
        event.remove(db.engine, "before_cursor_execute", count)
        executed = len(statements)
        raws.append(raw_insert(attempt))
    print(f"{label}: completing a 3-line cash sale executes {executed} SQL statements (target ≤ 12)")
    for statement in statements:
        print("    " + " ".join(statement.split())[:110])
    median_done, median_raw = statistics.median(completions), statistics.median(raws)
    print(f"{label}: completion + commit {median_done * 1000:.2f} ms vs raw insert of the same rows "
          f"{median_raw * 1000:.2f} ms: {median_done / median_raw:.1f}× (target ≤ 3×); CPU of the completion "
          f"{statistics.median(cpus) * 1000:.2f} ms (load {os.getloadavg()[0]:.2f})")


def raw_insert(attempt: int) -> float:
    """The same rows with plain SQL in one transaction: the order's update, 3 moves, 3 level updates,
    3 line costs, a payment."""
    with db.engine.connect() as connection:
        began = time.perf_counter()
        with connection.begin():
            connection.execute(text("UPDATE orders SET status='completed' WHERE id = :id"), {"id": attempt + 1})
            for sku_id in (1, 2, 3):
                connection.execute(text(
                    "INSERT INTO stock_moves (sku_id, from_location_id, to_location_id, quantity, unit_cost, "
                    "reason, document_type, document_id, created_at) VALUES (:s, 1, 2, 1000, 200, 'sale', "
                    "'order', 'RAW', CURRENT_TIMESTAMP)"), {"s": sku_id})
                connection.execute(text("UPDATE stock_levels SET on_hand = on_hand - 1000 WHERE sku_id = :s"),
                                   {"s": sku_id})
                connection.execute(text("UPDATE order_lines SET unit_cost = 200 WHERE id = :s"), {"s": sku_id})
            connection.execute(text(
                "INSERT INTO payments (order_id, method, amount, change, reference, status, message, created_at) "
                "VALUES (:o, 'cash', 1050, 950, '', 'succeeded', '', CURRENT_TIMESTAMP)"), {"o": attempt + 1})
        return time.perf_counter() - began


if __name__ == "__main__":
    if os.environ.get("BENCH_SQLITE", "1") != "0":  # BENCH_SQLITE=0: PostgreSQL only
        with tempfile.TemporaryDirectory() as folder:
            main(f"sqlite:///{folder}/till.db", "SQLite")
    if os.environ.get("TEST_DATABASE_URL"):
        main(os.environ["TEST_DATABASE_URL"], "PostgreSQL")
