"""Transfers through the ledger: what leaves one shelf arrives on another, or is accounted for."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.clock import business_day
from webapp.extensions import db
from webapp.stock import queries
from webapp.stock import services as ledger
from webapp.stock.errors import InsufficientStock
from webapp.stock.models import StockLevel, StockMove, Usage
from webapp.stock.transfers import errors, receiving, services
from webapp.stock.transfers.models import DiscrepancyKind, Resolution


def transit_of(store, sku, lot_id=None):
    place = ledger.location(Usage.TRANSIT, store)
    lot = StockLevel.lot_id.is_(None) if lot_id is None else StockLevel.lot_id == lot_id
    value = db.session.scalar(select(func.sum(StockLevel.on_hand))
                              .where(StockLevel.location_id == place.id, StockLevel.sku_id == sku.id, lot))
    return Decimal(value or 0)


def real_stock(sku):
    return ledger.chain_on_hand(sku)


@pytest.fixture
def two_stores(make_store, make_sku):
    sender, receiver = make_store(name="文三路店"), make_store(name="星光大道店")
    cola = make_sku(name="可口可乐 330ml", barcode="6928804011173")
    ledger.receive(sender, cola, 100, "2.00", user=None, document=("r", "1"))
    return sender, receiver, cola


def sent_transfer(sender, receiver, sku, qty, **lot):
    transfer = services.create(sender, receiver, user=None)
    services.add_line(transfer, sku, qty, **lot)
    services.send(transfer, user=None)
    return transfer


def test_sending_moves_the_goods_into_the_receiving_stores_transit_place(two_stores):
    sender, receiver, cola = two_stores
    sent_transfer(sender, receiver, cola, 12)
    assert queries.level_at(sender, cola) == (88, 0)
    assert transit_of(receiver, cola) == 12  # purchasing reads "in transit" here
    assert queries.level_at(receiver, cola) == (0, 0)
    assert real_stock(cola) == 100


def test_receiving_eleven_of_twelve_records_one_short_and_conserves_stock(two_stores):
    sender, receiver, cola = two_stores
    transfer = sent_transfer(sender, receiver, cola, 12)
    for _ in range(11):
        receiving.scan(transfer, cola)
    found = receiving.confirm_receipt(transfer, user=None)
    assert [(d.kind, d.quantity) for d in found] == [(DiscrepancyKind.SHORT, 1)]
    assert queries.level_at(receiver, cola) == (11, 0)
    assert transit_of(receiver, cola) == 1  # still on its way until a manager settles it
    assert real_stock(cola) == 100


def test_short_goods_sent_back_return_to_the_senders_shelf(two_stores, make_user):
    sender, receiver, cola = two_stores
    transfer = sent_transfer(sender, receiver, cola, 12)
    receiving.count(transfer, transfer.lines[0], 10, 0)
    short = receiving.confirm_receipt(transfer, user=None)[0]
    receiving.resolve(short, Resolution.BACK_TO_SENDER, user=make_user(stores=[receiver]), note="司机未装车")
    assert queries.level_at(sender, cola) == (90, 0)
    assert transit_of(receiver, cola) == 0 and real_stock(cola) == 100
    assert short.resolution == Resolution.BACK_TO_SENDER and short.note == "司机未装车"


def test_short_goods_lost_in_transit_are_written_off(two_stores, make_user):
    sender, receiver, cola = two_stores
    transfer = sent_transfer(sender, receiver, cola, 12)
    receiving.count(transfer, transfer.lines[0], 11, 0)
    short = receiving.confirm_receipt(transfer, user=None)[0]
    receiving.resolve(short, Resolution.LOST, user=make_user(stores=[receiver]))
    assert transit_of(receiver, cola) == 0
    assert real_stock(cola) == 99
    loss = db.session.scalar(select(StockMove).where(StockMove.to_location_id == ledger.location(Usage.LOSS).id))
    assert loss.quantity == 1 and loss.reason == "write_off" and loss.document_id == transfer.number


def test_damaged_goods_are_kept_off_the_shelf_until_written_off(two_stores, make_user):
    sender, receiver, cola = two_stores
    transfer = sent_transfer(sender, receiver, cola, 12)
    receiving.count(transfer, transfer.lines[0], 10, 2)
    damaged = receiving.confirm_receipt(transfer, user=None)
    assert [(d.kind, d.quantity) for d in damaged] == [(DiscrepancyKind.DAMAGED, 2)]
    assert queries.level_at(receiver, cola) == (10, 0)
    receiving.resolve(damaged[0], Resolution.WRITTEN_OFF, user=make_user(stores=[receiver]))
    assert transit_of(receiver, cola) == 0 and real_stock(cola) == 98


def test_goods_over_the_transfer_kept_come_off_the_senders_books(two_stores, make_user):
    sender, receiver, cola = two_stores
    transfer = sent_transfer(sender, receiver, cola, 12)
    receiving.count(transfer, transfer.lines[0], 13, 0)
    over = receiving.confirm_receipt(transfer, user=None)
    assert [(d.kind, d.quantity) for d in over] == [(DiscrepancyKind.OVER, 1)]
    assert queries.level_at(receiver, cola) == (12, 0)
    receiving.resolve(over[0], Resolution.KEPT, user=make_user(stores=[receiver]))
    assert queries.level_at(receiver, cola) == (13, 0) and queries.level_at(sender, cola) == (87, 0)
    assert real_stock(cola) == 100


def test_a_discrepancy_is_settled_once(two_stores, make_user):
    sender, receiver, cola = two_stores
    transfer = sent_transfer(sender, receiver, cola, 12)
    short = receiving.confirm_receipt(transfer, user=None)[0]
    receiving.resolve(short, Resolution.BACK_TO_SENDER, user=make_user(stores=[receiver]))
    with pytest.raises(errors.AlreadyResolved):
        receiving.resolve(short, Resolution.LOST, user=make_user(stores=[receiver]))
    assert queries.level_at(sender, cola) == (100, 0)


def test_a_resolution_that_does_not_fit_the_kind_is_refused(two_stores, make_user):
    sender, receiver, cola = two_stores
    short = receiving.confirm_receipt(sent_transfer(sender, receiver, cola, 2), user=None)[0]
    with pytest.raises(errors.WrongResolution):
        receiving.resolve(short, Resolution.KEPT, user=make_user(stores=[receiver]))


def test_sending_more_than_available_is_refused_and_nothing_moves(two_stores):
    sender, receiver, cola = two_stores
    transfer = services.create(sender, receiver, user=None)
    services.add_line(transfer, cola, 150)
    with pytest.raises(InsufficientStock) as refused:
        services.send(transfer, user=None)
    assert "150" in str(refused.value) and "100" in str(refused.value)


def test_a_transfer_is_sent_once_and_received_once(two_stores):
    sender, receiver, cola = two_stores
    transfer = sent_transfer(sender, receiver, cola, 5)
    with pytest.raises(errors.AlreadySent):
        services.send(transfer, user=None)
    receiving.scan(transfer, cola, 5)
    receiving.confirm_receipt(transfer, user=None)
    with pytest.raises(errors.AlreadyReceived):
        receiving.confirm_receipt(transfer, user=None)
    with pytest.raises(errors.AlreadyReceived):
        receiving.scan(transfer, cola)
    assert queries.level_at(sender, cola) == (95, 0) and queries.level_at(receiver, cola) == (5, 0)


def test_a_scanned_sku_that_is_not_on_the_transfer_is_refused(two_stores, make_sku):
    sender, receiver, cola = two_stores
    transfer = sent_transfer(sender, receiver, cola, 5)
    with pytest.raises(errors.NotOnTransfer) as refused:
        receiving.scan(transfer, make_sku(name="雪碧 330ml"))
    assert "雪碧" in str(refused.value)


def test_a_transfer_to_the_same_store_is_refused(two_stores):
    sender, _receiver, _cola = two_stores
    with pytest.raises(errors.SameStore):
        services.create(sender, sender, user=None)


def test_transfers_send_the_first_expiring_lot_first(make_store, make_sku):
    sender, receiver = make_store(), make_store()
    milk = make_sku(name="光明 鲜牛奶", tracking="lot")
    today = business_day()
    ledger.receive(sender, milk, 6, "4.00", user=None, document=("r", "1"), lot_code="LATE",
                   expiry=today + timedelta(days=9))
    ledger.receive(sender, milk, 6, "4.00", user=None, document=("r", "2"), lot_code="SOON",
                   expiry=today + timedelta(days=2))
    transfer = sent_transfer(sender, receiver, milk, 8)
    moves = db.session.scalars(select(StockMove).where(StockMove.document_id == transfer.number)
                               .order_by(StockMove.id)).all()
    assert [(m.lot.code, m.quantity) for m in moves] == [("SOON", 6), ("LATE", 2)]
    receiving.scan(transfer, milk, 7)
    receiving.confirm_receipt(transfer, user=None)
    # on the receiver's shelf: the sooner lot first; the short unit is of the later lot, still in transit
    assert transit_of(receiver, milk, moves[1].lot_id) == 1 and transit_of(receiver, milk, moves[0].lot_id) == 0


def test_serial_goods_travel_by_serial_number(make_store, make_sku):
    sender, receiver = make_store(), make_store()
    phone = make_sku(name="小米 移动电源", tracking="serial")
    for serial in ("SN001", "SN002"):
        ledger.receive(sender, phone, 1, "50.00", user=None, document=("r", serial), lot_code=serial)
    transfer = services.create(sender, receiver, user=None)
    with pytest.raises(errors.SerialNeeded):
        services.add_line(transfer, phone, 1)
    with pytest.raises(errors.UnknownSerial):
        services.add_line(transfer, phone, 1, serial="SN999")
    services.add_line(transfer, phone, 1, serial="SN002")
    with pytest.raises(errors.SerialTwice):
        services.add_line(transfer, phone, 1, serial="SN002")
    services.send(transfer, user=None)
    move = db.session.scalar(select(StockMove).where(StockMove.document_id == transfer.number))
    assert move.lot.code == "SN002"


def test_lines_cannot_change_once_sent(two_stores):
    sender, receiver, cola = two_stores
    transfer = sent_transfer(sender, receiver, cola, 5)
    with pytest.raises(errors.NotDraft):
        services.add_line(transfer, cola, 1)


def test_an_empty_transfer_cannot_be_sent(two_stores):
    sender, receiver, _cola = two_stores
    with pytest.raises(errors.EmptyTransfer):
        services.send(services.create(sender, receiver, user=None), user=None)
