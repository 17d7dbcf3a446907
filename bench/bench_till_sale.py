"""A till sale and a pickup hand-over, request by request: SQL statements and app CPU (SQLite file; PostgreSQL
too when TEST_DATABASE_URL is set).

    .venv/bin/python -m bench.bench_till_sale
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_till_sale
    BENCH_SQLITE=0 scripts/with-postgres.sh …         (PostgreSQL only)
    BENCH_PROFILE="till: pay (cash)" …                 (cProfile that request: the top 25 by own time)
    BENCH_STATEMENTS=1 …                               (print each request's statements once)

The peak day's two till journeys (``bench/peak_day.py``: ``till_sale``, ``hand_over``), through the real
views in-process (no network, no gunicorn), on a 26,000-SKU catalogue: a sale opens the till page, scans 3
barcodes, opens the pay panel, pays by WeChat Pay or cash (alternately) and opens the receipt; a pickup order (placed and paid
online) is started and made ready by the store, its pickup code scanned at the till and handed over. For each
request: the statements it executes (median) and its CPU time (``process_time``, median and p95: what the
machine's other load does not add), wall clock beside it, over ROUNDS journeys after WARM_UP.
"""
import cProfile
import os
import pstats
import random
import statistics
import tempfile
import time
import traceback
import uuid
from collections import defaultdict

from sqlalchemy import event, select

from bench.data import barcode_of, make_catalogue
from webapp import create_app
from webapp.auth.models import Role, User
from webapp.auth.services import save_user
from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.pos import services as pos
from webapp.sales.online import services as online
from webapp.stores.models import Store

SKUS = 26_000
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "60"))
WARM_UP = 10
WECHAT_CODE = "134567890123450001"  # the sandbox's "succeeded"
HX = {"HX-Request": "true"}
PROFILE = os.environ.get("BENCH_PROFILE", "")
SHOW_STATEMENTS = os.environ.get("BENCH_STATEMENTS") == "1"
TRACE = os.environ.get("BENCH_TRACE", "")  # "request name|words": where that request executes statements with the words


class ServerClock:
    """PostgreSQL's CPU time: its postmaster and every process it started (backends, WAL writer …), read from
    /proc in clock ticks. Per request it is too coarse (10 ms ticks); summed over a journey's requests it
    gives the average the report prints. Absent on SQLite (the database works in the app's process)."""

    def __init__(self, engine):
        self.postmaster = None
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            self.postmaster = _parent(backend)

    def __call__(self) -> float:
        if self.postmaster is None:
            return 0.0
        ticks = 0
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if entry == str(self.postmaster) or fields[1] == str(self.postmaster):
                    ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


