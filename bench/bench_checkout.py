"""The online checkout's cost on the server: statements and time of one 3-line order, beside raw SQL.

    .venv/bin/python -m bench.bench_checkout                 # a durable throwaway PostgreSQL (fsync on)
    .venv/bin/python -m bench.bench_checkout --orders 300
    .venv/bin/python -m bench.bench_checkout --sqlite        # a SQLite file instead

Each order: a guest's 3-line pickup cart (its first order: the account is made with it), the checkout
POST through the real view (in-process test client: no network, CSRF off), up to the redirect to the
wallet's cashier (WeChat Pay, the sandbox: the customer pays there, after this request). Prints the statements of one checkout (SQLAlchemy cursor events) and the server time p50/p95,
then the same rows written with plain SQL in one transaction (the customer's account, the order, its online side, 3 lines,
3 guarded reservations and their rows, the notification, the payment, the cart emptied) for scale.
"""
import argparse
import random
import statistics
import tempfile
import time
from decimal import Decimal

from sqlalchemy import Engine, event, text

from bench.cluster import Cluster
from webapp import create_app
from webapp.extensions import db

SKUS = 2_000


def prepare(app) -> dict:
    from webapp.catalog.services import VariantInput, save_product
    from webapp.stock import services as stock
    from webapp.stores.services import save_store

    with app.app_context():
        db.drop_all()
        db.create_all()
        stock.ensure_locations()
        store = save_store(None, code="HZ01", name="西湖店", district="西湖区", latitude=30.259, longitude=120.13)
        store.online_pickup = True
        stock.ensure_locations(store)
        skus = []
        for n in range(40):
            product = save_product(None, name=f"商品 {n:03d}", tracking="none", weighed=False, unit="piece",
                                   plu=None, variants=[VariantInput(code=f"S{n:03d}", list_price="6.50",
                                                                    barcodes=[])])
            stock.receive(store, product.skus[0], 100_000, "3.00", user=None, document=("receipt", "BENCH"))
            skus.append(product.skus[0].id)
        db.session.commit()
        return {"store_id": store.id, "skus": skus}


def carts(app, ids: dict, count: int) -> list[str]:
    from webapp.shop.models import Cart, CartLine

    rng = random.Random(5)
    with app.app_context():
        tokens = []
        for n in range(count):
            token = f"cart-{n}"
            db.session.add(Cart(token=token, fulfilment="pickup", store_id=ids["store_id"],
                                lines=[CartLine(sku_id=s, quantity=Decimal(1)) for s in rng.sample(ids["skus"], 3)]))
            tokens.append(token)
        db.session.commit()
    return tokens


def checkouts(app, tokens: list[str]) -> tuple[list[float], list[str], list[float]]:
    from webapp.shop.checkout import due_token
    from webapp.shop.models import Cart

    timings, last, cpu = [], [], []
    for n, token in enumerate(tokens):
        with app.app_context():  # the page's amount; the request then runs in an app context of its own
            shown = due_token(db.session.query(Cart).filter_by(token=token).one())
        client = app.test_client()  # a new browser: the last one is signed in to its new account
        client.set_cookie("huotong_cart", token)
        statements = []

        def count(_conn, _cursor, statement, *_args, seen=statements):
            seen.append(" ".join(statement.split()))

        event.listen(Engine, "before_cursor_execute", count)  # every engine: the order counter's own pool too
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.post("/shop/checkout", data={
            "checkout_key": f"k-{n}", "payment": "wechat", "payment_code": "134567890123450001",
            "phone": f"139{n:08d}", "contact_name": "买家", "expected_due": shown})
        timings.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        event.remove(Engine, "before_cursor_execute", count)
        # placed: on to the wallet's cashier (where the customer pays), or the order page
        assert response.status_code == 303 and ("/shop/sandbox-pay" in response.location
                                                or "/shop/orders/" in response.location), response.location
        last = statements
    return timings, last, cpu


