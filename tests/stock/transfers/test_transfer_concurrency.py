"""Two taps at once on Send or Finish receiving: real threads, a real database, one result."""
import threading

from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.stock import queries
from webapp.stock import services as ledger
from webapp.stock.transfers import errors, receiving, services
from webapp.stock.transfers.models import Discrepancy, Transfer
from webapp.stores.models import Store

TAPS = 4


def at_once(app, action):
    """Run ``action(transfer)`` in TAPS threads together; return what each got."""
    start, outcomes = threading.Barrier(TAPS), []

    def tap(transfer_id):
        with app.app_context():
            start.wait()
            try:
                action(db.session.get(Transfer, transfer_id))
                db.session.commit()
                outcomes.append("done")
            except (errors.AlreadySent, errors.AlreadyReceived) as refused:
                db.session.rollback()
                outcomes.append(type(refused).__name__)
            finally:
                db.session.remove()

    return tap, outcomes


def test_sending_and_receiving_tapped_four_times_at_once_happen_once(app, make_store, make_sku):
    sender, receiver, cola = make_store(), make_store(), make_sku()
    ledger.receive(sender, cola, 100, "2.00", user=None, document=("r", "1"))
    transfer = services.create(sender, receiver, user=None)
    services.add_line(transfer, cola, 12)
    transfer_id, ids = transfer.id, (sender.id, receiver.id, cola.id)
    db.session.commit()

    for action, refusal in ((lambda t: services.send(t, user=None), "AlreadySent"),
                            (lambda t: receiving.confirm_receipt(t, user=None), "AlreadyReceived")):
        tap, outcomes = at_once(app, action)
        threads = [threading.Thread(target=tap, args=(transfer_id,)) for _ in range(TAPS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == sorted(["done"] + [refusal] * (TAPS - 1))

    db.session.expire_all()
    sender, receiver, cola = db.session.get(Store, ids[0]), db.session.get(Store, ids[1]), db.session.get(SKU, ids[2])
    assert queries.level_at(sender, cola) == (88, 0)
    assert db.session.query(Discrepancy).count() == 1  # nothing was counted in: 12 short, once
    assert ledger.chain_on_hand(cola) == 100
