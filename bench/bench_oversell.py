"""Never oversell: many concurrent checkouts for the last units of one SKU, against a live server.

    .venv/bin/python -m bench.bench_oversell                       # SQLite file, 500 buyers, 50 units
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_oversell   # PostgreSQL (TEST_DATABASE_URL)
    .venv/bin/python -m bench.bench_oversell --buyers 200 --units 20
    .venv/bin/python -m bench.bench_oversell --workers 2 --threads 16   # gunicorn processes, not one thread pool
    .venv/bin/python -m bench.bench_oversell --workers 2 --threads 8 --config ''   # without scripts/gunicorn.conf.py

Each buyer has a cart of its own (one unit, pickup at the store) and the cookies and form token its checkout
page left in the browser (the cart's cookie, a signed session holding the CSRF token: CSRF is on, as served);
all of them post the checkout form at once (threads, released together by a
barrier) to the real app served by a threaded WSGI server. Exactly ``units``
orders must be placed and every other buyer told "sold out" (409); the ledger
must still hold: on hand unchanged, reserved = units, each level equal to the
sum of its moves, one active reservation per order. Prints p50/p99 latency.

The server is warmed first (as a shop is before a sale opens: a few dozen ordinary checkouts of
another item, some of them sold out), then the storm; with gunicorn it prints the CPU the storm cost
(gunicorn, PostgreSQL, these clients) and, one request at a time afterwards, what a late buyer's
"sold out" costs and what a placed order costs (server CPU per request, PostgreSQL CPU, bytes).
gunicorn runs with the production settings file (scripts/gunicorn.conf.py: preloaded and warmed app,
backlog, heartbeat on tmpfs) and the workers and threads given here.

The buyers are threads of this process, on the same cores as the server: their CPU is printed beside the
server's, with the least time all of it needs on this machine's cores — the floor under p99.
"""
import argparse
import http.client
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from urllib.parse import urlencode

from werkzeug.serving import make_server

from bench.cluster import process_tree_cpu
from webapp import create_app

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


CONFIG = os.path.join(ROOT, "scripts", "gunicorn.conf.py")  # the production settings (README)
WARM = 32  # warm-up checkouts: half of them get the warm-up item, half are told it is sold out
COST = 50  # checkouts one at a time after the storm, for the cost of each answer


