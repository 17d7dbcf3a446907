"""The reports' queries on a chain-sized history (SQLite file; PostgreSQL too when TEST_DATABASE_URL is set).

    .venv/bin/python -m bench.bench_reports
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_reports

Data: the 26,000-SKU catalogue of bench/data.py in one store, and 90 days of
history written with bulk inserts (not the services, which would take long):
120,000 completed till orders of 1–3 lines (about 240,000 lines, each with its
sale move off the shelf), 4,000 returns, 6,000 write-offs and 8,000 count
adjustments. The levels are the catalogue's opening stock (the history is
not subtracted from them: the reports read levels as they are).

Prints, per report and scope (the store, the whole chain): the time of the
first page as the page shows it (its count and its 50 rows) and of the whole
table as the CSV export reads it, median of 3 runs.
"""
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert

from bench.data import make_catalogue
from webapp import create_app
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.paging import paginate
from webapp.reports import losses, sellers, turnover
from webapp.reports.periods import Bucket, Period
from webapp.sales.models import Order, OrderLine
from webapp.stock import services as stock
from webapp.stock.models import StockMove, Usage

SKUS, ORDERS, RETURNS, WRITE_OFFS, COUNTS, DAYS = 26_000, 120_000, 4_000, 6_000, 8_000, 90
BATCH = 5_000


def history(store):
    """Bulk-insert orders, lines and moves over the last DAYS days; hot SKUs sell most (a skewed pick)."""
    rng = random.Random("huotong-bench/reports")
    shelf, customer = stock.shelf(store), stock.location(Usage.CUSTOMER)
    loss, adjustment = stock.location(Usage.LOSS), stock.location(Usage.ADJUSTMENT)
    now = utcnow()

    def when():
        return now - timedelta(seconds=rng.randrange(DAYS * 86_400))

    def sku():
        return min(SKUS, int(rng.paretovariate(1.2))) if rng.random() < 0.7 else rng.randrange(1, SKUS + 1)

    orders, lines, moves = [], [], []
    line_id = 0
    for number in range(1, ORDERS + RETURNS + 1):
        is_return, at = number > ORDERS, when()
        orders.append({"id": number, "number": f"BENCH-{number:07d}", "channel": "pos",
                       "kind": "return" if is_return else "sale", "status": "completed", "store_id": store.id,
                       "created_at": at, "completed_at": at})
        for _ in range(1 if is_return else rng.randint(1, 3)):
            line_id += 1
            qty, sku_id = Decimal(rng.randint(1, 3)), sku()
            lines.append({"id": line_id, "order_id": number, "sku_id": sku_id, "quantity": qty,
                          "unit_price": Decimal("3.50"), "regular_price": Decimal("3.50"),
                          "priced_amount": qty * Decimal("3.50"), "amount": qty * Decimal("3.50"),
                          "unit_cost": Decimal("2.00")})
            source, destination = (customer, shelf) if is_return else (shelf, customer)
            moves.append(_move(sku_id, source, destination, qty, "return" if is_return else "sale", "order",
                               f"BENCH-{number:07d}", at))
    for number in range(WRITE_OFFS):
        moves.append(_move(sku(), shelf, loss, Decimal(1), "write_off", "write_off", f"W{number}", when()))
    for number in range(COUNTS):
        gain = rng.random() < 0.4
        moves.append(_move(rng.randrange(1, SKUS + 1), adjustment if gain else shelf, shelf if gain else loss,
                           Decimal(rng.randint(1, 4)), "count", "count", f"C{number // 100}", when()))
    for model, rows in ((Order, orders), (OrderLine, lines), (StockMove, moves)):
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(model), rows[start:start + BATCH])
    db.session.commit()
    return len(lines), len(moves)


def _move(sku_id, source, destination, qty, reason, document_type, document_id, at):
    return {"sku_id": sku_id, "from_location_id": source.id, "to_location_id": destination.id, "quantity": qty,
            "unit_cost": Decimal("2.00"), "reason": reason, "document_type": document_type,
            "document_id": document_id, "created_at": at}


def timed(action, runs=3) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
        db.session.rollback()
    return statistics.median(times) * 1000


def paged(query):
    return lambda: paginate(query, 1, 50, scalars=False)


def everything(query):
    return lambda: db.session.execute(query).all()


def bench(url: str, label: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        began = time.perf_counter()
        store = make_catalogue(SKUS)
        lines, moves = history(store)
        print(f"\n{label}: {SKUS:,} SKUs, {ORDERS + RETURNS:,} orders, {lines:,} lines, {moves:,} moves "
              f"(loaded in {time.perf_counter() - began:.0f} s)")
        print(f"{'report':<34}{'scope':<8}{'first page ms':>15}{'whole table ms':>16}{'rows':>8}")
        for days in (7, 30):
            period = Period.last_days(days)
            for scope, name in ((store, "store"), (None, "chain")):
                cases = [
                    (f"hot sellers, {days} days", sellers.hot_sellers(scope, period)),
                    (f"slow sellers, {days} days", sellers.slow_sellers(scope, period)),
                    (f"turnover per SKU, {days} days", turnover.by_sku(scope, period)),
                ]
                for title, query in cases:
                    rows = len(db.session.execute(query).all())
                    print(f"{title:<34}{name:<8}{timed(paged(query)):>15.0f}{timed(everything(query)):>16.0f}{rows:>8,}")
        period = Period.last_days(DAYS)
        for scope, name in ((store, "store"), (None, "chain")):
            cases = [
                ("turnover per category, 90 days", lambda s=scope: db.session.execute(turnover.by_category(s, period)).all()),
                ("write-offs per week, 90 days", lambda s=scope: losses.write_offs(s, period, Bucket.WEEK)),
                ("write-offs per category, 90 days", lambda s=scope: losses.write_offs(s, period, "category")),
                ("count variances per week, 90 d", lambda s=scope: losses.count_variances(s, period, Bucket.WEEK)),
            ]
            for title, action in cases:
                print(f"{title:<34}{name:<8}{'':>15}{timed(action):>16.0f}{len(action()):>8,}")
        db.session.rollback()
        if os.environ.get("BENCH_KEEP"):
            return
        db.drop_all()
        db.engine.dispose()


if __name__ == "__main__":
    if os.environ.get("BENCH_KEEP"):  # keep the SQLite database there, to look at query plans
        bench(f"sqlite:///{os.environ['BENCH_KEEP']}", "SQLite")
        sys.exit()
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{folder}/bench.db", "SQLite")
    if os.environ.get("TEST_DATABASE_URL"):
        bench(os.environ["TEST_DATABASE_URL"], "PostgreSQL")
