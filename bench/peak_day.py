"""The seed case's peak day, replayed through the real HTTP endpoints against gunicorn and PostgreSQL.

    .venv/bin/python -m bench.peak_day                     # 35,000 orders, 8 clients, 2 gunicorn workers
    .venv/bin/python -m bench.peak_day --orders 2000       # a quick run
    .venv/bin/python -m bench.peak_day --orders 5000 --clients 12 --workers 3 --threads 1 --history 1000000
    .venv/bin/python -m bench.peak_day --orders 300 --history 5000 --pgbouncer   # through PgBouncer

What it does:
- starts a throwaway PostgreSQL cluster with production durability (fsync on, synchronous_commit on,
  full_page_writes on) and pg_stat_statements; fills it with ``bench.generate`` (120 stores,
  26,000 SKUs, ``--history`` order lines of the past year), gives every store a position, pickup and
  delivery, a morning delivery of its hot SKUs, and cashiers (one register and open shift each);
- serves the app with gunicorn (``--workers`` sync processes, ``--threads`` each); with ``--pgbouncer``
  through a throwaway PgBouncer in transaction pooling (``DATABASE_POOLER=pgbouncer``);
- ``--clients`` threads replay ``--orders`` orders like browsers do (cookies, CSRF tokens read from
  the pages, htmx headers on the till's posts): 60 % till sales (about 3 scans, paid by WeChat Pay
  or cash, the receipt opened), 40 % online (half pickup, half delivery: three adds to the cart, the
  fulfilment choice, the checkout page, the checkout, paying at the wallet's cashier — the sandbox's,
  served by the app, its notification handled in the same request — and the order page); each pickup order is later
  started, made ready and handed over at its store's till (pickup code scanned);
- prints progress, then orders/s, the time the day took, p50/p95/p99 per endpoint, SQL statements
  and transactions per order (pg_stat_statements, pg_stat_database), CPU per order for gunicorn and
  for PostgreSQL (/proc), and checks the day: no online reservation beyond stock, every level equal
  to its moves, every reservation accounted for, every completed sale paid in full.

Lines are picked with a skew (a few SKUs of each store sell most: contention on their stock rows).
"""
import argparse
import html
import http.client
import os
import random
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict, deque
from decimal import Decimal
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from sqlalchemy import insert, select, text

from bench import generate
from bench.cluster import Cluster, PgBouncer, free_port, process_tree_cpu

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "peak-day-1"
HOT = 40  # each store's SKUs that sell most
WECHAT_CODE = "134567890123450001"  # the sandbox's "succeeded"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# ---------------------------------------------------------------- the day's data