def prepare(buyers: int, units: int) -> dict:
    """One store; the flash sale's SKU with ``units`` on the shelf and a one-unit cart per buyer; a warm-up
    item and one to measure a placed order's cost with, with carts of their own (in an app context)."""
    from webapp.catalog.services import VariantInput, save_product
    from webapp.extensions import db
    from webapp.shop.models import Cart, CartLine
    from webapp.stock import services as stock
    from webapp.stores.services import save_store

    stock.ensure_locations()
    store = save_store(None, code="HZ01", name="西湖店", district="西湖区", latitude=30.259, longitude=120.13)
    store.online_pickup = True
    stock.ensure_locations(store)
    ids = {"store_id": store.id}
    for kind, name, code, stocked, carts in (("sku", "限量月饼", "MOON-1", units, buyers),
                                             ("warm", "热身面包", "WARM-1", WARM // 2, WARM),
                                             ("cost", "日常牛奶", "MILK-1", COST, COST)):
        product = save_product(None, name=name, tracking="none", weighed=False, unit="piece", plu=None,
                               variants=[VariantInput(code=code, list_price="88.00", barcodes=[])])
        sku = product.skus[0]
        stock.receive(store, sku, stocked, "40.00", user=None, document=("receipt", "BENCH"))
        token = "buyer" if kind == "sku" else kind
        db.session.add_all(Cart(token=f"{token}-{i}", fulfilment="pickup", store=store,
                                lines=[CartLine(sku=sku, quantity=Decimal("1"))]) for i in range(carts))
        ids[f"{kind}_id"] = sku.id
    db.session.commit()
    return ids


def browser_sessions(app, count: int) -> list[tuple[str, str]]:
    """(session cookie, CSRF token) as ``count`` buyers' checkout pages leave them: a guest's signed session
    holding the token the page's form carries (made here with the server's secret key, as the page would)."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    signer = app.session_interface.get_signing_serializer(app)
    made = []
    for _ in range(count):
        with app.test_request_context("/shop/checkout"):
            token = generate_csrf()
            made.append((signer.dumps(dict(session)), token))
    return made


SESSIONS: dict[str, list[tuple[str, str]]] = {}  # each kind of cart's buyers' (session cookie, CSRF token)


def checkout(host: str, port: int, buyer: int, shown: str, cart: str = "buyer", key: str = ""
             ) -> tuple[str, float, int]:
    """Post one buyer's checkout; 'ordered' (303 to the order or on to the wallet's cashier), 'sold out' (409)
    or what else came back; the seconds it took and the bytes of the answer.

    ``shown`` is the amount the checkout page showed (every buyer's cart is the same)."""
    session, token = SESSIONS[cart][buyer]
    body = urlencode({"csrf_token": token, "checkout_key": f"{key or cart}-{buyer}", "payment": "wechat",
                      "phone": f"1{hash(cart) % 9 + 30}{buyer:08d}", "contact_name": "买家", "expected_due": shown})
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=120)
    try:
        connection.request("POST", "/shop/checkout", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"huotong_cart={cart}-{buyer}; session={session}",
            "Accept-Encoding": "gzip, br"})
        response = connection.getresponse()
        raw = response.read()
        text = raw.decode(errors="replace") if response.getheader("Content-Encoding") is None else ""
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    if response.status == 303 and any(place in (response.getheader("Location") or "")
                                      for place in ("/shop/orders/", "/shop/sandbox-pay")):
        return "ordered", elapsed, len(raw)
    if response.status == 409 and (not text or "售罄" in text or "Sold out" in text):
        return "sold out", elapsed, len(raw)
    return f"HTTP {response.status}", elapsed, len(raw)


def served_app():
    """The app as gunicorn serves it for the bench (the database from DATABASE_URL)."""
    return create_app({"SECRET_KEY": "bench"})


def storm(app, buyers: int, workers: int = 0, threads: int = 16, url: str = "", warm: bool = False,
          config: str = CONFIG) -> tuple[list, dict]:
    """Serve the app (a thread, or gunicorn processes), warm it (``warm``: the carts ``prepare`` made), send
    every buyer's checkout at once; then, with gunicorn, the cost of one answer of each kind."""
    shown = {cart: _shown_amount(app, cart) for cart in (("buyer", "warm", "cost") if warm else ("buyer",))}
    SESSIONS.update(buyer=browser_sessions(app, buyers), warm=browser_sessions(app, WARM),
                    cost=browser_sessions(app, COST))
    if workers:
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": ROOT}
        settings = ["-c", config] if config else ["--backlog", "2048"]
        server = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"), *settings,
                                   "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}",
                                   "--log-level", "warning", "bench.bench_oversell:served_app()"], env=env, cwd=ROOT)
        _wait_for(port)
        try:
            if not warm:
                began = time.perf_counter()
                return _send(port, buyers, shown["buyer"]), {"wall": time.perf_counter() - began}
            _send(port, WARM, shown["warm"], "warm")
            time.sleep(1)  # the warm-up's answers all sent; its sold-out notes run out
            before = process_tree_cpu(server.pid), _postgres_cpu(url), time.process_time(), time.perf_counter()
            sent = _send(port, buyers, shown["buyer"])
            cpu = {"wall": time.perf_counter() - before[3], "gunicorn": process_tree_cpu(server.pid) - before[0],
                   "postgres": _postgres_cpu(url) - before[1], "clients": time.process_time() - before[2]}
            late = [i for i, answer in enumerate(sent) if answer[0] == "sold out"][:COST]  # their carts are full
            for kind, cart, key, who in (("sold out", "buyer", "late", late), ("ordered", "cost", "", range(COST))):
                before = process_tree_cpu(server.pid), _postgres_cpu(url)
                answers = [checkout("127.0.0.1", port, i, shown[cart], cart, key) for i in who]
                cpu[kind] = {"gunicorn": (process_tree_cpu(server.pid) - before[0]) / len(answers),
                             "postgres": (_postgres_cpu(url) - before[1]) / len(answers),
                             "p50": statistics.median(a[1] for a in answers),
                             "bytes": statistics.median(a[2] for a in answers),
                             "right": f"{sum(a[0] == kind for a in answers)}/{len(answers)}"}
            return sent, cpu
        finally:
            server.terminate()
            server.wait(30)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.socket.listen(max(buyers * 2, 128))  # room for every buyer's connection at once
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        if warm:
            _send(server.server_port, WARM, shown["warm"], "warm")
            time.sleep(1)
        began = time.perf_counter()
        return _send(server.server_port, buyers, shown["buyer"]), {"wall": time.perf_counter() - began}
    finally:
        server.shutdown()


