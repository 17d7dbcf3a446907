"""The stock ledger as a store would see it."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.clock import business_day
from webapp.errors import InvalidQuantity
from webapp.extensions import db
from webapp.stock import queries, services
from webapp.stock.errors import InsufficientStock, LotRequired, ReservationClosed, SerialQuantity
from webapp.stock.models import StockLevel, StockMove, Usage

RECEIPT = ("receipt", "RN-1")


def on_hand(store, sku):
    return queries.level_at(store, sku)[0]


def test_receiving_puts_stock_on_the_shelf_and_a_move_in_the_ledger(make_store, make_sku):
    store, sku = make_store(), make_sku()
    services.receive(store, sku, 10, "2.00", user=None, document=RECEIPT)
    assert on_hand(store, sku) == 10
    [move] = queries.ledger(store, sku)
    assert (move.quantity, move.reason, move.document_id) == (Decimal("10"), "receipt", "RN-1")
    assert move.from_location.usage == Usage.SUPPLIER


def test_receiving_keeps_a_moving_average_cost_to_the_fen(make_store, make_sku):
    store, sku = make_store(), make_sku()
    services.receive(store, sku, 10, "2.00", user=None, document=RECEIPT)
    services.receive(store, sku, 5, "2.60", user=None, document=RECEIPT)
    assert sku.cost == Decimal("2.20")  # (10 × 2.00 + 5 × 2.60) / 15
    services.receive(store, sku, 3, "1.00", user=None, document=RECEIPT)
    assert sku.cost == Decimal("2.00")  # (15 × 2.20 + 3 × 1.00) / 18


def test_average_cost_counts_stock_in_every_store_of_the_chain(make_store, make_sku):
    a, b, sku = make_store(), make_store(), make_sku()
    services.receive(a, sku, 10, "1.00", user=None, document=RECEIPT)
    services.receive(b, sku, 10, "3.00", user=None, document=RECEIPT)
    assert sku.cost == Decimal("2.00")


def test_a_sale_keeps_its_cost_for_the_margin(make_store, make_sku):
    store, sku = make_store(), make_sku()
    services.receive(store, sku, 4, "2.50", user=None, document=RECEIPT)
    [move] = services.sell(store, sku, 1, user=None, document=("sale", "1"))
    assert move.unit_cost == Decimal("2.50")


def test_weighed_goods_are_exact_to_the_gram(make_store, make_sku):
    store, sku = make_store(), make_sku(weighed=True, unit="kg")
    services.receive(store, sku, "12.500", "8.00", user=None, document=RECEIPT)
    services.sell(store, sku, "0.235", user=None, document=("sale", "1"))
    assert on_hand(store, sku) == Decimal("12.265")


def test_a_quantity_finer_than_a_gram_is_refused(make_store, make_sku):
    store, sku = make_store(), make_sku()
    with pytest.raises(ValueError):
        services.receive(store, sku, "1.0001", "1.00", user=None, document=RECEIPT)


@pytest.mark.parametrize("bad", ["0", "-3"])
def test_zero_or_negative_quantities_are_refused(make_store, make_sku, bad):
    store, sku = make_store(), make_sku()
    with pytest.raises(InvalidQuantity):
        services.receive(store, sku, bad, "1.00", user=None, document=RECEIPT)
    assert db.session.scalar(select(func.count(StockMove.id))) == 0


def test_a_store_that_forbids_negative_stock_refuses_the_sale(make_store, make_sku):
    store, sku = make_store(allow_negative_stock=False), make_sku(name="可口可乐")
    services.receive(store, sku, 2, "2.00", user=None, document=RECEIPT)
    with pytest.raises(InsufficientStock) as refusal:
        services.sell(store, sku, 3, user=None, document=("sale", "1"))
    assert "可口可乐" in str(refusal.value)
    assert on_hand(store, sku) == 2


def test_a_till_sale_may_drive_stock_below_zero_where_the_store_allows(make_store, make_sku):
    store, sku = make_store(allow_negative_stock=True), make_sku()
    services.receive(store, sku, 1, "2.00", user=None, document=RECEIPT)
    services.sell(store, sku, 3, user=None, document=("sale", "1"))
    assert on_hand(store, sku) == -2


def test_a_till_sale_never_takes_stock_reserved_for_an_online_order(make_store, make_sku):
    store, sku = make_store(allow_negative_stock=False), make_sku()
    services.receive(store, sku, 5, "2.00", user=None, document=RECEIPT)
    services.reserve(store, sku, 4, document=("order", "1"))
    with pytest.raises(InsufficientStock):
        services.sell(store, sku, 2, user=None, document=("sale", "1"))
    services.sell(store, sku, 1, user=None, document=("sale", "2"))
    assert queries.level_at(store, sku) == (4, 4)


def test_a_reservation_is_consumed_on_handover(make_store, make_sku):
    store, sku = make_store(), make_sku()
    services.receive(store, sku, 5, "2.00", user=None, document=RECEIPT)
    [reservation] = services.reserve(store, sku, 2, document=("order", "7"))
    assert queries.level_at(store, sku) == (5, 2)
    move = services.consume(reservation, user=None)
    assert queries.level_at(store, sku) == (3, 0)
    assert (move.reason, move.document_type, move.document_id) == ("handover", "order", "7")


def test_a_released_reservation_gives_the_stock_back(make_store, make_sku):
    store, sku = make_store(), make_sku()
    services.receive(store, sku, 5, "2.00", user=None, document=RECEIPT)
    [reservation] = services.reserve(store, sku, 2, document=("order", "7"))
    services.release(reservation)
    assert queries.level_at(store, sku) == (5, 0)


def test_a_reservation_is_consumed_or_released_never_both(make_store, make_sku):
    store, sku = make_store(), make_sku()
    services.receive(store, sku, 5, "2.00", user=None, document=RECEIPT)
    [reservation] = services.reserve(store, sku, 2, document=("order", "7"))
    services.consume(reservation, user=None)
    with pytest.raises(ReservationClosed):
        services.release(reservation)
    with pytest.raises(ReservationClosed):
        services.consume(reservation, user=None)
    assert queries.level_at(store, sku) == (3, 0)


def test_reserving_more_than_available_is_refused_and_holds_nothing(make_store, make_sku):
    store, sku = make_store(), make_sku(tracking="lot")
    services.receive(store, sku, 2, "1.00", user=None, document=RECEIPT, lot_code="A")
    services.receive(store, sku, 2, "1.00", user=None, document=RECEIPT, lot_code="B")
    with pytest.raises(InsufficientStock):
        services.reserve(store, sku, 5, document=("order", "1"))
    assert queries.level_at(store, sku) == (4, 0)


def test_lots_are_sold_first_expiring_first(make_store, make_sku):
    store, sku = make_store(allow_negative_stock=False), make_sku(tracking="lot")
    today = business_day()
    services.receive(store, sku, 5, "1.00", user=None, document=RECEIPT, lot_code="LATE", expiry=today + timedelta(days=20))
    services.receive(store, sku, 5, "1.00", user=None, document=RECEIPT, lot_code="SOON", expiry=today + timedelta(days=3))
    moves = services.sell(store, sku, 7, user=None, document=("sale", "1"))
    assert [(m.lot.code, m.quantity) for m in moves] == [("SOON", 5), ("LATE", 2)]


def test_lot_tracked_goods_need_a_lot_and_serials_come_one_by_one(make_store, make_sku):
    store = make_store()
    with pytest.raises(LotRequired):
        services.receive(store, make_sku(tracking="lot"), 3, "1.00", user=None, document=RECEIPT)
    phone = make_sku(tracking="serial")
    with pytest.raises(SerialQuantity):
        services.receive(store, phone, 2, "900.00", user=None, document=RECEIPT, lot_code="SN1")
    services.receive(store, phone, 1, "900.00", user=None, document=RECEIPT, lot_code="SN1")
    [move] = services.sell(store, phone, 1, user=None, document=("sale", "1"), lot=move_lot(store, phone))
    assert move.lot.code == "SN1"


def move_lot(store, sku):
    return queries.ledger(store, sku)[0].lot


def test_a_transfer_goes_through_transit_and_conserves_stock(make_store, make_sku):
    a, b, sku = make_store(), make_store(), make_sku()
    services.receive(a, sku, 12, "2.00", user=None, document=RECEIPT)
    transit = services.location(Usage.TRANSIT)
    services.transfer(sku, 12, services.shelf(a), transit, user=None, document=("transfer", "T1"))
    services.transfer(sku, 11, transit, services.shelf(b), user=None, document=("transfer", "T1"))
    assert (on_hand(a, sku), on_hand(b, sku)) == (0, 11)
    in_transit = db.session.scalar(select(StockLevel.on_hand).where(StockLevel.location_id == transit.id))
    assert in_transit == 1


def test_a_write_off_moves_stock_to_the_loss_place(make_store, make_sku):
    store, sku = make_store(), make_sku()
    services.receive(store, sku, 5, "2.00", user=None, document=RECEIPT)
    [move] = services.write_off(store, sku, 2, user=None, document=("write_off", "W1"))
    assert move.to_location.usage == Usage.LOSS
    assert on_hand(store, sku) == 3


def test_a_count_adjusts_on_hand_to_what_was_counted(make_store, make_sku):
    store, sku = make_store(), make_sku()
    services.receive(store, sku, 80, "2.00", user=None, document=RECEIPT)
    gain = services.adjust_to_count(store, sku, 100, user=None, document=("count", "C1"))
    assert (gain.quantity, gain.from_location.usage) == (20, Usage.ADJUSTMENT)
    loss = services.adjust_to_count(store, sku, 95, user=None, document=("count", "C2"))
    assert (loss.quantity, loss.to_location.usage) == (5, Usage.LOSS)
    assert services.adjust_to_count(store, sku, 95, user=None, document=("count", "C3")) is None
    assert on_hand(store, sku) == 95


def test_a_customer_return_goes_back_on_the_shelf_or_to_loss_when_damaged(make_store, make_sku):
    store, sku = make_store(), make_sku()
    services.receive(store, sku, 5, "2.00", user=None, document=RECEIPT)
    services.sell(store, sku, 2, user=None, document=("sale", "1"))
    services.take_back(store, sku, 1, user=None, document=("return", "1"))
    services.take_back(store, sku, 1, user=None, document=("return", "1"), damaged=True)
    assert on_hand(store, sku) == 4


def test_stock_moves_cannot_be_edited_or_deleted(make_store, make_sku):
    store, sku = make_store(), make_sku()
    move = services.receive(store, sku, 5, "2.00", user=None, document=RECEIPT)
    db.session.commit()
    move.quantity = Decimal("50")
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(StockMove, move.id))
    with pytest.raises(PermissionError):
        db.session.flush()


def test_a_place_made_in_a_rolled_back_transaction_is_made_again(make_sku):
    from webapp.stores.services import save_store

    sku = make_sku()
    db.session.commit()
    with db.session.begin_nested():
        store = save_store(None, code="TMP", name="临时店")
        services.receive(store, sku, 1, "1.00", user=None, document=RECEIPT)
        db.session.rollback()
    store = save_store(None, code="TMP2", name="临时店2")
    services.receive(store, sku, 2, "1.00", user=None, document=RECEIPT)
    assert on_hand(store, sku) == 2


def test_a_serial_number_already_in_stock_cannot_be_received_again(make_store, make_sku):
    from webapp.stock.errors import SerialInStock

    a, b, phone = make_store(), make_store(), make_sku(tracking="serial")
    services.receive(a, phone, 1, "900.00", user=None, document=RECEIPT, lot_code="SN1")
    for store in (a, b):
        with pytest.raises(SerialInStock):
            services.receive(store, phone, 1, "900.00", user=None, document=RECEIPT, lot_code="SN1")
    services.sell(a, phone, 1, user=None, document=("sale", "1"), lot=move_lot(a, phone))
    services.receive(b, phone, 1, "900.00", user=None, document=RECEIPT, lot_code="SN1")  # a return from a repair


def test_a_count_below_the_reservations_shows_the_shortfall(make_store, make_sku):
    store, sku = make_store(allow_negative_stock=False), make_sku()
    services.receive(store, sku, 3, "2.00", user=None, document=RECEIPT)
    services.reserve(store, sku, 2, document=("order", "1"))
    services.adjust_to_count(store, sku, 1, user=None, document=("count", "C1"))
    on_hand, reserved = queries.level_at(store, sku)
    assert (on_hand, reserved, on_hand - reserved) == (1, 2, -1)


def test_counting_lot_goods_names_the_lot(make_store, make_sku):
    store, milk = make_store(), make_sku(tracking="lot")
    services.receive(store, milk, 5, "3.00", user=None, document=RECEIPT, lot_code="B1")
    with pytest.raises(LotRequired):
        services.adjust_to_count(store, milk, 5, user=None, document=("count", "C1"))
    lot = move_lot(store, milk)
    assert services.adjust_to_count(store, milk, 5, user=None, document=("count", "C1"), lot=lot) is None
    assert on_hand(store, milk) == 5
