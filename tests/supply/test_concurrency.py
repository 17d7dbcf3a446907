"""Two HQ staff approve the last units for two stores at the same instant: real threads, a real database."""
import threading

from webapp.extensions import db
from webapp.supply import allocation, errors
from webapp.supply.models import StoreOrder


def _at_once(app, work, ids):
    start, outcomes = threading.Barrier(len(ids)), []

    def staff(order_id):
        with app.app_context():
            start.wait()
            try:
                work(db.session.get(StoreOrder, order_id))
                db.session.commit()
                outcomes.append("approved")
            except errors.NotPending:
                db.session.rollback()
                outcomes.append("already")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=staff, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_staff_approving_the_last_units_for_two_stores_stay_within_hq_stock(app, hq, stock_hq, franchise,
                                                                                 make_sku, submitted):
    sku = make_sku()
    stock_hq(sku, 10)
    first, second = submitted(franchise(), [(sku, 10)]), submitted(franchise(), [(sku, 10)])
    admin_id, ids = hq.admin.id, [first.id, second.id]
    db.session.commit()

    def approve(order):
        allocation.approve(order, user=db.session.get(type(hq.admin), admin_id))

    assert _at_once(app, approve, ids) == ["approved", "approved"]
    db.session.expire_all()
    given = [db.session.get(StoreOrder, i).lines[0].approved for i in ids]
    assert sum(given) == 10 and sorted(given) == [5, 5]


def test_one_order_approved_from_two_desks_at_once_is_approved_once(app, hq, stock_hq, franchise, make_sku,
                                                                    submitted):
    sku = make_sku()
    stock_hq(sku, 50)
    order = submitted(franchise(), [(sku, 10)])
    order_id = order.id
    db.session.commit()
    outcomes = _at_once(app, lambda o: allocation.approve(o, user=None), [order_id, order_id])
    assert sorted(outcomes) == ["already", "approved"]
    db.session.expire_all()
    found = db.session.get(StoreOrder, order_id)
    assert found.lines[0].approved == 10
    assert db.session.scalar(db.select(db.func.count()).select_from(StoreOrder)) == 1  # no back-order, no double
