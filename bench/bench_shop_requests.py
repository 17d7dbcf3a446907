"""What each request of an online order costs the server: statements and app CPU per endpoint, in-process.

    .venv/bin/python -m bench.bench_shop_requests                  # a durable throwaway PostgreSQL (fsync on)
    .venv/bin/python -m bench.bench_shop_requests --orders 100 --sqlite
    .venv/bin/python -m bench.bench_shop_requests --stores 1       # one store (the figures before the chain)

A guest's online order as ``bench/peak_day.py``'s ``online_order`` makes it, through the real views (the
in-process test client: no network, CSRF off): the shop's home page, 3 items added to the cart, the pickup
store chosen, the checkout page, the checkout, the wallet's cashier page and its "pay" (the sandbox, with its
notification), back from paying, the order page. The chain is the peak day's: ``--stores`` (120) on a grid
about 2 km apart, each offering pickup and delivering within 3 km, each with every SKU on its shelf; every
other order is delivered (the customer 500 m from a store), the others picked up (the steps that differ are
shown for each). Then a flash sale's late buyer: the checkout of an item
this process has just seen sold out (``stock.sold_out``), answered with the small page.

Prints per endpoint the median count of statements of its requests (SQLAlchemy cursor events, every engine;
``--statements`` shows the last request's) and the p50 of
app CPU (``time.process_time``: this process only, PostgreSQL's CPU is not in it) and wall time, with the
load (``/proc/loadavg``): the machine is shared, so the CPU figure is the one to compare.
"""
import argparse
import html
import re
import statistics
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlsplit

from sqlalchemy import Engine, event

from bench.cluster import Cluster
from webapp import create_app
from webapp.extensions import db

SKUS = 40