def prepare(url: str, history: int, stores: int, skus: int, cashiers: int, seed: str) -> dict:
    """The chain with its history, ready to trade; what the clients need to know (ids, barcodes)."""
    from werkzeug.security import generate_password_hash

    from webapp import create_app
    from webapp.auth.models import Role, User, staff_stores
    from webapp.catalog.models import Barcode
    from webapp.extensions import db
    from webapp.pos import services as pos
    from webapp.stock.models import Location, StockLevel, Usage
    from webapp.stores.models import Store

    rng = random.Random(seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        generate.prepare(replace=True)
        generate.generate(history, stores, skus, rng)
        for store in db.session.scalars(select(Store)):
            # a grid of stores about 2 km apart over the city; pickup and delivery everywhere
            store.latitude = 30.20 + 0.02 * (store.id % 12)
            store.longitude = 120.05 + 0.02 * (store.id // 12)
            store.online_pickup, store.delivery_radius_m, store.active = True, 3000, True
            store.delivery_fee, store.minimum_order = Decimal("3.00"), Decimal("0.00")
        shelves = {store_id: location_id for location_id, store_id in db.session.execute(
            select(Location.id, Location.store_id).where(Location.usage == Usage.INTERNAL.value))}
        supplier = db.session.scalar(select(Location.id).where(Location.usage == Usage.SUPPLIER.value))
        ranges: dict[int, list[int]] = defaultdict(list)
        for location_id, sku_id in db.session.execute(select(StockLevel.location_id, StockLevel.sku_id)
                                                      .order_by(StockLevel.location_id, StockLevel.sku_id)):
            ranges[location_id].append(sku_id)
        hot = {}
        for store_id, location_id in shelves.items():
            hot[store_id] = rng.sample(ranges[location_id], HOT)
        # The morning delivery: every hot SKU gets 60 more (a receipt move and its level, as the ledger wants).
        now = generate.utcnow()
        moves = [generate.move(sku_id, supplier, shelves[store_id], Decimal(60), Decimal("5.00"), "receipt",
                               f"PEAK-{store_id}", now) for store_id, skus_ in hot.items() for sku_id in skus_]
        generate.bulk(generate.StockMove, moves)
        for store_id, skus_ in hot.items():
            db.session.execute(text("UPDATE stock_levels SET on_hand = on_hand + 60000 "
                                    "WHERE location_id = :l AND sku_id = ANY(:s)"),
                               {"l": shelves[store_id], "s": skus_})
        in_stock = defaultdict(list)
        for location_id, sku_id in db.session.execute(select(StockLevel.location_id, StockLevel.sku_id)
                                                      .where(StockLevel.on_hand > 0)):
            in_stock[location_id].append(sku_id)
        barcodes = {sku_id: code for sku_id, code in db.session.execute(select(Barcode.sku_id, Barcode.code))}
        password = generate_password_hash(PASSWORD)
        tills = []
        for store in db.session.scalars(select(Store).order_by(Store.id)):
            for n in range(cashiers):
                user = User(username=f"peak-{store.code}-{n}", display_name=f"收银员 {n}", role=Role.CASHIER.value,
                            password_hash=password, active=True)
                db.session.add(user)
                db.session.flush()
                db.session.execute(insert(staff_stores).values(user_id=user.id, store_id=store.id))
                db.session.expire(user, ["stores"])
                register = pos.save_register(None, store=store, name=f"{n + 1}号收银台")
                pos.open_shift(register, user, "200")
                tills.append({"store_id": store.id, "register_id": register.id, "username": user.username})
        db.session.commit()
        with db.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
        stores_ = sorted(shelves)
        return {
            "stores": stores_, "tills": tills,
            "position": {s.id: (s.latitude, s.longitude) for s in db.session.scalars(select(Store))},
            "hot": {s: [barcodes[k] for k in hot[s]] for s in stores_},
            "range": {s: [barcodes[k] for k in ranges[shelves[s]]] for s in stores_},
            "hot_ids": hot, "in_stock": {s: in_stock[shelves[s]] for s in stores_},
        }


# ---------------------------------------------------------------- a browser


class Browser:
    """Cookies and the CSRF token, one connection per request (gunicorn's sync workers close it)."""

    def __init__(self, port: int, timings: dict):
        self.port, self.cookies, self.token, self.timings = port, {}, "", timings

    def request(self, endpoint: str, method: str, path: str, form: dict | None = None, htmx: bool = False,
                expect=(200,)) -> tuple[int, str, dict]:
        headers = {"Accept-Language": "zh-CN"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
        body = None
        if form is not None:
            form = {**form, "csrf_token": self.token}
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            page = response.read().decode(errors="replace")
        finally:
            connection.close()
        self.timings[endpoint].append(time.perf_counter() - began)
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        if (found := CSRF.search(page)) is not None:
            self.token = found.group(1)
        if response.status not in expect:
            raise Unexpected(endpoint, response.status, page)
        return response.status, page, dict(response.headers)


class Unexpected(Exception):
    def __init__(self, endpoint, status, page):
        text_ = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))[:300]
        super().__init__(f"{endpoint}: HTTP {status}: {text_}")
        self.endpoint, self.status = endpoint, status


# ---------------------------------------------------------------- the clients


class Day:
    """The day's jobs and what came of them, shared by the client threads."""

    def __init__(self, data: dict, orders: int, clients: int, port: int, seed: str):
        self.data, self.port, self.orders = data, port, orders
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.outcomes: dict[str, int] = defaultdict(int)
        self.errors: list[str] = []
        self.lock = threading.Lock()
        rng = random.Random(seed + "-jobs")
        kinds = rng.choices(["till", "pickup", "delivery"], [60, 20, 20], k=orders)
        # each client owns the tills of some stores; till sales go to a client's own tills
        self.tills_of = [data["tills"][i::clients] for i in range(clients)]
        self.owner = {}
        for client, tills in enumerate(self.tills_of):
            for till in tills:
                self.owner.setdefault(till["store_id"], client)
        self.jobs = deque(kinds)
        self.handovers = [deque() for _ in range(clients)]
        self.done = 0
        self.ready = threading.Barrier(clients + 1)  # the clients' cashiers signed in, and the clock
        self.placed = threading.Barrier(clients)  # every order placed: every pickup is queued to its store

    def take(self):
        with self.lock:
            return self.jobs.popleft() if self.jobs else None

    def count(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1
            if outcome in ("till sale", "online order", "online sold out"):
                self.done += 1


def pick(rng: random.Random, hot: list, wide: list, count: int) -> list:
    """Lines as a store sells them: 60 % from its few hot SKUs, the rest from its whole range."""
    found = []
    while len(found) < count:
        code = rng.choice(hot) if rng.random() < 0.6 else rng.choice(wide)
        if code not in found:
            found.append(code)
    return found


def client(day: Day, number: int, seed: str) -> None:
    rng = random.Random(f"{seed}-{number}")
    registers = []
    for till in day.tills_of[number]:
        browser = Browser(day.port, day.timings)
        browser.request("login page", "GET", "/login")
        browser.request("login", "POST", "/login", {"username": till["username"], "password": PASSWORD},
                        expect=(303,))
        browser.request("till page", "GET", f"/pos/registers/{till['register_id']}")
        registers.append((till, browser))
    day.ready.wait()  # every till signed in: the day's clock starts
    by_store = {till["store_id"]: (till, browser) for till, browser in registers}
    while (kind := day.take()) is not None:
        if kind == "till":
            till, browser = rng.choice(registers)
            handovers = day.handovers[number]
            if handovers and rng.random() < 0.5:  # between two customers, a pickup customer at the counter
                store_id, token = handovers.popleft()
                attempt(day, None, hand_over, day, *by_store[store_id][::-1], token)
            attempt(day, "till sale", till_sale, day, browser, till, rng)
        else:
            attempt(day, "online order", online_order, day, kind, rng)
    day.placed.wait()  # another client's last pickup order may still be on its way to this client's store
    while day.handovers[number]:  # what is left to hand over at this client's stores
        store_id, token = day.handovers[number].popleft()
        attempt(day, None, hand_over, day, *by_store[store_id][::-1], token)


def attempt(day: Day, kind: str | None, job, *args) -> None:
    """Run one job; an unexpected answer is counted (and the order with it, as done)."""
    try:
        job(*args)
    except Unexpected as e:
        with day.lock:
            day.errors.append(str(e))
        day.count(f"error at {e.endpoint}")
        if kind:
            day.count(kind)


def till_sale(day: Day, browser: Browser, till: dict, rng: random.Random) -> None:
    store = till["store_id"]
    count = rng.choice((1, 2, 3, 3, 3, 4, 5))
    order_id = None
    for code in pick(rng, day.data["hot"][store], day.data["range"][store], count):
        _status, page, _h = browser.request("till: scan", "POST", f"/pos/registers/{till['register_id']}/scan",
                                            {"code": code}, htmx=True)
        order_id = re.search(r"/pos/orders/(\d+)/", page).group(1)
    form = {"client_uuid": str(uuid.uuid4())}
    if rng.random() < 0.6:
        form["payment_code"] = WECHAT_CODE
    else:
        form["cash"] = "1000"
    _s, _p, headers = browser.request("till: pay", "POST", f"/pos/orders/{order_id}/pay", form, htmx=True,
                                      expect=(204,))
    browser.request("till: receipt", "GET", headers["HX-Redirect"])
    day.count("till sale")


def online_order(day: Day, kind: str, rng: random.Random) -> None:
    browser = Browser(day.port, day.timings)
    stores = day.data["stores"]
    store = rng.choice(stores)
    browser.request("shop: home", "GET", "/shop/")
    ids = day.data["in_stock"][store]
    hot = [s for s in day.data["hot_ids"][store]]
    for sku in pick(rng, hot, ids, rng.choice((2, 3, 3, 4))):
        browser.request("shop: add to cart", "POST", "/shop/cart/add",
                        {"sku": sku, "quantity": "1", "next": "/shop/cart"}, expect=(303,))
    if kind == "pickup":
        choice = {"fulfilment": "pickup", "store": store}
    else:
        lat, lng = day.data["position"][store]
        choice = {"fulfilment": "delivery", "latitude": f"{lat + 0.004:.5f}", "longitude": f"{lng + 0.003:.5f}",
                  "address": "文三路 90 号 3 单元 501"}
    browser.request("shop: fulfilment", "POST", "/shop/cart/fulfilment", choice, expect=(303,))
    status, page, _h = browser.request("shop: checkout page", "GET", "/shop/checkout", expect=(200, 303))
    if status == 303:  # the cart cannot be fulfilled as it is (a delivery store lacks an item): the cart says why
        browser.request("shop: cart", "GET", "/shop/cart")
        day.count("online sold out")
        return
    form = {name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
            for name in ("checkout_key", "expected_due")}
    form.update(payment="wechat", payment_code=WECHAT_CODE, phone=f"139{rng.randrange(10 ** 8):08d}",
                contact_name="顾客")
    status, page, headers = browser.request("shop: checkout", "POST", "/shop/checkout", form, expect=(303, 409))
    if status == 409:
        day.count("online sold out")
        return
    location = headers["Location"]
    if "/shop/sandbox-pay" in location:  # the customer pays at the wallet's cashier (the sandbox's, served here)
        _s, cashier, _h = browser.request("wallet: cashier page", "GET", _path(location))
        fields = {name: html.unescape(value)
                  for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', cashier)
                  if name != "csrf_token"}
        _s, _p, headers = browser.request("wallet: pay (its notification too)", "POST", "/shop/sandbox-pay",
                                          {**fields, "action": "pay"}, expect=(303,))
        _s, _p, headers = browser.request("shop: back from paying", "GET", _path(headers["Location"]),
                                          expect=(303,))
        location = headers["Location"]
    browser.request("shop: order page", "GET", _path(location))
    day.count("online order")
    if kind == "pickup":
        token = _path(location).rsplit("/", 1)[1]
        day.count("pickup to hand over")
        owner = day.owner[store]
        day.handovers[owner].append((store, token))


def _path(location: str) -> str:
    """The path (and query) of a redirect's address, absolute or not."""
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def hand_over(day: Day, browser: Browser, till: dict, token: str) -> None:
    """The store picks the order (start, ready), then the till scans its pickup code and hands it over."""
    online_id, order_store, code = day.lookup(token)
    store = till["store_id"]
    for step in ("start", "ready"):
        browser.request(f"fulfil: {step}", "POST", f"/fulfil/stores/{store}/orders/{online_id}/{step}",
                        {}, htmx=True, expect=(200, 204, 303))
    browser.request("pickup: scan code", "POST", f"/pos/registers/{till['register_id']}/scan",
                    {"code": code}, htmx=True)
    browser.request("pickup: hand over", "POST",
                    f"/pos/registers/{till['register_id']}/pickups/{online_id}/hand-over",
                    {"client_uuid": str(uuid.uuid4())}, htmx=True)
    day.count("pickup handed over")


# ---------------------------------------------------------------- the run


def serve(url: str, workers: int, threads: int, pooled: dict | None = None) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "peak-day", "LOGIN_LIMIT": "100000 per minute",
           "PYTHONPATH": ROOT, "WEB_THREADS": str(threads), **(pooled or {})}  # WEB_THREADS: the pool as large
    # the production settings (scripts/gunicorn.conf.py: preloaded and warmed app, backlog, …), the
    # workers and threads as asked
    command = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-c", "scripts/gunicorn.conf.py",
               "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}",
               "--log-level", "warning", "webapp:create_app()"]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/shop/")
            connection.getresponse().read()
            return server, port
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


