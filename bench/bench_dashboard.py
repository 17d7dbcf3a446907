"""The manager's dashboard on a chain's year: first paint and refresh p95, and a till sale beside it.

    .venv/bin/python -m bench.generate --database-url sqlite:////tmp/chain.db
    .venv/bin/python -m bench.bench_dashboard --database-url sqlite:////tmp/chain.db
    scripts/with-postgres.sh sh -c '.venv/bin/python -m bench.generate --database-url "$TEST_DATABASE_URL" &&
                                    .venv/bin/python -m bench.bench_dashboard --database-url "$TEST_DATABASE_URL"'

Requests go through the real app (Flask's test client: routing, the guards, the queries, the
templates; no network), signed in as HQ (the whole chain, 120 stores) and as a store's manager.
"First paint" is the whole page, "refresh" the htmx poll that the page repeats every 5 s. Then a
till completes sales (open, scan, pay in cash, commit) alone, and again while another process polls
the chain's dashboard every 2 s, to show the dashboard's reads take no lock a sale waits for.
"""
import argparse
import multiprocessing
import statistics
import time
import uuid

from sqlalchemy import select

from webapp import create_app
from webapp.auth.models import Role, User
from webapp.auth.services import save_user
from webapp.extensions import db
from webapp.stores.models import Store

PASSWORD = "bench-pass-1"


def app_for(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench",
                       "LOGIN_LIMIT": "10000 per minute"})


def user(username: str, role: Role, stores=()) -> User:
    found = db.session.scalar(select(User).where(User.username == username))
    if found is None:
        found = save_user(None, username=username, display_name=username, role=role, stores=list(stores),
                          password=PASSWORD)
        db.session.commit()
    return found


def timed(client, url: str, runs: int, headers=None) -> list[float]:
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers=headers or {})
        found.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return found


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95 + 0.5) - 1)]


def show(name: str, values: list[float]) -> None:
    print(f"  {name:<44} p50 {statistics.median(values):7.1f} ms   p95 {p95(values):7.1f} ms   (n={len(values)})",
          flush=True)


def dashboard(app, runs: int) -> None:
    with app.app_context():
        store = db.session.scalar(select(Store).order_by(Store.id))
        user("bench-hq", Role.HQ_ADMIN)
        user(f"bench-manager-{store.id}", Role.STORE_MANAGER, [store])
        store_id = store.id
    poll = {"HX-Request": "true"}
    for username, scope in (("bench-hq", "the whole chain"), (f"bench-manager-{store_id}", "one store")):
        client = app.test_client()
        client.post("/login", data={"username": username, "password": PASSWORD})
        print(f"{scope}:")
        timed(client, "/manage/", 2)  # warm the caches, as a running server has them
        show("dashboard, first paint (whole page)", timed(client, "/manage/", runs))
        show("dashboard, refresh (the htmx poll)", timed(client, "/manage/", runs, poll))
        show("alerts (loaded after the first paint)", timed(client, "/manage/alerts?short=1", max(3, runs // 5), poll))
        show("slow sellers (loaded after the first paint)", timed(client, "/manage/slow-sellers", max(3, runs // 5), poll))
        show("KPIs, 30 days", timed(client, "/manage/kpis", max(3, runs // 10)))


def poller(url: str, stop, count) -> None:
    """Another process: the chain's dashboard refreshing every 2 s."""
    app = app_for(url)
    client = app.test_client()
    client.post("/login", data={"username": "bench-hq", "password": PASSWORD})
    while not stop.is_set():
        started = time.perf_counter()
        client.get("/manage/", headers={"HX-Request": "true"})
        count.value += 1
        stop.wait(max(0.0, 2 - (time.perf_counter() - started)))


def till_sales(app, sales: int) -> list[float]:
    from webapp.catalog.models import SKU
    from webapp.sales import services
    from webapp.sales.services import Tender
    from webapp.stock.models import StockLevel
    from webapp.stock.services import shelf

    found = []
    with app.app_context():
        store = db.session.scalar(select(Store).order_by(Store.id))
        cashier = user(f"bench-cashier-{store.id}", Role.CASHIER, [store])
        sku_ids = list(db.session.scalars(select(StockLevel.sku_id).where(StockLevel.location_id == shelf(store).id)
                                          .order_by(StockLevel.sku_id).limit(50)))
        db.session.commit()
        for n in range(sales):
            started = time.perf_counter()
            order = services.open_sale(store)
            for sku_id in sku_ids[n % 10:n % 10 + 3]:
                services.add_item(order, db.session.get(SKU, sku_id), 1)
            services.complete_sale(order, [Tender("cash", str(order.total))], user=cashier,
                                   client_uuid=uuid.uuid4().hex)
            db.session.commit()
            found.append((time.perf_counter() - started) * 1000)
            db.session.expunge_all()
    return found


def till_beside_dashboard(app, url: str, sales: int) -> None:
    print("a till sale (3 lines, cash, committed):")
    show("alone", till_sales(app, sales))
    context = multiprocessing.get_context("spawn")
    stop, count = context.Event(), context.Value("i", 0)
    process = context.Process(target=poller, args=(url, stop, count))
    process.start()
    while count.value < 1 and process.is_alive():  # the poller has started and refreshed once
        time.sleep(0.1)
    try:
        show("while the chain's dashboard refreshes every 2 s", till_sales(app, sales))
    finally:
        stop.set()
        process.join()
    print(f"  (the dashboard refreshed {count.value} times meanwhile)")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--runs", type=int, default=40)
    p.add_argument("--sales", type=int, default=200)
    args = p.parse_args(argv)
    app = app_for(args.database_url)
    with app.app_context():
        from sqlalchemy import func

        from webapp.sales.models import OrderLine
        lines = db.session.scalar(select(func.count()).select_from(OrderLine))
        stores = db.session.scalar(select(func.count()).select_from(Store))
        print(f"{db.engine.dialect.name}: {stores} stores, {lines:,} order lines")
    dashboard(app, args.runs)
    till_beside_dashboard(app, args.database_url, args.sales)


if __name__ == "__main__":
    main()
