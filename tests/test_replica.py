"""Reports read from a real PostgreSQL streaming replica while the till writes to the primary, and
fall back to the primary — never a 500 — when the replica lags or is down.

Two throwaway clusters of their own (whatever TEST_DATABASE_URL says; bench/replication.py): a
primary with a replication user, and a hot standby made from it by ``pg_basebackup -R``, each on a
free port, in one temp directory, both stopped when the module is done, also when a test failed. Skipped where the
PostgreSQL server binaries are not installed; `make test` runs it in its PostgreSQL pass.
"""
import logging
import os
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import event, text

from bench.replication import primary_and_replica, scalar, server_binaries
from webapp import create_app
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, save_product
from webapp.csvfile import read_rows
from webapp.extensions import db
from webapp.pos import queries as pos_queries
from webapp.pos import services as pos
from webapp.replica import reading_from_replica, replica_of
from webapp.stock import services as stock
from webapp.stores.models import Store
from webapp.stores.services import save_store

PASSWORD = "secret-pass-1"
HX = {"HX-Request": "true", "Accept-Language": "zh-CN"}
ZH = {"Accept-Language": "zh-CN"}
MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")

pytestmark = pytest.mark.skipif(server_binaries() is None,
                                reason="PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) not found")


@pytest.fixture(scope="module")
def clusters():
    with primary_and_replica() as pair:
        yield pair


@pytest.fixture(scope="module")
def chain(clusters):
    """The app on the primary with the replica configured; the schema migrated on the primary (the
    replica gets it by streaming); a store with a till, a cashier, a manager and a stocked SKU."""
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": clusters.primary.url(),
        "DATABASE_REPLICA_URL": clusters.replica.url(),
        "REPLICA_CHECK_SECONDS": 3600,  # each phase says when to look again (forget())
    })
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=MIGRATIONS)
        store = save_store(None, code="HZ01", name="西湖店")
        stock.ensure_locations(store)
        product = save_product(None, name="龙井茶", tracking="none", weighed=False, unit="piece", plu=None,
                               variants=[VariantInput(code="TEA-1", list_price="9.00", barcodes=["6921168509256"])])
        tea = product.skus[0]
        stock.receive(store, tea, 50, "2.00", user=None, document=("receipt", "R1"))
        cashier = save_user(None, username="cashier", display_name="李四", role=Role.CASHIER, stores=[store],
                            password=PASSWORD)
        save_user(None, username="manager", display_name="店长", role=Role.STORE_MANAGER, stores=[store],
                  password=PASSWORD)
        register = pos.save_register(None, store=store, name="1号收银台", receipt_width=80)
        shift = pos.open_shift(register, cashier, "200.00")
        db.session.commit()
        ids = {"store": store.id, "register": register.id, "shift": shift.id}
        db.session.remove()
    clusters.caught_up()
    yield app, ids
    replica_of(app).engine.dispose()
    with app.app_context():
        db.engine.dispose()


@dataclass
class Seen:
    """What one report request answered: status, where the page says it read, the SKU's sales."""

    status: int
    read_from: str | None
    sold: str | None
    replica_statements: list[str]


class Manager:
    """The store manager's browser, watching which statements reach the replica's engine."""

    def __init__(self, app, store_id: int):
        self.app, self.store_id, self.statements = app, store_id, []
        self.client = app.test_client()
        response = self.client.post("/login", data={"username": "manager", "password": PASSWORD})
        assert response.status_code == 303
        with app.app_context():
            event.listen(replica_of(app).engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args):
        self.statements.append(statement)

    def hot_sellers(self) -> Seen:
        self.statements.clear()
        page = self.client.get(f"/manage/reports/stores/{self.store_id}/hot-sellers", headers=ZH)
        body = page.get_data(as_text=True)
        read_from = body.split('data-read-from="', 1)[1].split('"', 1)[0] if "data-read-from" in body else None
        csv = self.client.get(f"/manage/reports/stores/{self.store_id}/hot-sellers?format=csv", headers=ZH)
        rows = read_rows(csv.get_data(), ["SKU", "销量"]) if csv.status_code == 200 else []
        sold = next((row["销量"] for row in rows if row["SKU"] == "TEA-1"), None)
        return Seen(max(page.status_code, csv.status_code), read_from, sold,
                    [s for s in self.statements if "pg_is_in_recovery" not in s])


def _sell_one_at_the_till(app, ids) -> None:
    """The cashier scans the tea and takes exact cash, through the till's own endpoints (on the primary)."""
    client = app.test_client()
    assert client.post("/login", data={"username": "cashier", "password": PASSWORD}).status_code == 303
    assert client.post(f"/pos/registers/{ids['register']}/scan", data={"code": "6921168509256"},
                       headers=HX).status_code < 300
    with app.app_context():
        from webapp.pos.models import Shift

        order_id = pos_queries.current_sale(db.session.get(Shift, ids["shift"])).id
        db.session.remove()
    form = {"client_uuid": f"sale-{order_id}", "method": ["cash"], "amount": ["9.00"], "auth_code": [""]}
    assert client.post(f"/pos/orders/{order_id}/pay", data=form, headers=HX).status_code == 204


def _look_again(app, **config) -> None:
    app.config.update(config)
    replica_of(app).forget()


