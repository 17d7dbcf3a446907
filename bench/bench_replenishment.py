"""Replenishment suggestions for one store of a 120-store chain with 26,000 SKUs each.

    .venv/bin/python -m bench.bench_replenishment                       # SQLite file
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_replenishment   # also PostgreSQL
    .venv/bin/python -m bench.bench_replenishment --stores 5 --skus 2000 --days 7   # small, to try first

Data: the catalogue from bench/data.py; a stock level per SKU in every store (set-based
INSERT … SELECT per store; with --full-ledger each level's opening move too); 20 suppliers selling every SKU in cases of 6, 12 or 24; for the
measured store, `--days` of till sales (`--sales-per-day` sale moves a day, most on a hot
fifth of the catalogue), goods in transit for some SKUs, and a few open purchase orders.

Prints the generation time, the row counts, and the time to compute the store's suggestions
(`suggestions_for`, the page's whole computation) over several runs: min, median, max, with
this process's CPU time and the machine's load average (on a busy machine the wall time is
mostly waiting for a core; with SQLite the work is all in this process, with PostgreSQL
partly in the server). Target: ≤ 1 s.
"""
import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta

from sqlalchemy import func, insert, select, text

from bench.data import make_catalogue
from webapp import create_app
from webapp.catalog.models import Supplier
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.purchasing.models import PurchaseOrder, PurchaseOrderLine
from webapp.purchasing.suggestions import suggestions_for
from webapp.stock import services as stock
from webapp.stock.models import StockLevel, StockMove, Usage
from webapp.stores.models import Store
from webapp.stores.services import save_store

SUPPLIERS = 20
CHUNK = 5000
THOUSANDTHS, FEN = 1000, 100  # how Quantity and Money columns store their values


def generate(stores: int, skus: int, days: int, sales_per_day: int, full_ledger: bool = False) -> Store:
    random.seed(7)
    store = make_catalogue(skus, on_hand=30)  # the measured store, its shelf levels and opening moves
    supplier, customer = stock.location(Usage.SUPPLIER), stock.location(Usage.CUSTOMER)
    now = utcnow()
    for number in range(1, stores):
        # Every other store: a level per SKU (with its opening move when --full-ledger), and a
        # few sales, so the ledger mixes many shelves as a chain's does.
        other = save_store(None, code=f"BENCH{number:03d}", name=f"压测店 {number}")
        values = {"shelf": stock.shelf(other).id, "supplier": supplier.id, "customer": customer.id,
                  "on_hand": 40 * THOUSANDTHS, "cost": 2 * FEN, "now": now, "store": number}
        db.session.execute(text(
            "INSERT INTO stock_levels (location_id, sku_id, lot_id, on_hand, reserved) "
            "SELECT :shelf, id, NULL, :on_hand, 0 FROM skus"), values)
        if full_ledger:
            db.session.execute(text(
                "INSERT INTO stock_moves (sku_id, from_location_id, to_location_id, quantity, unit_cost, reason, "
                "document_type, document_id, created_at) "
                "SELECT id, :supplier, :shelf, :on_hand, :cost, 'receipt', 'opening', 'BENCH', :now FROM skus"),
                values)
        db.session.execute(text(
            "INSERT INTO stock_moves (sku_id, from_location_id, to_location_id, quantity, unit_cost, reason, "
            "document_type, document_id, created_at) "
            "SELECT id, :shelf, :customer, 1000, :cost, 'sale', 'order', 'BENCH', :now FROM skus "
            "WHERE id % 13 = :store % 13"), values)
    db.session.execute(insert(Supplier), [{"name": f"压测供应商 {n:02d}", "contact": "", "phone": "",
                                           "lead_time_days": 1 + n % 4, "minimum_order": 0}
                                          for n in range(SUPPLIERS)])
    first_supplier = db.session.scalar(select(func.min(Supplier.id)))
    db.session.execute(text(
        "INSERT INTO supplier_items (supplier_id, sku_id, cost_price, pack_size, min_order_qty) "
        "SELECT :first + id % :suppliers, id, 200, (CASE id % 3 WHEN 0 THEN 6 WHEN 1 THEN 12 ELSE 24 END) * 1000, 0 "
        "FROM skus"), {"first": first_supplier, "suppliers": SUPPLIERS})

    shelf = stock.shelf(store)
    db.session.execute(text("UPDATE stock_levels SET on_hand = (sku_id % 10) * 1000 WHERE location_id = :shelf"),
                       {"shelf": shelf.id})  # 0 to 9 on the shelf: some need ordering, some not
    transit = stock.location(Usage.TRANSIT, store)
    hot = max(1, skus // 5)
    rows = []
    for day in range(days):
        for _ in range(sales_per_day):
            sku_id = random.randint(1, hot) if random.random() < 0.8 else random.randint(1, skus)
            rows.append({"sku_id": sku_id, "from_location_id": shelf.id, "to_location_id": customer.id,
                         "quantity": 1, "unit_cost": 2, "reason": "sale", "document_type": "order",
                         "document_id": f"B{day}", "created_at": now - timedelta(days=day, minutes=random.randint(0, 900))})
            if len(rows) == CHUNK:
                db.session.execute(insert(StockMove), rows)
                rows = []
    if rows:
        db.session.execute(insert(StockMove), rows)
    db.session.execute(insert(StockLevel), [{"location_id": transit.id, "sku_id": n, "lot_id": None,
                                             "on_hand": 6, "reserved": 0} for n in range(1, skus + 1, 50)])
    for number in range(5):
        order = PurchaseOrder(number=f"PO-BENCH-{number}", store_id=store.id, supplier_id=first_supplier + number,
                              status="sent", sent_at=now)
        db.session.add(order)
        db.session.flush()
        db.session.execute(insert(PurchaseOrderLine), [
            {"order_id": order.id, "sku_id": n, "quantity": 24, "pack_size": 12, "unit_cost": 2, "received": 0}
            for n in range(1 + number, hot, 40)])
    db.session.commit()
    return store


def server_time(store: Store) -> float:
    """How long PostgreSQL itself takes to run the suggestions' statement (no network, no Python)."""
    from webapp.purchasing.suggestions import _candidates

    query = _candidates(store.id, stock.shelf(store).id, stock.location(Usage.TRANSIT, store).id,
                        stock.location(Usage.CUSTOMER).id, utcnow(), None)
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True})).replace("%", "%%")
    plan = db.session.execute(text("EXPLAIN (ANALYZE, TIMING OFF) " + sql)).scalars().all()
    db.session.rollback()
    return float(next(line for line in plan if line.startswith("Execution Time")).split()[2])