def _shown_amount(app, cart: str) -> str:
    """What the checkout page shows each buyer (their carts are alike): the first buyer's."""
    from webapp.extensions import db
    from webapp.shop.checkout import due_token
    from webapp.shop.models import Cart

    with app.app_context():
        shown = due_token(db.session.query(Cart).filter_by(token=f"{cart}-0").one())
        db.session.remove()
    return shown


def _send(port: int, buyers: int, shown: str, cart: str = "buyer") -> list[tuple[str, float, int]]:
    results: list = [None] * buyers
    gate = threading.Barrier(buyers)

    def buyer(i):
        gate.wait()
        results[i] = (*checkout("127.0.0.1", port, i, shown, cart), time.perf_counter())

    threads = [threading.Thread(target=buyer, args=(i,)) for i in range(buyers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _postgres_cpu(url: str) -> float:
    """CPU seconds of the PostgreSQL server on this machine (its postmaster and every backend), 0 for SQLite."""
    if not url.startswith("postgresql"):
        return 0.0
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:  # this backend's parent is the postmaster
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        with open(f"/proc/{backend}/stat") as f:
            postmaster = int(f.read().rsplit(")", 1)[1].split()[1])
    engine.dispose()
    return process_tree_cpu(postmaster)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def invariants(store_id: int, sku_id: int, units: int) -> dict:
    """What the ledger says after the storm (in an app context)."""
    from sqlalchemy import func, select

    from webapp.catalog.models import SKU
    from webapp.extensions import db
    from webapp.sales.models import OrderLine
    from webapp.sales.online.models import OnlineOrder
    from webapp.stock.models import Reservation, StockLevel
    from webapp.stock.queries import level_at, level_from_moves
    from webapp.stores.models import Store

    db.session.remove()
    store, sku = db.session.get(Store, store_id), db.session.get(SKU, sku_id)
    on_hand, reserved = level_at(store, sku)
    levels = db.session.scalars(select(StockLevel).where(StockLevel.sku_id == sku_id)).all()
    return {
        "orders": db.session.scalar(select(func.count(func.distinct(OnlineOrder.id))).join(
            OrderLine, OrderLine.order_id == OnlineOrder.order_id).where(OrderLine.sku_id == sku_id)),
        "on_hand": on_hand, "reserved": reserved,
        "active_reservations": db.session.scalar(select(func.count(Reservation.id)).where(
            Reservation.status == "active", Reservation.level_id.in_([level.id for level in levels]))),
        "levels_match_moves": all(level.on_hand == level_from_moves(level.location_id, level.sku_id, level.lot_id)
                                  for level in levels),
    }


def run(url: str, buyers: int, units: int, workers: int = 0, threads: int = 16, config: str = CONFIG) -> dict:
    from webapp.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        ids = prepare(buyers, units)
    results, cpu = storm(app, buyers, workers, threads, url, warm=True, config=config)
    with app.app_context():
        ledger = invariants(ids["store_id"], ids["sku_id"], units)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    outcomes: dict[str, int] = {}
    for outcome, *_rest in results:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    latencies = sorted(seconds for _outcome, seconds, *_rest in results)
    began = min(done - seconds for _outcome, seconds, _size, done in results)
    answered = {kind: sorted(done - began for outcome, _s, _size, done in results if outcome == kind)
                for kind in ("ordered", "sold out")}
    return {"outcomes": outcomes, "ledger": ledger, "wall": cpu.pop("wall"), "cpu": cpu, "answered": answered,
            "p50": statistics.median(latencies), "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=500)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn processes (0: one threaded server here)")
    parser.add_argument("--threads", type=int, default=16, help="threads per gunicorn process")
    parser.add_argument("--config", default=CONFIG,
                        help="gunicorn's settings file (default: scripts/gunicorn.conf.py; '' for gunicorn's defaults)")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='oversell-')}/bench.db"
    result = run(url, args.buyers, args.units, args.workers, args.threads, args.config)
    kind = url.split(":", 1)[0]
    ledger = result["ledger"]
    print(f"database      {kind}")
    print("server        " + (f"gunicorn, {args.workers} processes × {args.threads} threads, "
                             f"{os.path.relpath(args.config, ROOT) if args.config else 'no settings file'}"
                             if args.workers else "one threaded WSGI server in this process"))
    print(f"buyers        {args.buyers} for the last {args.units} units of one SKU")
    print(f"outcomes      {result['outcomes']}")
    print(f"orders        {ledger['orders']}  on hand {ledger['on_hand']}  reserved {ledger['reserved']}  "
          f"active reservations {ledger['active_reservations']}  levels = moves: {ledger['levels_match_moves']}")
    print(f"latency       p50 {result['p50'] * 1000:.0f} ms   p99 {result['p99'] * 1000:.0f} ms   "
          f"(all done in {result['wall']:.2f} s; goal p99 ≤ 1000 ms)")
    for kind, times in result["answered"].items():
        if times:
            print(f"{kind + ' from':<14}{times[0]:.2f} s to {times[-1]:.2f} s after the first buyer sent"
                  + (f" (one order every {(times[-1] - times[0]) / max(1, len(times) - 1) * 1000:.0f} ms; the SKU's "
                     "stock row is locked only from the reservation, the checkout's last statement, to the commit)" if kind == "ordered" else ""))
    cpu = result["cpu"]
    if cpu:
        spent = cpu["gunicorn"] + cpu["postgres"] + cpu["clients"]
        print(f"storm CPU     gunicorn {cpu['gunicorn']:.2f} s, PostgreSQL {cpu['postgres']:.2f} s, "
              f"these clients {cpu['clients']:.2f} s (for {args.buyers} checkouts)")
        print(f"              the clients' share {cpu['clients'] / spent:.0%}; all of it needs at least "
              f"{spent / os.cpu_count():.2f} s of the clock on {os.cpu_count()} quiet cores (the last answers cannot "
              f"come sooner), the server's part {(spent - cpu['clients']) / os.cpu_count():.2f} s")
        for kind in ("sold out", "ordered"):
            one = cpu[kind]
            print(f"one {kind:<9} gunicorn {one['gunicorn'] * 1000:.1f} ms CPU, PostgreSQL {one['postgres'] * 1000:.1f} ms, "
                  f"p50 {one['p50'] * 1000:.1f} ms, {one['bytes']:.0f} bytes ({one['right']} answered so, "
                  "one at a time)")
    print(f"load (uptime) {open('/proc/loadavg').read().split()[:3]}  cores: {os.cpu_count()}")
    ok = (result["outcomes"].get("ordered") == args.units
          and result["outcomes"].get("sold out") == args.buyers - args.units
          and ledger["orders"] == args.units and ledger["reserved"] == args.units
          and ledger["on_hand"] == args.units and ledger["active_reservations"] == args.units
          and ledger["levels_match_moves"])
    print("invariants    " + ("hold" if ok else "BROKEN"))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
