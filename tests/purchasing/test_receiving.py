"""Receiving by scanning into a draft note, then confirming it once."""
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from webapp.catalog.errors import UnknownCode
from webapp.extensions import db
from webapp.purchasing import receiving
from webapp.purchasing.errors import NoteConfirmed, NoteEmpty, NotOnOrder, OtherSuppliersItem
from webapp.purchasing.models import OrderStatus, ReceivingNote
from webapp.stock import queries as stock_queries
from webapp.stock.errors import LotRequired, SerialQuantity
from webapp.stock.models import StockMove


@pytest.fixture
def delivery(make_store, make_sku, make_supplier, sent_order):
    """A store expecting 24 noodles (cases of 12) and 6 colas from one supplier."""
    store = make_store()
    noodles = make_sku(name="康师傅 红烧牛肉面", barcode="6921168509256")
    cola = make_sku(name="可口可乐 330ml", barcode="6928804011173")
    supplier = make_supplier(items=[(noodles, "2.50", "12", "0", "16921168509253"), (cola, "1.80", "6")])
    order = sent_order(store, supplier, [(noodles, "24"), (cola, "6")])
    return store, supplier, order, noodles, cola


def test_each_scan_counts_one_and_a_case_barcode_counts_a_pack(delivery):
    store, _, order, noodles, cola = delivery
    note = receiving.start(store, user=None, order=order)
    receiving.scan(note, "6921168509256")
    receiving.scan(note, "16921168509253")  # the case: 12
    receiving.scan(note, "6928804011173", as_pack=True)  # the user chose "pack": 6
    lines = {line.sku_id: line.quantity for line in note.lines}
    assert lines == {noodles.id: D("13"), cola.id: D("6")}


def test_a_draft_note_is_kept_on_the_server_and_found_again_for_its_order(delivery):
    store, _, order, noodles, _ = delivery
    note = receiving.start(store, user=None, order=order)
    receiving.scan(note, "6921168509256")
    db.session.commit()
    db.session.expire_all()
    again = receiving.start(store, user=None, order=order)
    assert again.id == note.id and [line.quantity for line in again.lines] == [D("1")]


def test_confirming_receives_into_stock_updates_cost_and_the_order_once(delivery):
    store, _, order, noodles, cola = delivery
    note = receiving.start(store, user=None, order=order)
    receiving.scan(note, "16921168509253")
    receiving.scan(note, "16921168509253")
    receiving.scan(note, "6928804011173", as_pack=True)
    receiving.confirm(note, user=None)
    assert stock_queries.level_at(store, noodles)[0] == 24 and noodles.cost == D("2.50")
    assert order.status == OrderStatus.RECEIVED
    with pytest.raises(NoteConfirmed):
        receiving.confirm(note, user=None)
    moves = db.session.scalar(select(func.count()).select_from(StockMove)
                              .where(StockMove.document_id == note.number))
    assert moves == 2


def test_a_short_delivery_leaves_the_order_partly_received_and_is_recorded_on_the_note(delivery):
    store, _, order, noodles, cola = delivery
    note = receiving.start(store, user=None, order=order)
    receiving.scan(note, "16921168509253")  # 12 of 24 noodles, no cola at all
    receiving.confirm(note, user=None)
    assert order.status == OrderStatus.PARTLY_RECEIVED
    recorded = {line.sku_id: (line.quantity, line.expected) for line in note.lines}
    assert recorded == {noodles.id: (D("12"), D("24")), cola.id: (D("0"), D("6"))}
    second = receiving.start(store, user=None, order=order)
    assert second.id != note.id
    receiving.scan(second, "16921168509253")
    receiving.scan(second, "6928804011173", as_pack=True)
    receiving.confirm(second, user=None)
    assert order.status == OrderStatus.RECEIVED


def test_more_than_ordered_is_received_and_kept_as_over_delivery(delivery):
    store, _, order, noodles, cola = delivery
    note = receiving.start(store, user=None, order=order)
    for _ in range(3):
        receiving.scan(note, "16921168509253")  # 36 of 24
    receiving.confirm(note, user=None)
    line = next(line for line in note.lines if line.sku_id == noodles.id)
    assert line.difference == D("12") and stock_queries.level_at(store, noodles)[0] == 36
    assert order.lines[0].received == D("36")


def test_another_suppliers_item_on_an_order_receipt_asks_first_and_may_be_added(delivery, make_sku, make_supplier):
    store, _, order, _, _ = delivery
    beer = make_sku(name="青岛啤酒", barcode="6901035603959")
    make_supplier(name="青岛啤酒经销商", items=[(beer, "3.00", "24")])
    note = receiving.start(store, user=None, order=order)
    with pytest.raises(OtherSuppliersItem) as refused:
        receiving.scan(note, "6901035603959")
    assert "青岛啤酒经销商" in str(refused.value)
    line = receiving.scan(note, "6901035603959", add_anyway=True)
    assert line.off_order and line.unit_cost == D("3.00")