def counts() -> str:
    levels = db.session.scalar(select(func.count()).select_from(StockLevel))
    moves = db.session.scalar(select(func.count()).select_from(StockMove))
    return f"{levels:,} stock levels, {moves:,} stock moves"


def bench(url: str, label: str, args) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        began = time.perf_counter()
        store = generate(args.stores, args.skus, args.days, args.sales_per_day, args.full_ledger)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        print(f"{label}: generated {args.stores} stores × {args.skus:,} SKUs in {time.perf_counter() - began:.1f} s "
              f"({counts()})")
        timings, cpu, groups = [], [], []
        for _ in range(args.runs):
            db.session.expire_all()
            began, began_cpu = time.perf_counter(), time.process_time()
            groups = suggestions_for(store)
            timings.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
            db.session.rollback()
        lines = sum(len(g.lines) for g in groups)
        print(f"{label}: suggestions for one store: {lines:,} SKUs from {len(groups)} suppliers; "
              f"min {min(timings) * 1000:.0f} ms, median {statistics.median(timings) * 1000:.0f} ms, "
              f"max {max(timings) * 1000:.0f} ms over {args.runs} runs (target ≤ 1000 ms); "
              f"this process's CPU: median {statistics.median(cpu) * 1000:.0f} ms; load average {os.getloadavg()[0]:.1f}")
        if db.engine.dialect.name == "postgresql":
            print(f"{label}: the statement's own execution time in the server (EXPLAIN ANALYZE): "
                  f"{server_time(store):.0f} ms")
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=120)
    parser.add_argument("--skus", type=int, default=26000)
    parser.add_argument("--days", type=int, default=28, help="days of sales for the measured store")
    parser.add_argument("--sales-per-day", type=int, default=3000, help="sale moves a day in the measured store")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--full-ledger", action="store_true",
                        help="also an opening move per level in every store (3 million more moves; slower to make)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{folder}/replenishment.db", "SQLite", args)
    if os.environ.get("TEST_DATABASE_URL"):
        bench(os.environ["TEST_DATABASE_URL"], "PostgreSQL", args)


if __name__ == "__main__":
    main()
