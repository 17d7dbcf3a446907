"""Two phones confirm the same receiving note at once: real threads, a real database."""
import threading

from webapp.extensions import db
from webapp.purchasing import receiving
from webapp.purchasing.errors import NoteConfirmed
from webapp.purchasing.models import OrderStatus, PurchaseOrder, ReceivingNote
from webapp.stock import queries as stock_queries

PHONES = 4


def test_a_note_confirmed_from_four_phones_at_once_is_received_once(
        app, make_store, make_sku, make_supplier, sent_order):
    store, sku = make_store(), make_sku(barcode="6928804011173")
    order = sent_order(store, make_supplier(items=[(sku, "1.80", "6")]), [(sku, "12")])
    note = receiving.start(store, user=None, order=order)
    receiving.scan(note, "6928804011173", as_pack=True)
    note_id, order_id = note.id, order.id
    db.session.commit()  # and touch nothing until the phones are done: SQLite has one writer

    start = threading.Barrier(PHONES)
    outcomes = []

    def phone():
        with app.app_context():
            start.wait()
            try:
                receiving.confirm(db.session.get(ReceivingNote, note_id), user=None)
                db.session.commit()
                outcomes.append("received")
            except NoteConfirmed:
                db.session.rollback()
                outcomes.append("already")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=phone) for _ in range(PHONES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["already"] * (PHONES - 1) + ["received"]
    db.session.expire_all()
    assert stock_queries.level_at(store, sku)[0] == 6
    order = db.session.get(PurchaseOrder, order_id)
    assert order.status == OrderStatus.PARTLY_RECEIVED and order.lines[0].received == 6
