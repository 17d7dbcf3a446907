"""The promotion engine's speed, the till's scan with 200 running promotions, and the margin simulation.

    .venv/bin/python -m bench.bench_promotions            (SQLite file)
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_promotions   (the till part on PostgreSQL too)

Prints:
1. pricing a basket in-process (the rule book's lookup + the engine, what ``price_cart`` does after its
   two small queries): 30 lines against 200 rules (target p95 ≤ 2 ms), 100 lines against 500 rules
   (target p95 ≤ 10 ms), wall clock and CPU time, after a warm-up, with and without gc.freeze(). Rules: 5% on every item, 45% on 1–3 of 60 categories, 50% on 5–30 SKUs, of every
   template; lines from a 5,000-SKU catalogue.
2. the till's add-by-barcode p95 through the real view with 200 active promotions (target ≤ 25 ms).
3. the margin simulation of one promotion over 100,000 past baskets (target ≤ 10 s on SQLite).
"""
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert  # noqa: E402

from bench import bench_till  # noqa: E402
from bench.data import make_catalogue  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.auth.models import Role  # noqa: E402
from webapp.auth.services import save_user  # noqa: E402
from webapp.clock import utcnow  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.pos import services as pos  # noqa: E402
from webapp.promotions import engine, simulation  # noqa: E402
from webapp.promotions.engine import Context, Item, Rule, RuleBook, Tier  # noqa: E402
from webapp.promotions.models import Promotion  # noqa: E402
from webapp.sales.models import Order, OrderLine  # noqa: E402

CATEGORIES = bench_till.CATEGORIES
WARM_UP, BASKETS = 200, 2000
OFFSET = 1_000_000  # the simulated past orders' ids, clear of the till's
KINDS = ("threshold", "percent", "fixed_price", "nth_item", "buy_get", "bundle")


def random_rule(rng: random.Random, rule_id: int, skus: int) -> Rule:
    kind = rng.choice(KINDS)
    roll = rng.random()
    scope = {"everything": roll < 0.05}
    if 0.05 <= roll < 0.5:
        scope["categories"] = frozenset(rng.sample(range(1, CATEGORIES + 1), rng.randint(1, 3)))
    elif roll >= 0.5:
        scope["skus"] = frozenset(rng.sample(range(1, skus + 1), rng.randint(5, 30)))
    figures = {
        "threshold": {"tiers": (Tier(Decimal(100), Decimal(10)), Tier(Decimal(200), Decimal(30))),
                      "repeat": rng.random() < 0.3},
        "percent": {"percent": Decimal(rng.choice((10, 15, 20, 30)))},
        "fixed_price": {"price": Decimal("1.99")},
        "nth_item": {"nth": 2, "percent": Decimal(50)},
        "buy_get": {"buy": 2, "free": 1},
        "bundle": {"bundle": ((rng.randint(1, skus), 1), (rng.randint(1, skus), 1)),
                   "bundle_price": Decimal("5.00")},
    }[kind]
    return Rule(id=rule_id, name=f"促销{rule_id}", kind=kind, stackable=rng.random() < 0.15,
                exclusive=rng.random() < 0.05, priority=rng.randint(0, 3),
                margin_floor=Decimal(10) if rng.random() < 0.3 else None, **scope, **figures)


def engine_figures() -> None:
    """Each basket's items made before the clock starts (fresh ones: the engine keeps an item's figures on it);
    the first WARM_UP baskets not counted; wall clock and CPU time (process_time) per basket; once as the
    process is, once with the rule book frozen out of the garbage collector's reach (gc.freeze)."""
    skus = 5000
    rng = random.Random(12)
    catalogue = {n: (Decimal(rng.randint(100, 9900)) / 100, (n % CATEGORIES) + 1) for n in range(1, skus + 1)}
    context = Context(store_id=1, channel="pos", at=datetime(2026, 12, 7, 3), local=datetime(2026, 12, 7, 11))
    for lines, rule_count, target in ((30, 200, 2), (100, 500, 10)):
        book = RuleBook(random_rule(rng, i, skus) for i in range(1, rule_count + 1))
        baskets = []
        for _ in range(WARM_UP + BASKETS):
            basket = []
            for sku in rng.sample(range(1, skus + 1), lines):
                price, category = catalogue[sku]
                basket.append((sku, sku, category, Decimal(rng.randint(1, 4)), price,
                               (price * Decimal("0.7")).quantize(Decimal("0.01"))))
            baskets.append(basket)
        for frozen in (False, True):
            gc.collect()
            if frozen:
                gc.freeze()
            timings, cpu, touching = [], [], []
            for number, basket in enumerate(baskets):
                items = [Item(*line) for line in basket]
                began, began_cpu = time.perf_counter(), time.process_time()
                found = book.touching(items)
                engine.price(items, found, context, book)  # as price_cart does: the cached book
                if number >= WARM_UP:
                    timings.append(time.perf_counter() - began)
                    cpu.append(time.process_time() - began_cpu)
                    touching.append(len(found))
            if frozen:
                gc.unfreeze()
            cuts, cpu_cuts = statistics.quantiles(timings, n=100), statistics.quantiles(cpu, n=100)
            print(f"engine{' (gc.freeze)' if frozen else ''}: {lines} lines × {rule_count} rules "
                  f"({statistics.mean(touching):.0f} touch a basket on average), {BASKETS} baskets after "
                  f"{WARM_UP} to warm up: wall p50 {cuts[49] * 1000:.2f} ms, p95 {cuts[94] * 1000:.2f} ms, "
                  f"p99 {cuts[98] * 1000:.2f} ms; CPU p50 {cpu_cuts[49] * 1000:.2f} ms, p95 "
                  f"{cpu_cuts[94] * 1000:.2f} ms (target p95 ≤ {target} ms); load {os.getloadavg()[0]:.1f} on "
                  f"{os.cpu_count()} cores")