def test_an_item_nobody_ordered_asks_before_it_joins_an_order_receipt(delivery, make_sku):
    store, _, order, _, _ = delivery
    make_sku(name="散装 花生", barcode="6900000000014")
    note = receiving.start(store, user=None, order=order)
    with pytest.raises(NotOnOrder):
        receiving.scan(note, "6900000000014")


def test_an_unknown_barcode_is_refused(delivery):
    store, _, order, _, _ = delivery
    note = receiving.start(store, user=None, order=order)
    with pytest.raises(UnknownCode):
        receiving.scan(note, "1234567890")
    assert note.lines == []


@pytest.mark.parametrize("qty", ["0", "-3"])
def test_a_zero_or_negative_line_quantity_is_refused(delivery, qty):
    store, _, order, _, _ = delivery
    note = receiving.start(store, user=None, order=order)
    line = receiving.scan(note, "6921168509256")
    with pytest.raises(ValueError):
        receiving.set_line(line, qty=qty, unit_cost="2.50")


def test_confirming_an_empty_note_is_refused(delivery):
    store, _, order, _, _ = delivery
    with pytest.raises(NoteEmpty):
        receiving.confirm(receiving.start(store, user=None, order=order), user=None)


def test_lot_goods_need_a_lot_and_each_lot_keeps_its_expiry(make_store, make_sku, make_supplier):
    store = make_store()
    milk = make_sku(name="光明 鲜牛奶", barcode="6901209255212", tracking="lot")
    supplier = make_supplier(items=[(milk, "4.00", "1")])
    note = receiving.start(store, user=None, supplier=supplier)
    receiving.scan(note, "6901209255212")
    receiving.scan(note, "6901209255212")
    db.session.commit()
    with pytest.raises(LotRequired):
        receiving.confirm(note, user=None)
    db.session.rollback()
    note = db.session.get(ReceivingNote, note.id)
    first = note.lines[0]
    receiving.set_line(first, qty="2", unit_cost="4.00", lot_code="L2611", expiry=date(2026, 12, 1))
    second = receiving.new_lot(first)
    receiving.scan(note, "6901209255212")  # goes to the new lot
    receiving.set_line(second, qty="1", unit_cost="4.00", lot_code="L2612", expiry=date(2026, 12, 8))
    receiving.confirm(note, user=None)
    assert sorted((line.lot_code, line.quantity, line.expiry) for line in note.lines) == [
        ("L2611", D("2"), date(2026, 12, 1)), ("L2612", D("1"), date(2026, 12, 8))]
    assert stock_queries.level_at(store, milk)[0] == 3


def test_serial_goods_are_one_line_per_serial_number(make_store, make_sku):
    store = make_store()
    make_sku(name="小米 手机", barcode="6934177700002", tracking="serial")
    note = receiving.start(store, user=None)
    a = receiving.scan(note, "6934177700002")
    b = receiving.scan(note, "6934177700002", as_pack=True)
    assert a.id != b.id and a.quantity == b.quantity == D("1")
    with pytest.raises(SerialQuantity):
        receiving.set_line(a, qty="2", unit_cost="999.00", lot_code="SN1")


def test_a_receipt_without_an_order_uses_the_suppliers_cost_and_moves_the_average(make_store, make_sku, make_supplier):
    from webapp.stock import services as stock

    store = make_store()
    oil = make_sku(name="金龙鱼 调和油", barcode="6948195800019")
    stock.receive(store, oil, 10, "50.00", user=None, document=("opening", "1"))
    supplier = make_supplier(items=[(oil, "56.00", "4")])
    note = receiving.start(store, user=None, supplier=supplier)
    receiving.scan(note, "6948195800019", as_pack=True)
    receiving.confirm(note, user=None)
    assert oil.cost == D("51.71")  # (10 × 50 + 4 × 56) / 14 = 51.714…


def test_an_order_closed_while_its_goods_were_scanned_receives_nothing(delivery):
    from webapp.purchasing import orders
    from webapp.purchasing.errors import OrderNotReceivable

    store, _, order, noodles, _ = delivery
    note = receiving.start(store, user=None, order=order)
    receiving.scan(note, "16921168509253")
    db.session.commit()
    orders.close(order)
    db.session.commit()
    with pytest.raises(OrderNotReceivable):
        receiving.confirm(note, user=None)
    db.session.rollback()
    assert stock_queries.level_at(store, noodles)[0] == 0
    assert db.session.get(ReceivingNote, note.id).status == "draft"


def test_the_second_delivery_of_an_order_expects_only_what_is_still_missing(delivery):
    from webapp.purchasing.queries import note_rows

    store, _, order, noodles, cola = delivery
    first = receiving.start(store, user=None, order=order)
    receiving.scan(first, "16921168509253")  # 12 of 24 noodles
    receiving.scan(first, "6928804011173", as_pack=True)  # all 6 colas
    receiving.confirm(first, user=None)
    second = receiving.start(store, user=None, order=order)
    assert [(row.sku.id, row.expected) for row in note_rows(second)] == [(noodles.id, D("12"))]
    receiving.scan(second, "6928804011173")  # one cola more than ordered
    rows = {row.sku.id: (row.expected, row.received, row.over) for row in note_rows(second)}
    assert rows[cola.id] == (D("0"), D("1"), True)