def prepare(app, stores: int) -> dict:
    from webapp.catalog.services import VariantInput, save_product
    from webapp.shop.models import Cart, CartLine
    from webapp.stock import services as stock
    from webapp.stores.services import save_store

    with app.app_context():
        db.drop_all()
        db.create_all()
        stock.ensure_locations()
        chain = []
        for n in range(stores):  # a grid about 2 km apart, as bench/peak_day.py places the seed chain
            store = save_store(None, code=f"HZ{n + 1:03d}", name=f"{n + 1}号店", district=f"{n % 12 + 1}区",
                               latitude=30.20 + 0.02 * (n % 12), longitude=120.05 + 0.02 * (n // 12))
            store.online_pickup, store.delivery_radius_m, store.delivery_fee = True, 3000, Decimal("3.00")
            stock.ensure_locations(store)
            chain.append(store)
        store = chain[0]
        skus = []
        for n in range(SKUS):
            product = save_product(None, name=f"商品 {n:03d}", tracking="none", weighed=False, unit="piece",
                                   plu=None, variants=[VariantInput(code=f"S{n:03d}", list_price="6.50", barcodes=[])])
            for shop in chain:
                stock.receive(shop, product.skus[0], 100_000, "3.00", user=None, document=("receipt", "BENCH"))
            skus.append(product.skus[0].id)
        gone = save_product(None, name="限量月饼", tracking="none", weighed=False, unit="piece", plu=None,
                            variants=[VariantInput(code="MOON", list_price="88.00", barcodes=[])]).skus[0]
        stock.receive(store, gone, 1, "40.00", user=None, document=("receipt", "BENCH"))
        db.session.add(Cart(token="late-first", fulfilment="pickup", store=store,
                            lines=[CartLine(sku=gone, quantity=Decimal(1))]))
        db.session.add(Cart(token="late", fulfilment="pickup", store=store,
                            lines=[CartLine(sku=gone, quantity=Decimal(1))]))
        stock.reserve(store, gone, 1, document=("order", "SOMEONE-ELSE"))  # the last unit went meanwhile
        db.session.commit()
        return {"store_id": store.id, "skus": skus, "gone_id": gone.id,
                "stores": [(s.id, s.latitude, s.longitude) for s in chain]}


class Meter:
    """Statements and CPU per endpoint."""

    def __init__(self):
        self.statements: dict[str, list[str]] = {}
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.wall: dict[str, list[float]] = defaultdict(list)
        self.bytes: dict[str, int] = {}
        self.counts: dict[str, list[int]] = defaultdict(list)

    def request(self, client, label: str, method: str, path: str, data=None, expect=(200,)):
        sent: list[str] = []

        def count(_conn, _cursor, statement, *_args):
            sent.append(" ".join(statement.split()))

        event.listen(Engine, "before_cursor_execute", count)
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.open(path, method=method, data=data)
        self.cpu[label].append(time.process_time() - began_cpu)
        self.wall[label].append(time.perf_counter() - began)
        event.remove(Engine, "before_cursor_execute", count)
        assert response.status_code in expect, (label, response.status_code, response.get_data(as_text=True)[:300])
        self.statements[label] = [s for s in sent if not s.startswith("BEGIN")]
        self.counts[label].append(len(self.statements[label]))
        return response

    def sent(self, label: str) -> int:
        """The median count of statements of the endpoint's requests (the promotions' book is asked about once
        a second: now and then a request pays for it)."""
        return round(statistics.median(self.counts[label]))


def _path(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def one_order(app, meter: Meter, ids: dict, n: int) -> None:
    client = app.test_client()
    store_id, lat, lng = ids["stores"][(n * 37) % len(ids["stores"])]
    kind = "delivery" if n % 2 else "pickup"
    meter.request(client, "shop: home", "GET", "/shop/")
    for sku in (ids["skus"][(n + k * 7) % SKUS] for k in range(3)):
        meter.request(client, "shop: add to cart", "POST", "/shop/cart/add",
                      {"sku": sku, "quantity": "1", "next": "/shop/cart"}, expect=(303,))
    if kind == "pickup":
        choice = {"fulfilment": "pickup", "store": store_id}
    else:  # as bench/peak_day.py: about 500 m from a store
        choice = {"fulfilment": "delivery", "latitude": f"{lat + 0.004:.5f}", "longitude": f"{lng + 0.003:.5f}",
                  "address": "文三路 90 号 3 单元 501"}
    meter.request(client, f"shop: fulfilment ({kind})", "POST", "/shop/cart/fulfilment", choice, expect=(303,))
    page = meter.request(client, f"shop: checkout page ({kind})", "GET", "/shop/checkout").get_data(as_text=True)
    form = {name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
            for name in ("checkout_key", "expected_due")}
    form.update(payment="wechat", phone=f"139{n:08d}", contact_name="顾客")
    location = meter.request(client, f"shop: checkout ({kind})", "POST", "/shop/checkout", form, expect=(303,)).location
    cashier = meter.request(client, "wallet: cashier page", "GET", _path(location)).get_data(as_text=True)
    fields = {name: html.unescape(value)
              for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', cashier)
              if name != "csrf_token"}
    back = meter.request(client, "wallet: pay (its notification too)", "POST", "/shop/sandbox-pay",
                         {**fields, "action": "pay"}, expect=(303,)).location
    order = meter.request(client, "shop: back from paying", "GET", _path(back), expect=(303,)).location
    meter.request(client, "shop: order page", "GET", _path(order))


def late_buyers(app, meter: Meter, ids: dict, count: int) -> None:
    """A flash sale's late buyers: refused by the guarded UPDATE when this process knows nothing yet, else
    from the process's note (it runs out after ``sold_out.SECONDS``; the next refusal notes it again)."""
    from webapp.shop.checkout import due_token
    from webapp.shop.models import Cart
    from webapp.stock import sold_out

    with app.app_context():
        shown = due_token(db.session.query(Cart).filter_by(token="late-first").one())
    sold_out.forget_all()
    for n in range(count):
        known = sold_out.short(ids["store_id"], [(ids["gone_id"], Decimal(1))]) is not None
        client = app.test_client()
        client.set_cookie("huotong_cart", "late" if known else "late-first")
        label = "flash sale: sold out (known)" if known else "flash sale: sold out (the UPDATE says no)"
        response = meter.request(client, label, "POST", "/shop/checkout",
                                 {"checkout_key": f"late-{n}", "payment": "wechat", "phone": "13900000001",
                                  "expected_due": shown}, expect=(409,))
        meter.bytes[label] = len(response.data)


def run(url: str, orders: int, label: str, show: str | None = None, stores: int = 120) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False})
    ids = prepare(app, stores)
    meter = Meter()
    for n in range(orders):
        one_order(app, meter, ids, n)
    late_buyers(app, meter, ids, orders)
    print(f"{label}: {orders} guests' online orders at a chain of {stores} stores (3 lines, half picked up, half "
          "delivered, paid at the sandbox wallet), per request:")
    print(f"    {'endpoint':44} {'statements':>10} {'app CPU p50':>12} {'wall p50':>9}")
    for endpoint, cpu in meter.cpu.items():
        print(f"    {endpoint:44} {meter.sent(endpoint):>10} {statistics.median(cpu) * 1000:>9.2f} ms "
              f"{statistics.median(meter.wall[endpoint]) * 1000:>6.2f} ms"
              + (f"  ({meter.bytes[endpoint]} bytes)" if endpoint in meter.bytes else ""))
        if show and show in endpoint:
            for statement in meter.statements[endpoint]:
                print("        " + statement[:150])
    for kind in ("pickup", "delivery"):
        steps = [e for e in meter.cpu if not e.startswith("flash") and (e.endswith(f"({kind})") or "(" not in e
                                                                           or "notification" in e)]
        total = sum(statistics.median(meter.cpu[e]) * (3 if e == "shop: add to cart" else 1) for e in steps)
        statements = sum(meter.sent(e) * (3 if e == "shop: add to cart" else 1) for e in steps)
        print(f"    one {kind} order in all: {statements} statements, {total * 1000:.1f} ms app CPU")
    print(f"load (uptime): {open('/proc/loadavg').read().split()[:3]}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--orders", type=int, default=60)
    p.add_argument("--stores", type=int, default=120, help="stores in the chain (the seed chain: 120)")
    p.add_argument("--sqlite", action="store_true")
    p.add_argument("--statements", metavar="ENDPOINT", help="also print the statements of this endpoint")
    args = p.parse_args(argv)
    if args.sqlite:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/shop.db", args.orders, "SQLite", args.statements, args.stores)
        return
    with Cluster(durable=True) as pg:
        run(pg.createdb("huotong"), args.orders, "PostgreSQL (fsync on, synchronous_commit on)", args.statements,
            args.stores)


if __name__ == "__main__":
    main()