class Meter:
    """Each request's statements, CPU and wall time, by the request's name."""

    def __init__(self, engine, client):
        self.engine, self.client = engine, client
        self.statements: dict[str, list[int]] = defaultdict(list)
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.wall: dict[str, list[float]] = defaultdict(list)
        self.shown: set[str] = set()
        self.server = ServerClock(engine)
        self.server_cpu: dict[str, float] = defaultdict(float)
        self.counting = True
        self.profile = cProfile.Profile() if PROFILE else None

    def request(self, name: str, method: str, path: str, data=None, *, expect=(200,), htmx=True):
        seen: list[str] = []

        def count(_conn, _cursor, statement, *_args):
            seen.append(" ".join(statement.split()))
            if TRACE and self.counting and TRACE.split("|")[0] == name and TRACE.split("|")[1] in statement:
                print(f"  {name}: {seen[-1][:100]}")
                for frame in traceback.extract_stack():
                    if "/webapp/" in frame.filename or "/templates/" in frame.filename:
                        print(f"      {frame.filename.split('/wt-tillpath/')[-1]}:{frame.lineno} {frame.name}")

        profiling = self.profile is not None and self.counting and name == PROFILE
        event.listen(self.engine, "before_cursor_execute", count)
        began_server = self.server()
        began, began_cpu = time.perf_counter(), time.process_time()
        if profiling:
            self.profile.enable()
        response = self.client.open(path, method=method, data=data, headers=HX if htmx else {})
        if profiling:
            self.profile.disable()
        cpu, wall = time.process_time() - began_cpu, time.perf_counter() - began
        server = self.server() - began_server
        event.remove(self.engine, "before_cursor_execute", count)
        body = response.get_data(as_text=True)
        assert response.status_code in expect, (name, response.status_code, body[:300])
        if self.counting:
            self.statements[name].append(len(seen))
            self.cpu[name].append(cpu)
            self.wall[name].append(wall)
            self.server_cpu[name] += server
            if SHOW_STATEMENTS and name not in self.shown:
                self.shown.add(name)
                print(f"  {name}: {len(seen)} statements")
                for statement in seen:
                    print("      " + statement[:int(os.environ.get("BENCH_WIDTH", "150"))])
        return response, body

    def report(self, label: str) -> None:
        print(f"{label}: per request, median of {ROUNDS} (CPU = process_time of the app, in-process)")
        server = self.server.postmaster is not None
        print(f"  {'request':<28}{'statements':>11}{'CPU p50':>10}{'CPU p95':>10}{'wall p50':>10}"
              + (f"{'PostgreSQL CPU (mean)':>23}" if server else ""))
        for journey, names in (("till sale", TILL_SALE), ("pickup hand-over", HAND_OVER)):
            cpu_total = statements_total = server_total = 0.0
            for name in names:
                if name not in self.cpu:
                    continue
                cpu = sorted(self.cpu[name])
                p50, p95 = statistics.median(cpu), cpu[min(len(cpu) - 1, int(len(cpu) * 0.95))]
                statements = statistics.median(self.statements[name])
                times = 3 if name == "till: scan" else (0.5 if name.startswith("till: pay") else 1)
                mean_server = self.server_cpu[name] / len(self.cpu[name])
                cpu_total += p50 * times
                statements_total += statements * times
                server_total += mean_server * times
                print(f"  {name:<28}{statements:>11.0f}{p50 * 1000:>8.2f}ms{p95 * 1000:>8.2f}ms"
                      f"{statistics.median(self.wall[name]) * 1000:>8.2f}ms"
                      + (f"{mean_server * 1000:>21.2f}ms" if server else ""))
            print(f"  = {journey}: {statements_total:.0f} statements, app CPU {cpu_total * 1000:.1f} ms"
                  + (f", PostgreSQL CPU {server_total * 1000:.1f} ms" if server else "")
                  + (" (3 scans, the pay panel, pay by WeChat Pay or cash)" if journey == "till sale" else ""))
        floor = sorted(self.cpu[FLOOR])
        print(f"  (every request's floor — {FLOOR}: {statistics.median(self.statements[FLOOR]):.0f} statements, "
              f"CPU p50 {statistics.median(floor) * 1000:.2f} ms: the session, the user, the hooks)")
        print(f"  load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        if self.profile is not None:
            print(f"  cProfile of “{PROFILE}” ({len(self.cpu[PROFILE])} requests), by own time:")
            pstats.Stats(self.profile).sort_stats("tottime").print_stats(25)
            pstats.Stats(self.profile).sort_stats("cumulative").print_stats(40)


TILL_SALE = ("till: page", "till: scan", "till: pay panel", "till: pay (WeChat Pay)", "till: pay (cash)",
             "till: receipt")
HAND_OVER = ("fulfil: start", "fulfil: ready", "pickup: scan code", "pickup: hand over")
FLOOR = "floor: empty search"  # a signed-in request that reads the register and renders nothing: every request's cost


def main(url: str, label: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        began = time.perf_counter()
        store = make_catalogue(SKUS)
        store.online_pickup = True
        register = pos.save_register(None, store=store, name="1号收银台")
        cashier = save_user(None, username="bench", display_name="", role=Role.CASHIER, stores=[store],
                            password="bench-pass-1")
        pos.open_shift(register, cashier, "0")
        customer = save_user(None, username="buyer", display_name="", role=Role.CUSTOMER, stores=[],
                             password="bench-pass-1", phone="13900000001")
        db.session.commit()
        pickups = place_pickups(store, customer, ROUNDS + WARM_UP)
        ids = store.id, register.id
        print(f"{label}: {SKUS:,} SKUs and {len(pickups)} paid pickup orders made in "
              f"{time.perf_counter() - began:.1f} s")
        engine = db.engine
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-pass-1"})
    meter = Meter(engine, client)
    rng = random.Random(7)
    for round_ in range(ROUNDS + WARM_UP):
        meter.counting = round_ >= WARM_UP
        till_sale(meter, ids, rng, wechat=round_ % 2 == 0)
        hand_over(meter, ids, pickups[round_])
    meter.report(label)
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def place_pickups(store: Store, customer: User, count: int) -> list[tuple[int, str]]:
    """Pickup orders of 3 lines each, placed and paid online as the shop does it."""
    skus = db.session.scalars(select(SKU).where(SKU.id > SKUS - 500).order_by(SKU.id)).all()
    made = []
    for n in range(count):
        order = online.place_order(store, customer, [(skus[(3 * n + k) % len(skus)], 1) for k in range(3)],
                                   phone=customer.phone, checkout_key=f"bench-{n}")
        online.pay(order, "wechat", WECHAT_CODE)
        made.append((order.id, order.pickup_code))
    db.session.commit()
    return made


def till_sale(meter: Meter, ids: tuple[int, int], rng: random.Random, *, wechat: bool) -> None:
    _store, register = ids
    meter.request("till: page", "GET", f"/pos/registers/{register}", htmx=False)
    order_id = None
    for _ in range(3):
        _r, page = meter.request("till: scan", "POST", f"/pos/registers/{register}/scan",
                                 {"code": barcode_of(rng.randrange(SKUS - 500))})
        order_id = page.split("/pos/orders/")[1].split("/")[0]
    meter.request("till: pay panel", "GET", f"/pos/orders/{order_id}/pay")
    form = {"client_uuid": str(uuid.uuid4())}
    if wechat:
        form["payment_code"] = WECHAT_CODE
    else:
        form["cash"] = "50"
    name = "till: pay (WeChat Pay)" if wechat else "till: pay (cash)"
    response, _p = meter.request(name, "POST", f"/pos/orders/{order_id}/pay", form, expect=(204,))
    meter.request("till: receipt", "GET", response.headers["HX-Redirect"], htmx=False)
    meter.request(FLOOR, "GET", f"/pos/registers/{register}/search?q=")


def hand_over(meter: Meter, ids: tuple[int, int], pickup: tuple[int, str]) -> None:
    store, register = ids
    online_id, code = pickup
    for step in ("start", "ready"):
        meter.request(f"fulfil: {step}", "POST", f"/fulfil/stores/{store}/orders/{online_id}/{step}", {},
                      expect=(200, 204, 303))
    meter.request("pickup: scan code", "POST", f"/pos/registers/{register}/scan", {"code": code})
    _r, page = meter.request("pickup: hand over", "POST", f"/pos/registers/{register}/pickups/{online_id}/hand-over",
                             {"client_uuid": str(uuid.uuid4())})
    assert "hand-over" not in page or "已交付" in page or "handed" in page.lower(), page[:300]


if __name__ == "__main__":
    if os.environ.get("BENCH_SQLITE", "1") != "0":
        with tempfile.TemporaryDirectory() as folder:
            main(f"sqlite:///{folder}/till.db", "SQLite")
    if os.environ.get("TEST_DATABASE_URL"):
        main(os.environ["TEST_DATABASE_URL"], "PostgreSQL")