HEAVIEST = ("SELECT round(total_exec_time::numeric, 0) || ' | ' || calls || ' | ' "
            "|| round(mean_exec_time::numeric, 2) || ' | ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 110) "
            "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'huotong') "
            "ORDER BY total_exec_time DESC LIMIT 8")


def counters(pg: Cluster) -> dict:
    calls = pg.psql("huotong", "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
                               "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'huotong')")
    xacts, sessions = pg.psql("huotong", "SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database "
                                         "WHERE datname = 'huotong'").split("|")
    return {"statements": int(calls), "transactions": int(xacts), "sessions": int(sessions)}


def backends(pg: Cluster) -> int:
    """Client connections PostgreSQL has open to the day's database now."""
    return int(pg.psql("huotong", "SELECT count(*) FROM pg_stat_activity WHERE datname = 'huotong'"))


def last_order_id(url: str) -> int:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as c:
        found = c.execute(text("SELECT coalesce(max(id), 0) FROM orders")).scalar()
    engine.dispose()
    return found


def checks(url: str, first: int) -> dict:
    """The day's books: read straight from the database."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as c:
        one = lambda sql: c.execute(text(sql)).scalar()  # noqa: E731
        found = {
            # online never took more than the shelf had: a level holding more reserved than on hand
            # that no till sale touched today
            "levels reserving beyond stock (no till sale)": one(
                "SELECT count(*) FROM stock_levels l WHERE l.reserved > l.on_hand AND NOT EXISTS ("
                " SELECT 1 FROM stock_moves m WHERE m.from_location_id = l.location_id AND m.sku_id = l.sku_id"
                " AND m.reason = 'sale' AND m.created_at > now() - interval '1 hour')"),
            "levels not equal to their moves": one(
                "SELECT count(*) FROM stock_levels l LEFT JOIN ("
                " SELECT loc, sku_id, sum(q) AS q FROM ("
                "  SELECT to_location_id AS loc, sku_id, quantity AS q FROM stock_moves"
                "  UNION ALL SELECT from_location_id, sku_id, -quantity FROM stock_moves) x GROUP BY loc, sku_id"
                ") m ON m.loc = l.location_id AND m.sku_id = l.sku_id "
                "JOIN locations o ON o.id = l.location_id AND o.usage = 'internal' "
                "WHERE l.on_hand <> coalesce(m.q, 0)"),
            "levels whose reserved ≠ their active reservations": one(
                "SELECT count(*) FROM stock_levels l LEFT JOIN (SELECT level_id, sum(quantity) AS q "
                " FROM reservations WHERE status = 'active' GROUP BY level_id) r "
                " ON r.level_id = l.id WHERE l.reserved <> coalesce(r.q, 0)"),
            "completed sales of the day not paid in full": one(
                "SELECT count(*) FROM orders o LEFT JOIN online_orders oo ON oo.order_id = o.id "
                f"WHERE o.kind = 'sale' AND o.status = 'completed' AND o.id > {first} "
                " AND o.total + coalesce(oo.delivery_fee, 0) <> (SELECT coalesce(sum(p.amount), 0)"
                " FROM payments p WHERE p.order_id = o.id AND p.status = 'succeeded')"),
            "online orders of the day not paid": one(
                f"SELECT count(*) FROM online_orders WHERE paid_at IS NULL AND order_id > {first}"),
            "pickup orders of the day not handed over": one(
                "SELECT count(*) FROM online_orders WHERE fulfilment = 'pickup' AND status NOT IN "
                f"('handed_over', 'cancelled', 'expired') AND order_id > {first}"),
        }
        found["till sales completed"] = one(
            f"SELECT count(*) FROM orders WHERE channel = 'pos' AND status = 'completed' AND id > {first}")
        found["online orders placed"] = one(f"SELECT count(*) FROM online_orders WHERE order_id > {first}")
    engine.dispose()
    return found


def lookup_with(url: str):
    """What the store's screen shows the staff of an order (its id and six-digit pickup code)."""
    from sqlalchemy import create_engine

    engine = create_engine(url, pool_size=4)

    def lookup(token: str):
        with engine.connect() as c:
            return tuple(c.execute(text(
                "SELECT oo.id, o.store_id, oo.pickup_code FROM online_orders oo JOIN orders o ON o.id = oo.order_id "
                "WHERE oo.access_token = :t"), {"t": token}).one())
    return lookup


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--orders", type=int, default=35_000)
    p.add_argument("--clients", type=int, default=8, help="browsers at once (threads here)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker (scripts/gunicorn.conf.py: 8)")
    p.add_argument("--history", type=int, default=100_000, help="order lines of the past year (bench.generate)")
    p.add_argument("--stores", type=int, default=generate.STORES)
    p.add_argument("--skus", type=int, default=generate.SKUS)
    p.add_argument("--cashiers", type=int, default=2, help="tills per store")
    p.add_argument("--seed", default="peak-day")
    p.add_argument("--pgbouncer", action="store_true",
                   help="the app reaches PostgreSQL through PgBouncer (transaction pooling, 20 + 4 server connections)")
    args = p.parse_args(argv)

    with Cluster(durable=True, stat_statements=True) as pg:
        url = pg.createdb("huotong")
        pg.psql("huotong", "CREATE EXTENSION pg_stat_statements")
        print(f"PostgreSQL on :{pg.port}: fsync={pg.psql('huotong', 'SHOW fsync')}, "
              f"synchronous_commit={pg.psql('huotong', 'SHOW synchronous_commit')}", flush=True)
        began = time.perf_counter()
        data = prepare(url, args.history, args.stores, args.skus, args.cashiers, args.seed)
        print(f"data ready in {time.perf_counter() - began:.0f} s: {len(data['stores'])} stores, "
              f"{len(data['tills'])} tills, {args.history:,} lines of history", flush=True)
        first = last_order_id(url)
        pg.psql("huotong", "SELECT pg_stat_statements_reset()")  # the heaviest statements: the day's, not the set-up's
        # through PgBouncer: 20 server connections for the orders, 4 of their own for the order counter
        bouncer = PgBouncer(url, pool_size=20, aliases={"huotong_counter": ("huotong", 4)}).start() \
            if args.pgbouncer else None
        pooled = {"DATABASE_POOLER": "pgbouncer", "DATABASE_COUNTER_URL": bouncer.url("huotong_counter")} \
            if bouncer else None
        server, port = serve(bouncer.url("huotong") if bouncer else url, args.workers, args.threads, pooled)
        cpu_bouncer, most = 0.0, 0
        try:
            day = Day(data, args.orders, args.clients, port, args.seed)
            day.lookup = lookup_with(url)
            threads = [threading.Thread(target=client, args=(day, n, args.seed)) for n in range(args.clients)]
            for t in threads:
                t.start()
            day.ready.wait()  # the cashiers' sign-ins (password hashing) are not the day's work
            before, cpu_app, cpu_pg = counters(pg), process_tree_cpu(server.pid), pg.cpu_seconds()
            cpu_bouncer = bouncer.cpu_seconds() if bouncer else 0.0
            began = time.perf_counter()
            while any(t.is_alive() for t in threads):
                time.sleep(5)
                most = max(most, backends(pg))
                elapsed = time.perf_counter() - began
                print(f"  {elapsed:6.0f} s  {day.done:,}/{args.orders:,} orders  "
                      f"{day.done / elapsed:6.1f}/s  errors {len(day.errors)}", flush=True)
            wall = time.perf_counter() - began
            cpu_app, cpu_pg = process_tree_cpu(server.pid) - cpu_app, pg.cpu_seconds() - cpu_pg
            cpu_bouncer = bouncer.cpu_seconds() - cpu_bouncer if bouncer else 0.0
            after = counters(pg)
            heaviest = pg.psql("huotong", HEAVIEST)
        finally:
            server.terminate()
            server.wait(30)
            if bouncer:
                bouncer.__exit__()
        print(f"\nPostgreSQL connections: at most {most} open at once (sampled every 5 s), "
              f"{after['sessions'] - before['sessions']} opened during the day"
              + (f"; PgBouncer's CPU {cpu_bouncer / max(day.done, 1) * 1000:.2f} ms per order" if bouncer else ""))
        report(args, day, wall, cpu_app, cpu_pg, before, after, checks(url, first), heaviest)


