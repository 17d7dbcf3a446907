"""Store orders to head office at chain scale: HQ allocates 120 stores' 200-line orders, a store's suggested order.

    .venv/bin/python -m bench.bench_supply                          # SQLite file
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_supply  # also PostgreSQL
    .venv/bin/python -m bench.bench_supply --stores 10 --skus 2000   # small, to try first

Data (bulk inserts, see bench/data.py): a catalogue of `--skus` SKUs whose first store is made the HQ
warehouse, with 0 to 600 of each SKU (a seventh of them out), `--stores` franchise stores with credit
terms, each with a submitted order of `--lines` lines drawn mostly from a hot fifth of the catalogue
(so many SKUs are asked by many stores and HQ is short of them), and for the first store `--days` of
till sales (`--sales-per-day` moves a day) plus shelf stock.

Prints the time to allocate and approve the whole queue (`allocation.approve_all`: allocation by
the pro-rata rule, credit checks, line updates, back-orders; target ≤ 5 s) and to compute one store's
suggested order over the catalogue (`suggested_order`; target ≤ 1 s), min / median / max over
`--runs` runs (each approval run rolled back), with the machine's load average.
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import func, insert, select, text  # noqa: E402

from bench.data import make_catalogue  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.clock import utcnow  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.stock import services as stock  # noqa: E402
from webapp.stock.models import StockMove, Usage  # noqa: E402
from webapp.stores.models import Store  # noqa: E402
from webapp.stores.services import save_store  # noqa: E402
from webapp.supply import allocation  # noqa: E402
from webapp.supply.models import FranchiseTerms, StoreOrder, StoreOrderLine  # noqa: E402
from webapp.supply.suggestions import suggested_order  # noqa: E402
from webapp.supply.terms import settings  # noqa: E402

CHUNK = 5000
THOUSANDTHS = 1000


def generate(args) -> Store:
    random.seed(14)
    hq = make_catalogue(args.skus, on_hand=0)
    db.session.execute(text("UPDATE stores SET kind = 'hq_warehouse' WHERE id = :id"), {"id": hq.id})
    db.session.execute(text("UPDATE stock_levels SET on_hand = (sku_id % 7) * 100000 WHERE location_id = :shelf"),
                       {"shelf": stock.shelf(hq).id})
    settings(lock=True)
    now, customer = utcnow(), stock.location(Usage.CUSTOMER)
    hot = max(args.lines, args.skus // 5)
    stores = []
    for number in range(args.stores):
        store = save_store(None, code=f"F{number:03d}", name=f"加盟店 {number}", kind="franchise")
        stock.ensure_locations(store)
        stores.append(store)
        db.session.add(FranchiseTerms(store_id=store.id, credit_limit=10_000_000, payment_days=30))
        order = StoreOrder(number=f"YH-BENCH-{number:03d}", store_id=store.id, status="submitted", submitted_at=now)
        db.session.add(order)
        db.session.flush()
        skus = random.sample(range(1, hot + 1), int(args.lines * 0.8)) + random.sample(
            range(hot + 1, args.skus + 1), args.lines - int(args.lines * 0.8))
        db.session.execute(insert(StoreOrderLine), [
            {"order_id": order.id, "sku_id": sku_id, "pack_size": 6 if sku_id % 2 else 1, "unit_price": 2,
             "asked": (6 if sku_id % 2 else 1) * random.randint(1, 20), "shipped": 0, "received": 0, "damaged": 0,
             "allocation": ""} for sku_id in skus])
    measured = stores[0]
    shelf = stock.shelf(measured)
    db.session.execute(text("INSERT INTO stock_levels (location_id, sku_id, lot_id, on_hand, reserved) "
                            "SELECT :shelf, id, NULL, (id % 10) * 1000, 0 FROM skus"), {"shelf": shelf.id})
    rows = []
    for day in range(args.days):
        for _ in range(args.sales_per_day):
            sku_id = random.randint(1, hot) if random.random() < 0.8 else random.randint(1, args.skus)
            rows.append({"sku_id": sku_id, "from_location_id": shelf.id, "to_location_id": customer.id,
                         "quantity": 1, "unit_cost": 2, "reason": "sale", "document_type": "order",
                         "document_id": f"B{day}",
                         "created_at": now - timedelta(days=day, minutes=random.randint(0, 900))})
            if len(rows) == CHUNK:
                db.session.execute(insert(StockMove), rows)
                rows = []
    if rows:
        db.session.execute(insert(StockMove), rows)
    db.session.commit()
    return measured


def timed(runs: int, work) -> tuple[tuple[list[float], list[float]], object]:
    """Wall and CPU time of this process per run (SQLite works in this process; on a busy machine the
    wall time is mostly waiting for a core)."""
    timings, cpu, result = [], [], None
    for _ in range(runs):
        db.session.expire_all()
        began, began_cpu = time.perf_counter(), time.process_time()
        result = work()
        timings.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        db.session.rollback()
    return (timings, cpu), result


def figures(measured: tuple[list[float], list[float]]) -> str:
    timings, cpu = measured
    return (f"min {min(timings) * 1000:.0f} ms, median {statistics.median(timings) * 1000:.0f} ms, "
            f"max {max(timings) * 1000:.0f} ms over {len(timings)} runs; this process's CPU: median "
            f"{statistics.median(cpu) * 1000:.0f} ms")


def bench(url: str, label: str, args) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        began = time.perf_counter()
        store = generate(args)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        lines = db.session.scalar(select(func.count()).select_from(StoreOrderLine))
        print(f"{label}: generated {args.stores} stores' orders ({lines:,} lines) over {args.skus:,} SKUs "
              f"in {time.perf_counter() - began:.1f} s")

        def approve_all():
            decisions = allocation.approve_all(user=None)
            db.session.flush()
            return decisions

        timings, decisions = timed(args.runs, approve_all)
        short = sum(1 for d in decisions if d.back_order is not None)
        print(f"{label}: allocate and approve the queue ({len(decisions)} orders approved, {short} with back-orders): "
              f"{figures(timings)} (target ≤ 5000 ms); load average {os.getloadavg()[0]:.1f}")
        timings, found = timed(args.runs, lambda: suggested_order(store))
        print(f"{label}: one store's suggested order over {args.skus:,} SKUs ({len(found):,} lines suggested): "
              f"{figures(timings)} (target ≤ 1000 ms); load average {os.getloadavg()[0]:.1f}")
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=120)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--skus", type=int, default=26000)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--sales-per-day", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{folder}/supply.db", "SQLite", args)
    if os.environ.get("TEST_DATABASE_URL"):
        bench(os.environ["TEST_DATABASE_URL"], "PostgreSQL", args)


if __name__ == "__main__":
    main()