def database_figures(url: str, label: str, baskets: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        store = make_catalogue(bench_till.SKUS)
        bench_till.add_promotions(200)
        cashier = save_user(None, username="bench", display_name="", role=Role.CASHIER, stores=[store],
                            password="bench-pass-1")
        register = pos.save_register(None, store=store, name="1号收银台")
        pos.open_shift(register, cashier, "0")
        db.session.commit()
        print(f"{label}: 200 active promotions over {bench_till.SKUS:,} SKUs in {CATEGORIES} categories")
        if os.environ.get("BENCH_TILL", "1") != "0":
            bench_till.scans(app, label + " with 200 promotions", register.id)
        if baskets:
            simulation_figures(label, store, baskets)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def simulation_figures(label: str, store, baskets: int) -> None:
    rng = random.Random(9)
    began = time.perf_counter()
    now = utcnow()
    for start in range(0, baskets, 5000):
        numbers = range(start, min(start + 5000, baskets))
        orders, lines = [], []
        for n in numbers:
            moment = now - timedelta(minutes=rng.randint(5, 29 * 24 * 60))
            orders.append({"id": OFFSET + n, "number": f"SIM-{n:07d}", "channel": "pos", "kind": "sale",
                           "status": "completed", "store_id": store.id, "subtotal": Decimal(0),
                           "discount": Decimal(0), "order_discount": Decimal(0), "total": Decimal(0),
                           "created_at": moment, "completed_at": moment})
            for sku in rng.sample(range(1, bench_till.SKUS + 1), rng.randint(1, 6)):
                lines.append({"order_id": OFFSET + n, "sku_id": sku, "quantity": Decimal(rng.randint(1, 3)),
                              "unit_price": Decimal("3.50"), "regular_price": Decimal("3.50"),
                              "priced_amount": Decimal("3.50"), "line_discount": Decimal(0),
                              "order_discount_share": Decimal(0), "amount": Decimal("3.50"),
                              "unit_cost": Decimal("2.00")})
        db.session.execute(insert(Order), orders)
        db.session.execute(insert(OrderLine), lines)
    db.session.commit()
    print(f"{label}: {baskets:,} past baskets written in {time.perf_counter() - began:.1f} s")
    promotion = Promotion(name="满10减1", kind="threshold", status="draft", params={"tiers": [["10", "1"]]},
                          everything=True, sku_ids=[], product_ids=[], category_ids=[], store_ids=[], channels=[],
                          weekdays=[])
    db.session.add(promotion)
    db.session.commit()
    reports = []
    began, cpu = time.perf_counter(), time.process_time()
    result = simulation.replay(promotion, [store.id], days=30, floor=Decimal(10), progress=reports.append)
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    print(f"{label}: simulating 满10减1 (with 200 other promotions running) over {result['baskets']:,} baskets "
          f"({result['touched']:,} touched): {took:.1f} s, {cpu:.1f} s of CPU (target ≤ 10 s); "
          f"{len(reports)} progress reports; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":  # BENCH_ENGINE=0 / BENCH_TILL=0: leave that part out; BENCH_ENGINE_ONLY=1: only it
    if os.environ.get("BENCH_ENGINE", "1") != "0":
        engine_figures()
    if os.environ.get("BENCH_ENGINE_ONLY"):
        sys.exit()
    baskets = int(os.environ.get("BENCH_BASKETS", "100000"))
    if os.environ.get("TEST_DATABASE_URL"):
        database_figures(os.environ["TEST_DATABASE_URL"], "PostgreSQL", 0)
    with tempfile.TemporaryDirectory() as folder:
        database_figures(f"sqlite:///{folder}/bench.db", "SQLite", baskets)