def raw(app, ids: dict, count: int) -> list[float]:
    """The same rows with plain SQL, one transaction each (prepared text, no ORM)."""
    timings = []
    with app.app_context():
        shelf = db.session.execute(text("SELECT id FROM locations WHERE store_id = :s AND usage = 'internal'"),
                                   {"s": ids["store_id"]}).scalar()
        db.session.remove()
        for n in range(count):
            skus = ids["skus"][n % 37: n % 37 + 3]
            with db.engine.connect() as c:
                began = time.perf_counter()
                with c.begin():
                    user_id = c.execute(text(
                        "INSERT INTO users (username, display_name, phone, password_hash, role, active, created_at) "
                        "VALUES (:u, '', :u, '!', 'customer', true, CURRENT_TIMESTAMP) RETURNING id"),
                        {"u": f"r{n}"}).scalar()
                    order_id = c.execute(text(
                        "INSERT INTO orders (number, channel, kind, status, store_id, subtotal, discount, order_discount, "
                        "total, created_at) VALUES (:n, 'shop', 'sale', 'open', :s, 1950, 0, 0, 1950, CURRENT_TIMESTAMP) "
                        "RETURNING id"), {"n": f"RAW-{n}", "s": ids["store_id"]}).scalar()
                    online_id = c.execute(text(
                        "INSERT INTO online_orders (order_id, customer_id, status, fulfilment, contact_name, phone, address, district, "
                        "delivery_fee, pay_at_pickup, pickup_code, pickup_token, access_token, checkout_key, note, "
                        "created_at, status_changed_at, cancel_reason) VALUES (:o, :c, 'new', 'pickup', '', '139', '', '', 0, "
                        "false, '123456', :t, :t, :t, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '') RETURNING id"),
                        {"o": order_id, "c": user_id, "t": f"raw-{n}"}).scalar()
                    c.execute(text(
                        "INSERT INTO order_lines (order_id, sku_id, quantity, unit_price, regular_price, priced_amount, "
                        "line_discount, order_discount_share, amount) VALUES (:o, :s, 1000, 650, 650, 650, 0, 0, 650)"),
                        [{"o": order_id, "s": s} for s in skus])
                    levels = [c.execute(text(
                        "UPDATE stock_levels SET reserved = reserved + 1000 WHERE location_id = :l AND sku_id = :s "
                        "AND lot_id IS NULL AND on_hand - reserved >= 1000 RETURNING id"), {"l": shelf, "s": s}).scalar()
                        for s in skus]
                    c.execute(text(
                        "INSERT INTO reservations (level_id, quantity, status, document_type, document_id, created_at) "
                        "VALUES (:l, 1000, 'active', 'order', :n, CURRENT_TIMESTAMP)"),
                        [{"l": level, "n": f"RAW-{n}"} for level in levels])
                    c.execute(text(
                        "INSERT INTO order_notifications (online_order_id, kind, phone, body, created_at, attempts, error) "
                        "VALUES (:o, 'accepted', '139', 'ok', CURRENT_TIMESTAMP, 0, '')"), {"o": online_id})
                    c.execute(text(
                        "INSERT INTO payments (order_id, method, amount, change, reference, merchant_reference, status, "
                        "message, created_at) VALUES (:o, 'wechat', 1950, 0, 'T', :m, 'succeeded', '', CURRENT_TIMESTAMP)"),
                        {"o": order_id, "m": f"RAW-{n}"})
                    c.execute(text("UPDATE online_orders SET paid_at = CURRENT_TIMESTAMP WHERE id = :o"), {"o": online_id})
                timings.append(time.perf_counter() - began)
    return timings


def run(url: str, orders: int, label: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False})
    ids = prepare(app)
    tokens = carts(app, ids, orders)
    timings, statements, cpu = checkouts(app, tokens)
    raws = raw(app, ids, orders)
    p50, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[18]
    raw50 = statistics.median(raws)
    print(f"{label}: one 3-line guest checkout (account and member card made, sent to the wallet's cashier) executes {len(statements)} "
          "statements (a returning member's: these less the account's 2, plus loading the user; "
          "tests/shop/test_checkout_statements.py):")
    for statement in statements:
        print("    " + statement[:120])
    print(f"{label}: checkout POST server time over {orders} orders: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms "
          f"(goal p50 ≤ 25 ms); raw SQL of the same rows p50 {raw50 * 1000:.1f} ms: {p50 / raw50:.1f}× (goal ≤ 4×); "
          f"app CPU per checkout p50 {statistics.median(cpu) * 1000:.1f} ms (time.process_time)")
    print(f"load (uptime): {open('/proc/loadavg').read().split()[:3]}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--orders", type=int, default=200)
    p.add_argument("--sqlite", action="store_true")
    args = p.parse_args(argv)
    if args.sqlite:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/checkout.db", args.orders, "SQLite")
        return
    with Cluster(durable=True) as pg:
        run(pg.createdb("huotong"), args.orders, "PostgreSQL (fsync on, synchronous_commit on)")


if __name__ == "__main__":
    main()