def test_a_till_sale_on_the_primary_shows_in_a_report_served_from_the_replica(chain, clusters):
    app, ids = chain
    manager = Manager(app, ids["store"])
    _sell_one_at_the_till(app, ids)
    clusters.caught_up()
    _look_again(app, REPLICA_MAX_LAG_SECONDS=30)

    seen = manager.hot_sellers()
    assert (seen.status, seen.read_from, seen.sold) == (200, "replica", "1")
    assert any("order_lines" in s for s in seen.replica_statements)  # the report's own query ran there
    assert all(s.lstrip().upper().startswith(("SELECT", "WITH")) for s in seen.replica_statements)
    assert scalar(clusters.replica.url(), "SELECT pg_is_in_recovery()") is True  # and there is a standby
    page = manager.client.get("/manage/", headers=ZH)
    assert page.status_code == 200 and "数据来自只读副本" in page.get_data(as_text=True)


def test_a_write_made_while_reading_from_the_replica_goes_to_the_primary(chain, clusters):
    app, ids = chain
    seen = []
    listen = lambda _conn, _cursor, statement, *_args: seen.append(statement)  # noqa: E731
    event.listen(replica_of(app).engine, "before_cursor_execute", listen)
    try:
        with app.test_request_context(), reading_from_replica(replica_of(app)):
            store = db.session.get(Store, ids["store"])  # read on the replica
            store.name = "西湖店(旗舰)"
            db.session.flush()  # the UPDATE: on the primary
            db.session.execute(text("UPDATE stores SET code = code WHERE id = :id"), {"id": store.id})
            db.session.commit()
    finally:
        event.remove(replica_of(app).engine, "before_cursor_execute", listen)
    assert scalar(clusters.primary.url(), f"SELECT name FROM stores WHERE id = {ids['store']}") == "西湖店(旗舰)"
    assert any("FROM stores" in s for s in seen) and not any("UPDATE" in s.upper() for s in seen)


def test_a_replica_behind_the_bound_is_passed_over_for_the_primary(chain, clusters, caplog):
    app, ids = chain
    manager = Manager(app, ids["store"])
    clusters.caught_up()
    _look_again(app, REPLICA_MAX_LAG_SECONDS=30)
    caught_up = manager.hot_sellers()
    assert caught_up.read_from == "replica"
    scalar(clusters.replica.url(), "SELECT pg_wal_replay_pause()")
    try:
        _sell_one_at_the_till(app, ids)  # the till keeps selling on the primary
        _look_again(app, REPLICA_MAX_LAG_SECONDS=3600)  # a generous bound: the stale replica is still used
        stale = manager.hot_sellers()
        assert (stale.status, stale.read_from) == (200, "replica")
        assert stale.sold == caught_up.sold  # it has not seen the new sale: these figures came from the replica

        _look_again(app, REPLICA_MAX_LAG_SECONDS=0.5)
        time.sleep(1.0)  # the replica's last replayed sale is now older than the bound
        with caplog.at_level(logging.INFO, logger="webapp.replica"):
            _look_again(app)
            fresh = manager.hot_sellers()
            _look_again(app)
            again = manager.hot_sellers()
        assert (fresh.status, fresh.read_from, again.read_from) == (200, "primary", "primary")
        assert int(fresh.sold) == int(stale.sold) + 1  # the primary has it
        assert fresh.replica_statements == [] and again.replica_statements == []
        page = manager.client.get(f"/manage/reports/stores/{ids['store']}/hot-sellers", headers=ZH)
        assert "数据来自主库 · 只读副本延迟" in page.get_data(as_text=True)
        logged = [r.getMessage() for r in caplog.records if r.name == "webapp.replica"]
        assert len(logged) == 1 and "behind" in logged[0]  # logged once, not per request
    finally:
        scalar(clusters.replica.url(), "SELECT pg_wal_replay_resume()")
        _look_again(app, REPLICA_MAX_LAG_SECONDS=30)


def test_a_replica_that_goes_down_leaves_the_reports_on_the_primary_never_a_500(chain, clusters, caplog):
    app, ids = chain
    manager = Manager(app, ids["store"])
    clusters.caught_up()
    _look_again(app, REPLICA_MAX_LAG_SECONDS=30)
    assert manager.hot_sellers().read_from == "replica"  # checked and trusted for an hour (REPLICA_CHECK_SECONDS)

    clusters.replica.stop()
    _sell_one_at_the_till(app, ids)
    with caplog.at_level(logging.INFO, logger="webapp.replica"):
        mid_request = manager.hot_sellers()  # its pooled connection is dead: the view starts again on the primary
        _look_again(app)
        checked = manager.hot_sellers()  # the check cannot connect: the primary from the start
        dashboard = manager.client.get("/manage/", headers=ZH)
    assert (mid_request.status, mid_request.read_from) == (200, "primary")
    assert (checked.status, checked.read_from) == (200, "primary")
    assert checked.sold == mid_request.sold and int(checked.sold) >= 2  # the primary's figures, the new sale in
    assert dashboard.status_code == 200 and "只读副本无法连接" in dashboard.get_data(as_text=True)
    warnings = [r.getMessage() for r in caplog.records if r.name == "webapp.replica"]
    assert len(warnings) == 1 and "unreachable" in warnings[0]  # logged once, not per request