def report(args, day: Day, wall: float, cpu_app: float, cpu_pg: float, before: dict, after: dict,
           books: dict, heaviest: str = "") -> None:
    orders = day.done
    print(f"\nload (uptime): {open('/proc/loadavg').read().split()[:3]}  cores: {os.cpu_count()}")
    print(f"gunicorn {args.workers} workers × {args.threads} threads, {args.clients} clients"
          + (", through PgBouncer (transaction pooling)" if getattr(args, "pgbouncer", False) else ""))
    print(f"outcomes: {dict(day.outcomes)}")
    print(f"{orders:,} orders in {wall:.1f} s: {orders / wall:.1f} orders/s; "
          f"35,000 at this rate: {35_000 / (orders / wall) / 60:.1f} min (goal ≤ 5 min)")
    statements = after["statements"] - before["statements"]
    print(f"SQL statements per order {statements / orders:.1f}, transactions per order "
          f"{(after['transactions'] - before['transactions']) / orders:.1f} (every request of the day, "
          f"hand-overs included)")
    print(f"CPU per order: gunicorn {cpu_app / orders * 1000:.1f} ms, PostgreSQL {cpu_pg / orders * 1000:.1f} ms, "
          f"together {(cpu_app + cpu_pg) / orders * 1000:.1f} ms (goal ≤ 17 ms)")
    print(f"\n{'endpoint':28} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for endpoint, values in sorted(day.timings.items()):
        print(f"{endpoint:28} {len(values):7} {percentile(values, .5) * 1000:8.1f} "
              f"{percentile(values, .95) * 1000:8.1f} {percentile(values, .99) * 1000:8.1f}")
    print("\nPostgreSQL's heaviest statements of the day (total ms | calls | mean ms | statement):")
    print(heaviest)
    print()
    for what, value in books.items():
        print(f"{what:52} {value}")
    for error in day.errors[:10]:
        print("error:", error)
    broken = [k for k, v in books.items() if v and k not in ("till sales completed", "online orders placed")]
    print("\nthe day's books " + ("hold" if not broken and not day.errors else f"BROKEN: {broken}"))
    raise SystemExit(1 if broken or day.errors else 0)


if __name__ == "__main__":
    main()
