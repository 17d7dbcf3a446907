"""Many buyers at once on the last units: real threads, a real database, no mocks."""
import threading

from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.stock import queries, services
from webapp.stock.errors import InsufficientStock
from webapp.stock.models import Reservation
from webapp.stores.models import Store

BUYERS = 20
LAST_UNITS = 5


def test_twenty_buyers_on_the_last_five_units_exactly_five_succeed(app, make_store, make_sku):
    store, sku = make_store(allow_negative_stock=False), make_sku()
    services.receive(store, sku, LAST_UNITS, "2.00", user=None, document=("receipt", "1"))
    store_id, sku_id = store.id, sku.id
    db.session.commit()  # and touch nothing until the buyers are done: SQLite has one writer

    start = threading.Barrier(BUYERS)
    outcomes = []

    def buyer(number):
        with app.app_context():
            start.wait()
            try:
                services.reserve(db.session.get(Store, store_id), db.session.get(SKU, sku_id), 1,
                                 document=("order", str(number)))
                db.session.commit()
                outcomes.append("reserved")
            except InsufficientStock:
                db.session.rollback()
                outcomes.append("sold out")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes).count("reserved") == LAST_UNITS
    assert outcomes.count("sold out") == BUYERS - LAST_UNITS
    db.session.expire_all()
    assert queries.level_at(store, sku) == (LAST_UNITS, LAST_UNITS)
    assert db.session.query(Reservation).count() == LAST_UNITS
