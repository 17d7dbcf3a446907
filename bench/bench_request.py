"""What every request pays: the app CPU and the statements of the cheapest requests, and where it goes.

    .venv/bin/python -m bench.bench_request                                  # an SQLite file
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_request         # PostgreSQL (TEST_DATABASE_URL)
    .venv/bin/python -m bench.bench_request --repeat 500 --profile "cashier partial"

The app is built as production builds it (CSRF on, no TESTING, no debug) and called in this process as a
WSGI server calls it — one prepared request at a time, the answer read to its last byte — so the CPU
measured is the app's own: no network, no test client. Each kind of request is sent ``--repeat`` times
after a warm-up; the median CPU (time.process_time) and wall time per request and the statements each
sends (SQLAlchemy's cursor events) are printed:

- ``404``: an address nothing answers, anonymous (the error page in the browser's language);
- ``healthz``: the proxy's health check (one ``SELECT 1``);
- ``customer page``: a signed-in customer's list of orders (empty): the shop's layout, the whole page;
- ``head office page``: a signed-in HQ admin's home: the staff layout with every room in its nav;
- ``cashier partial``: a signed-in cashier's till search box, asked by htmx (a fragment, no layout);
- ``sold out``: a flash sale's late buyer, a guest with a cart, while this process remembers the SKU sold
  out (``stock.sold_out``): the answer the storm's 450 losers get;
- ``sold out, unnoted``: the same buyer when nothing is remembered: the guarded UPDATE says no.

Then a cProfile of the fixed part (``--profile``: the kind to profile, the cashier's partial by default):
the functions that cost the most over ``--repeat`` requests, by their own time and with what they call.
"""
import argparse
import cProfile
import http.client
import io
import os
import pstats
import re
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from sqlalchemy import event
from werkzeug.test import EnvironBuilder

from bench.cluster import free_port, process_tree_cpu
from webapp import create_app
from webapp.extensions import db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PASSWORD = "bench-pass-1"
BROWSER = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8", "Accept-Encoding": "gzip, deflate, br",
           "User-Agent": "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36",
           "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
PLAIN = {key: value for key, value in BROWSER.items() if key != "Accept-Encoding"}  # pages read while preparing


def prepare(app) -> dict:
    """A store selling online, a cashier with a register and an open shift, a customer with a password, and
    a flash sale's SKU whose one unit is already sold, with a guest's cart holding it."""
    from webapp.auth.models import Role
    from webapp.auth.services import save_user
    from webapp.catalog.services import VariantInput, save_product
    from webapp.pos import services as pos
    from webapp.shop.models import Cart, CartLine
    from webapp.stock import services as stock
    from webapp.stores.services import save_store

    with app.app_context():
        db.drop_all()
        db.create_all()
        stock.ensure_locations()
        store = save_store(None, code="HZ01", name="西湖店", district="西湖区", latitude=30.259, longitude=120.13)
        store.online_pickup = True
        stock.ensure_locations(store)
        cashier = save_user(None, username="cashier", display_name="李四", role=Role.CASHIER, stores=[store],
                            password=PASSWORD)
        save_user(None, username="hq", display_name="总部", role=Role.HQ_ADMIN, stores=[], password=PASSWORD)
        save_user(None, username="customer", display_name="王五", role=Role.CUSTOMER, stores=[], password=PASSWORD,
                  phone="13900000001")
        register = pos.save_register(None, store=store, name="1号收银台", receipt_width=80)
        pos.open_shift(register, cashier, "200.00")
        product = save_product(None, name="限量月饼", tracking="none", weighed=False, unit="piece", plu=None,
                               variants=[VariantInput(code="MOON-1", list_price="88.00", barcodes=[])])
        sku = product.skus[0]
        stock.receive(store, sku, 1, "40.00", user=None, document=("receipt", "BENCH"))
        for token in ("first", "late"):
            db.session.add(Cart(token=token, fulfilment="pickup", store=store,
                                lines=[CartLine(sku=sku, quantity=Decimal("1"))]))
        db.session.commit()
        return {"store_id": store.id, "sku_id": sku.id, "register_id": register.id}


