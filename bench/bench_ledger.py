"""Ledger throughput and the last-units race, on SQLite (a file) and on PostgreSQL.

    .venv/bin/python -m bench.bench_ledger                      # SQLite
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_ledger   # also PostgreSQL (TEST_DATABASE_URL)

Prints: till sales per second from 1 and 4 threads, and for 200 buyers racing
for the last 50 units how many got one (must be exactly 50), with p50/p99 latency.
"""
import os
import statistics
import tempfile
import threading
import time

from webapp import create_app
from webapp.catalog.models import SKU
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.stock import queries, services
from webapp.stock.errors import InsufficientStock
from webapp.stores.models import Store
from webapp.stores.services import save_store


def setup(app, units):
    with app.app_context():
        db.drop_all()
        db.create_all()
        store = save_store(None, code="B1", name="压测店", allow_negative_stock=False)
        sku = save_product(None, name="压测商品", variants=[VariantInput(code="B-1", list_price="1.00")]).skus[0]
        services.receive(store, sku, units, "0.50", user=None, document=("bench", "0"))
        db.session.commit()
        return store.id, sku.id


def run_threads(app, threads, per_thread, action):
    latencies, outcomes, lock = [], [], threading.Lock()
    start = threading.Barrier(threads)

    def worker(number):
        with app.app_context():
            start.wait()
            for i in range(per_thread):
                began = time.perf_counter()
                try:
                    action(number, i)
                    db.session.commit()
                    result = "ok"
                except InsufficientStock:
                    db.session.rollback()
                    result = "refused"
                elapsed = time.perf_counter() - began
                with lock:
                    latencies.append(elapsed)
                    outcomes.append(result)
            db.session.remove()

    began = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - began, latencies, outcomes


def bench(url, label):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 200}
                      if url.startswith("postgresql") else {}})
    for threads in (1, 4):
        store_id, sku_id = setup(app, 100000)

        def sell(number, i, store_id=store_id, sku_id=sku_id):
            services.sell(db.session.get(Store, store_id), db.session.get(SKU, sku_id), 1,
                          user=None, document=("sale", f"{number}-{i}"))

        total = 2000
        elapsed, latencies, _ = run_threads(app, threads, total // threads, sell)
        print(f"{label}: till sales, {threads} thread(s): {total / elapsed:,.0f}/s, "
              f"p50 {_ms(latencies, 50)} ms, p99 {_ms(latencies, 99)} ms")

    store_id, sku_id = setup(app, 50)

    def reserve(number, i):
        services.reserve(db.session.get(Store, store_id), db.session.get(SKU, sku_id), 1,
                         document=("order", str(number)))

    elapsed, latencies, outcomes = run_threads(app, 200, 1, reserve)
    with app.app_context():
        store, sku = db.session.get(Store, store_id), db.session.get(SKU, sku_id)
        on_hand, reserved = queries.level_at(store, sku)
    print(f"{label}: 200 buyers for the last 50 units: {outcomes.count('ok')} reserved, "
          f"{outcomes.count('refused')} sold out; level {on_hand} on hand / {reserved} reserved; "
          f"p50 {_ms(latencies, 50)} ms, p99 {_ms(latencies, 99)} ms, {elapsed:.2f} s in all")
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _ms(values, percentile):
    return f"{statistics.quantiles(values, n=100)[percentile - 1] * 1000:.1f}" if percentile < 100 else ""


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{folder}/bench.db", "SQLite")
    if os.environ.get("TEST_DATABASE_URL"):
        bench(os.environ["TEST_DATABASE_URL"], "PostgreSQL")
