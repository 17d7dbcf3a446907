"""The stock overview of one store, searched, with a chain's stock behind it.

    .venv/bin/python -m bench.bench_stock_overview --stores 5 --skus 2000        # try small first
    .venv/bin/python -m bench.bench_stock_overview                               # 120 stores × 26,000 SKUs
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_stock_overview     # SQLite, then PostgreSQL

Data: bench/data.py's catalogue and its store, then (stores - 1) more stores whose
shelves are copied set-based (INSERT … SELECT, levels and the moves that explain
them), a week of till sales and warning lines in the measured store. Then the
overview page (what staff open, with the alert badge) and its htmx fragment (what
search-as-you-type fetches) are requested through the Flask test client, each
search many times; prints p50/p95 server time in ms. Target: p95 ≤ 100 ms. The
alert badge (its own request, loaded by the page's tab) and the alerts list are
timed apart.
"""
import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert, literal, select, text

from bench.data import barcode_of, make_catalogue
from webapp import create_app
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.stock import services as stock
from webapp.stock.models import StockLevel, StockMove, StockRule, Usage
from webapp.stores.models import Store
from webapp.stores.services import save_store

PASSWORD = "bench-pass-1"


def searches(skus: int) -> dict[str, str]:
    """What staff type: a name fragment, pinyin initials (many hits), a barcode, a SKU code, nothing."""
    middle = skus // 2
    return {
        "name": f"压测商品 {middle:05d}"[:-1],  # ~10 products
        "initials": f"ycsp{middle:05d}"[:-2],  # ~100 products, paginated
        "barcode": barcode_of(middle),
        "sku code": f"B{middle:05d}",
        "no search": "",
    }


def build(app, stores: int, skus: int) -> int:
    """The chain's data; returns the measured store's id."""
    with app.app_context():
        db.drop_all()
        db.create_all()
        began = time.perf_counter()
        store = make_catalogue(skus, on_hand=40)
        stock.ensure_locations()
        source = stock.shelf(store)
        supplier = stock.location(Usage.SUPPLIER)
        for number in range(1, stores):
            other = save_store(None, code=f"BENCH{number:03d}", name=f"压测店 {number:03d}")
            shelf = stock.shelf(other)
            db.session.execute(insert(StockLevel).from_select(
                ["location_id", "sku_id", "lot_id", "on_hand", "reserved"],
                select(literal(shelf.id), StockLevel.sku_id, StockLevel.lot_id, StockLevel.on_hand,
                       StockLevel.reserved).where(StockLevel.location_id == source.id)))
            db.session.execute(insert(StockMove).from_select(
                ["sku_id", "from_location_id", "to_location_id", "quantity", "unit_cost", "reason",
                 "document_type", "document_id", "created_at"],
                select(StockLevel.sku_id, literal(supplier.id), literal(shelf.id), StockLevel.on_hand,
                       literal(200), literal("receipt"), literal("opening"), literal("BENCH"),
                       literal(utcnow())).where(StockLevel.location_id == source.id)))
            if number % 20 == 0:
                db.session.commit()
                print(f"  {number + 1} stores stocked, {time.perf_counter() - began:.0f} s", flush=True)
        _sales_and_rules(store, skus)
        save_user(None, username="bench-admin", display_name="", role=Role.HQ_ADMIN, stores=[],
                  password=PASSWORD)
        db.session.commit()
        levels = db.session.scalar(text("SELECT count(*) FROM stock_levels"))
        print(f"  data: {stores} stores × {skus:,} SKUs = {levels:,} stock levels "
              f"in {time.perf_counter() - began:.0f} s", flush=True)
        return store.id


def _sales_and_rules(store: Store, skus: int) -> None:
    """A week of till sales (one SKU in five, moves and levels together) and warning lines."""
    shelf, customer = stock.shelf(store), stock.location(Usage.CUSTOMER)
    now = utcnow()
    sold = range(1, skus + 1, 5)
    for start in range(0, len(sold), 2000):
        chunk = sold[start:start + 2000]
        db.session.execute(insert(StockMove), [
            {"sku_id": sku_id, "from_location_id": shelf.id, "to_location_id": customer.id,
             "quantity": Decimal(3), "unit_cost": Decimal("2.00"), "reason": "sale", "document_type": "sale",
             "document_id": f"BENCH-{sku_id}", "created_at": now - timedelta(days=sku_id % 7)}
            for sku_id in chunk])
        db.session.execute(
            StockLevel.__table__.update()
            .where(StockLevel.location_id == shelf.id, StockLevel.sku_id.in_(list(chunk)))
            .values(on_hand=StockLevel.on_hand - Decimal(3)))
    db.session.execute(insert(StockRule), [
        {"store_id": store.id, "sku_id": sku_id, "warning_qty": Decimal(30 + sku_id % 20)}
        for sku_id in range(1, skus + 1, 3)])


def measure(app, store_id: int, skus: int, rounds: int) -> dict[str, list[float]]:
    client = app.test_client()
    response = client.post("/login", data={"username": "bench-admin", "password": PASSWORD})
    assert response.status_code == 303, response.status_code
    timings: dict[str, list[float]] = {}
    for label, query in searches(skus).items():
        for kind, headers in (("page", {}), ("fragment", {"HX-Request": "true"})):
            url = f"/stock/stores/{store_id}" + (f"?q={query}" if query else "")
            client.get(url, headers=headers)  # warm: caches, compiled statements
            spent = []
            for _ in range(rounds):
                began = time.perf_counter()
                response = client.get(url, headers=headers)
                spent.append(time.perf_counter() - began)
                assert response.status_code == 200, response.status_code
            timings[f"{label}, {kind}"] = spent
    for label, url in (("alert badge", f"/stock/stores/{store_id}/alerts/badge"),
                       ("alerts page", f"/stock/stores/{store_id}/alerts")):
        spent = []
        for _ in range(max(5, rounds // 4)):
            began = time.perf_counter()
            assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
            spent.append(time.perf_counter() - began)
        timings[label] = spent
    return timings


def bench(url: str, label: str, stores: int, skus: int, rounds: int) -> None:
    options = {"pool_size": 5} if url.startswith("postgresql") else {}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "SQLALCHEMY_ENGINE_OPTIONS": options})
    print(f"{label}: building…", flush=True)
    store_id = build(app, stores, skus)
    with app.app_context():  # fresh statistics, as after a nightly ANALYZE
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    timings = measure(app, store_id, skus, rounds)
    print(f"{label}: stock overview of one store, {stores} stores × {skus:,} SKUs, {rounds} requests each")
    every = []
    for name, spent in timings.items():
        if not name.startswith("alert"):
            every += spent
        print(f"  {name:<22} p50 {_ms(spent, 50):>6} ms   p95 {_ms(spent, 95):>6} ms")
    print(f"  {'all overview requests':<22} p50 {_ms(every, 50):>6} ms   p95 {_ms(every, 95):>6} ms")
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _ms(values, percentile):
    return f"{statistics.quantiles(values, n=100, method='inclusive')[percentile - 1] * 1000:.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", type=int, default=120)
    parser.add_argument("--skus", type=int, default=26000)
    parser.add_argument("--rounds", type=int, default=40, help="requests per search and kind")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    args = parser.parse_args()
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            bench(f"sqlite:///{folder}/bench.db", "SQLite", args.stores, args.skus, args.rounds)
    if args.only != "sqlite" and os.environ.get("TEST_DATABASE_URL"):
        bench(os.environ["TEST_DATABASE_URL"], "PostgreSQL", args.stores, args.skus, args.rounds)


if __name__ == "__main__":
    main()
