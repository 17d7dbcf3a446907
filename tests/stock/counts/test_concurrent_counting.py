"""Several people count the same store at once: real threads, a real database, no mocks."""
import threading
from decimal import Decimal

from webapp.auth.models import Role, User
from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.stock import queries as stock_queries
from webapp.stock import services as ledger
from webapp.stock.counts import queries, services
from webapp.stock.counts.errors import CountClosed
from webapp.stock.counts.models import CountEntry, Scope, StockCount
from webapp.stores.models import Store

PEOPLE = 6
SCANS = 15


def _run(threads):
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def test_six_people_scanning_the_same_sku_in_different_places_lose_no_scan(app, make_store, make_user, make_sku):
    store, cola = make_store(), make_sku(name="可乐")
    ledger.receive(store, cola, 50, "2.00", user=None, document=("receipt", "1"))
    users = [make_user(Role.CASHIER, stores=[store]) for _ in range(PEOPLE)]
    count = services.start_count(store, user=None, scope=Scope.STORE)
    count_id, code, user_ids = count.id, cola.code, [u.id for u in users]
    db.session.commit()
    start = threading.Barrier(PEOPLE)
    errors = []

    def person(number):
        with app.app_context():
            start.wait()
            try:
                for _ in range(SCANS):
                    services.record(db.session.get(StockCount, count_id), code,
                                    user=db.session.get(User, user_ids[number]), place=f"货架{number}")
                    db.session.commit()
            except Exception as e:  # noqa: BLE001 - the test reports whatever went wrong
                errors.append(e)
            finally:
                db.session.remove()

    _run([threading.Thread(target=person, args=(n,)) for n in range(PEOPLE)])
    assert errors == []
    db.session.expire_all()
    assert db.session.query(CountEntry).count() == PEOPLE * SCANS
    (line,) = queries.live_variance(count)
    assert line.counted == PEOPLE * SCANS and line.difference == PEOPLE * SCANS - 50
    per_person = {u: db.session.query(CountEntry).filter_by(user_id=u).count() for u in user_ids}
    assert set(per_person.values()) == {SCANS}


def test_entries_racing_an_approval_are_either_in_it_or_refused(app, make_store, make_user, make_sku):
    store, cola = make_store(), make_sku(name="可乐")
    ledger.receive(store, cola, 50, "2.00", user=None, document=("receipt", "1"))
    count = services.start_count(store, user=None, scope=Scope.STORE)
    count_id, code, store_id = count.id, cola.code, store.id
    db.session.commit()
    start = threading.Barrier(PEOPLE + 2)
    kept, refused, approvals = [], [], []

    def person():
        with app.app_context():
            start.wait()
            for _ in range(SCANS):
                try:
                    services.record(db.session.get(StockCount, count_id), code, user=None)
                    db.session.commit()
                    kept.append(1)
                except CountClosed:
                    db.session.rollback()
                    refused.append(1)
            db.session.remove()

    def manager():
        with app.app_context():
            start.wait()
            try:
                services.approve(db.session.get(StockCount, count_id), user=None)
                db.session.commit()
                approvals.append("approved")
            except CountClosed:
                db.session.rollback()
                approvals.append("already")
            db.session.remove()

    _run([threading.Thread(target=person) for _ in range(PEOPLE)] + [threading.Thread(target=manager) for _ in range(2)])
    db.session.expire_all()
    assert sorted(approvals) == ["already", "approved"]
    assert len(kept) + len(refused) == PEOPLE * SCANS
    lines, _ = queries.report(db.session.get(StockCount, count_id))
    counted = lines[0].counted if lines else Decimal("0")
    approved_entries = db.session.query(CountEntry).count()
    assert approved_entries == len(kept) == counted  # every kept entry is in the approved count
    if lines:
        assert stock_queries.level_at(db.session.get(Store, store_id), cola)[0] == counted


def test_sales_racing_the_approval_are_all_kept(app, make_store, make_sku):
    """Whatever the order, on hand ends as counted less everything sold after the count."""
    store, cola = make_store(), make_sku(name="可乐")
    ledger.receive(store, cola, 100, "2.00", user=None, document=("receipt", "1"))
    count = services.start_count(store, user=None, scope=Scope.STORE)
    services.record(count, cola.code, 90, user=None)  # ten missing
    count_id, store_id, sku_id = count.id, store.id, cola.id
    db.session.commit()
    sellers, sales = 6, 5
    start = threading.Barrier(sellers + 1)

    def seller(number):
        with app.app_context():
            start.wait()
            for i in range(sales):
                ledger.sell(db.session.get(Store, store_id), db.session.get(SKU, sku_id), 1, user=None,
                            document=("sale", f"{number}-{i}"))
                db.session.commit()
            db.session.remove()

    def manager():
        with app.app_context():
            start.wait()
            services.approve(db.session.get(StockCount, count_id), user=None)
            db.session.commit()
            db.session.remove()

    _run([threading.Thread(target=seller, args=(n,)) for n in range(sellers)] + [threading.Thread(target=manager)])
    db.session.expire_all()
    assert not db.session.get(StockCount, count_id).is_open
    assert stock_queries.level_at(store, cola)[0] == 90 - sellers * sales
