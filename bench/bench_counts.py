"""A full count of a 26,000-SKU store, on SQLite (a file) and on PostgreSQL.

    .venv/bin/python -m bench.bench_counts [SKUS]                       # SQLite
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_counts     # PostgreSQL (TEST_DATABASE_URL)

Prints: scans per second from 4 people counting at once (with p50/p99 per scan), the time
to build the variance report of the whole store, and the time to approve it (one
adjust_to_count per SKU that differs). Setup inserts the other entries in bulk.
"""
import os
import statistics
import sys
import tempfile
import threading
import time
from decimal import Decimal

from sqlalchemy import insert

from bench.data import barcode_of, make_catalogue
from webapp import create_app
from webapp.extensions import db
from webapp.stock.counts import queries, services
from webapp.stock.counts.models import CountEntry, Scope, StockCount

PEOPLE, SCANS = 4, 250


def main():
    skus = int(sys.argv[1]) if len(sys.argv) > 1 else 26000
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        store = make_catalogue(skus, on_hand=10)
        count = services.start_count(store, user=None, scope=Scope.STORE)
        count_id = count.id
        db.session.commit()
    print(f"{url.split(':')[0]}: {skus} SKUs, 10 each on the shelf")

    latencies, lock, start = [], threading.Lock(), threading.Barrier(PEOPLE)

    def person(number):
        with app.app_context():
            start.wait()
            for i in range(SCANS):
                began = time.perf_counter()
                services.record(db.session.get(StockCount, count_id), barcode_of(number * SCANS + i), user=None,
                                place=f"货架{number}")
                db.session.commit()
                with lock:
                    latencies.append(time.perf_counter() - began)
            db.session.remove()

    threads = [threading.Thread(target=person, args=(n,)) for n in range(PEOPLE)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    print(f"scans: {PEOPLE} people × {SCANS} = {len(latencies)} in {elapsed:.2f}s = {len(latencies) / elapsed:.0f}/s; "
          f"p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {latencies[int(len(latencies) * 0.99)] * 1000:.1f} ms")

    with app.app_context():
        # Everyone else's typed counts, in bulk: every SKU is counted; one in ten is two short.
        first = PEOPLE * SCANS
        db.session.execute(insert(CountEntry), [
            {"count_id": count_id, "sku_id": n + 1, "lot_id": None, "expected": Decimal(10), "place": "",
             "quantity": Decimal(8 if n % 10 == 0 else 10)} for n in range(first, skus)])
        db.session.commit()
        count = db.session.get(StockCount, count_id)
        began = time.perf_counter()
        lines, uncounted = queries.report(count)
        totals = queries.totals(lines)
        report_s = time.perf_counter() - began
        differing = sum(1 for v in lines if v.difference)
        print(f"variance report: {len(lines)} lines, {len(uncounted)} uncounted, {differing} differ, "
              f"loss {totals.loss_value} in {report_s:.2f}s")
        began = time.perf_counter()
        services.approve(count, user=None)
        db.session.commit()
        print(f"approval: {len(lines)} lines frozen, {differing} adjustments in {time.perf_counter() - began:.2f}s")


if __name__ == "__main__":
    main()