def signed_in(app, username: str) -> str:
    """The session cookie of a user signed in through the real form."""
    client = app.test_client()
    page = client.get("/login", headers=PLAIN).get_data(as_text=True)
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": _csrf(page)}, headers=PLAIN)
    assert response.status_code == 303, response.status_code
    return client.get_cookie("session").value


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def buyer(app, ids: dict) -> dict:
    """A guest buyer as the checkout page leaves them: the cart cookie, the session with its CSRF token, the
    form's fields. The first buyer takes the only unit; the late buyer is then refused."""
    from webapp.shop.checkout import due_token
    from webapp.shop.models import Cart

    with app.app_context():
        shown = due_token(db.session.query(Cart).filter_by(token="late").one())
        db.session.remove()
    forms = {}
    for token in ("first", "late"):
        client = app.test_client()
        client.set_cookie("huotong_cart", token)
        page = client.get("/shop/checkout", headers=PLAIN).get_data(as_text=True)
        forms[token] = {"cookie": f"huotong_cart={token}; session={client.get_cookie('session').value}",
                        "form": {"csrf_token": _csrf(page), "checkout_key": f"key-{token}", "payment": "wechat",
                                 "phone": f"1380000000{len(forms)}", "contact_name": "买家", "expected_due": shown}}
    first = forms["first"]
    answer = _call(app, EnvironBuilder(path="/shop/checkout", method="POST", data=first["form"],
                                       headers={**BROWSER, "Cookie": first["cookie"]}).get_environ())
    assert answer[0].startswith("303"), answer[0]
    return forms["late"]


@dataclass
class Kind:
    """One kind of request: what is sent, the status it must answer, what to do before each (in-process)."""

    method: str
    path: str
    status: str
    headers: dict = field(default_factory=dict)
    form: dict | None = None
    before: object = None

    def environ(self) -> dict:
        return EnvironBuilder(path=self.path, method=self.method, headers={**BROWSER, **self.headers},
                              data=self.form).get_environ()


def kinds(app, ids: dict, cashier: str, customer: str, late: dict, hq: str) -> dict[str, Kind]:
    from webapp.stock import sold_out

    def remember():
        with app.app_context():  # as the storm's first refusal left it: noted for half a second
            from webapp.catalog.models import SKU
            from webapp.stores.models import Store
            sold_out.note(db.session.get(Store, ids["store_id"]), db.session.get(SKU, ids["sku_id"]), Decimal(0))
            db.session.remove()

    def forget():
        sold_out.forget(ids["store_id"], ids["sku_id"])

    checkout = {"method": "POST", "path": "/shop/checkout", "status": "409", "headers": {"Cookie": late["cookie"]},
                "form": late["form"]}
    return {
        "404": Kind("GET", "/no-such-page", "404"),
        "healthz": Kind("GET", "/healthz", "200"),
        "customer page": Kind("GET", "/shop/orders", "200", {"Cookie": f"session={customer}"}),
        "head office page": Kind("GET", "/admin", "200", {"Cookie": f"session={hq}"}),
        "cashier partial": Kind("GET", f"/pos/registers/{ids['register_id']}/search?q=", "200",
                                {"Cookie": f"session={cashier}", "HX-Request": "true"}),
        "sold out": Kind(**checkout, before=remember),
        "sold out, unnoted": Kind(**checkout, before=forget),
    }


def _call(app, environ: dict) -> tuple[str, int]:
    """Call the app as a WSGI server does: the status and the bytes of the body, read to the end."""
    said = []
    body = app(environ, lambda status, headers, exc_info=None: said.append(status))
    try:
        size = sum(len(chunk) for chunk in body)
    finally:
        if hasattr(body, "close"):
            body.close()
    return said[0], size


def measure(app, kind: Kind, repeat: int, statements: list) -> dict:
    cpu, wall, counts, sizes = [], [], [], []
    for n in range(repeat + 20):  # the first 20: warm-up (compiled templates, statements, the pool)
        if kind.before:
            kind.before()
        environ = kind.environ()
        statements.clear()
        began_cpu, began = time.process_time(), time.perf_counter()
        answer, size = _call(app, environ)
        ended_cpu, ended = time.process_time(), time.perf_counter()
        assert answer.startswith(kind.status), (answer, kind.path)
        if n >= 20:
            cpu.append(ended_cpu - began_cpu)
            wall.append(ended - began)
            counts.append(len(statements))
            sizes.append(size)
    return {"cpu": statistics.median(cpu), "cpu_p10": statistics.quantiles(cpu, n=10)[0],
            "wall": statistics.median(wall), "statements": max(counts), "statements_min": min(counts),
            "bytes": statistics.median(sizes), "sql": list(statements), "calls": python_calls(app, kind)}


def python_calls(app, kind: Kind, requests: int = 20) -> float:
    """Python function calls per request (cProfile's count): the same on a busy machine as on a quiet one."""
    profiler = cProfile.Profile()
    for _ in range(requests):
        if kind.before:
            kind.before()
        environ = kind.environ()
        profiler.enable()
        _call(app, environ)
        profiler.disable()
    return pstats.Stats(profiler).total_calls / requests


def profile(app, kind: Kind, repeat: int, top: int) -> str:
    environs = [kind.environ() for _ in range(repeat)]
    profiler = cProfile.Profile()
    for environ in environs:
        if kind.before:
            kind.before()
        profiler.enable()
        _call(app, environ)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs()
    print(f"  — by own time, {repeat} requests —", file=out)
    stats.sort_stats("tottime").print_stats(top)
    print(f"  — with what they call, {repeat} requests —", file=out)
    stats.sort_stats("cumulative").print_stats(top)
    return "\n".join(line for line in out.getvalue().splitlines() if line.strip())


def served_app():
    """The app as gunicorn serves it for this bench (the database from DATABASE_URL)."""
    return create_app({"SECRET_KEY": "bench"})


def served(url: str, every: dict[str, Kind], settings: str, repeat: int) -> dict:
    """The same requests through gunicorn started with ``settings``, one at a time, each on a new connection (as
    the flash sale's buyers come): the CPU of gunicorn's processes per request, and the median time."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": ROOT}
    server = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"), *shlex.split(settings),
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "bench.bench_request:served_app()"],
                              env=env, cwd=ROOT)
    try:
        _wait_for(port)
        found = {}
        for name, kind in every.items():
            if kind.before is not None and kind.method == "POST" and name != "sold out":
                continue  # the server's memory of "sold out" cannot be set from here: the noted case only
            for _ in range(20):
                _send(port, kind)
            before = process_tree_cpu(server.pid)
            times = [_send(port, kind) for _ in range(repeat)]
            found[name] = {"cpu": (process_tree_cpu(server.pid) - before) / repeat, "wall": statistics.median(times)}
        return found
    finally:
        server.terminate()
        server.wait(30)


def _send(port: int, kind: Kind) -> float:
    body = urlencode(kind.form) if kind.form else None
    headers = {**BROWSER, **kind.headers}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(kind.method, kind.path, body, headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert str(response.status) == kind.status, (response.status, kind.path)
    return time.perf_counter() - began


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--profile", default="cashier partial", help="the kind of request to profile ('' : none)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sql", action="store_true", help="print each kind's statements")
    parser.add_argument("--gunicorn", action="append", default=[], metavar="SETTINGS",
                        help="also through gunicorn with these settings, e.g. '-w 2' or '-w 2 --threads 8' (repeatable)")
    args = parser.parse_args()
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='request-')}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    ids = prepare(app)
    cashier, customer, hq = signed_in(app, "cashier"), signed_in(app, "customer"), signed_in(app, "hq")
    late = buyer(app, ids)
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: statements.append(" ".join(statement.split())[:160]))
    print(f"database      {url.split(':', 1)[0]}   ({args.repeat} requests of each kind, in-process WSGI calls; app CPU"
          " = time.process_time, median and 10th percentile)")
    print(f"{'request':<20}{'CPU ms':>8}{'p10':>7}{'wall ms':>9}{'statements':>12}{'bytes':>8}{'Python calls':>14}")
    every = kinds(app, ids, cashier, customer, late, hq)
    for name, kind in every.items():
        found = measure(app, kind, args.repeat, statements)
        spread = (f"{found['statements_min']}–{found['statements']}" if found["statements_min"] != found["statements"]
                  else str(found["statements"]))
        print(f"{name:<20}{found['cpu'] * 1000:>8.2f}{found['cpu_p10'] * 1000:>7.2f}{found['wall'] * 1000:>9.2f}"
              f"{spread:>12}{found['bytes']:>8.0f}{found['calls']:>14,.0f}")
        if args.sql:
            for sql in found["sql"]:
                print(f"    {sql}")
    for settings in args.gunicorn:
        print(f"\nthrough gunicorn {settings} (one request at a time, a new connection each; gunicorn's CPU per "
              "request, all its processes; time seen by the client)")
        print(f"{'request':<20}{'CPU ms':>8}{'wall ms':>9}")
        for name, found in served(url, every, settings, args.repeat).items():
            print(f"{name:<20}{found['cpu'] * 1000:>8.2f}{found['wall'] * 1000:>9.2f}")
    load = open("/proc/loadavg").read().split()[:3]
    print(f"load (uptime) {' '.join(load)}   cores: {os.cpu_count()}")
    if args.profile:
        print(f"\ncProfile of '{args.profile}' (the fixed part: everything but the view's own work)")
        print(profile(app, every[args.profile], args.repeat, args.top))
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


if __name__ == "__main__":
    main()
