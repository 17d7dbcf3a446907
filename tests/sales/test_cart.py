"""Ringing up a sale at the till: lines, quantities, prices from the seam, suspend and void."""
import re
from decimal import Decimal

import pytest

from webapp.catalog.services import set_store_price
from webapp.errors import InvalidQuantity
from webapp.sales import services as sales
from webapp.sales.errors import (
    OrderNotOpen,
    OrderNotSuspended,
    SerialAlreadyInSale,
    SerialRequired,
    ShiftClosed,
    UnknownSerial,
    WholeUnitsOnly,
    WrongTill,
)
from webapp.sales.queries import suspended_sales
from webapp.stock import services as stock


def test_a_sale_gets_a_number_with_store_code_date_and_sequence(make_till):
    till = make_till(code="HZ01")
    first, second = till.sale(), till.sale()
    assert re.fullmatch(r"HZ01-\d{8}-0001", first.number)
    assert second.number == first.number[:-4] + "0002"


def test_each_store_counts_its_own_numbers(make_till):
    a, b = make_till(code="HZ01"), make_till(code="HZ02")
    assert a.sale().number.endswith("-0001") and b.sale().number.endswith("-0001")


def test_scanning_the_same_item_again_adds_to_its_line(till, make_sku):
    order, cola = till.sale(), make_sku(price="3.50")
    sales.add_item(order, cola)
    line = sales.add_item(order, cola)
    assert len(order.lines) == 1
    assert (line.quantity, line.amount, order.total) == (Decimal("2"), Decimal("7.00"), Decimal("7.00"))


def test_weighed_goods_always_get_a_new_line(till, make_sku):
    order, apples = till.sale(), make_sku(price="12.80", weighed=True, unit="kg")
    sales.add_item(order, apples, "0.235")
    sales.add_item(order, apples, "0.500")
    assert [line.amount for line in order.lines] == [Decimal("3.01"), Decimal("6.40")]
    assert order.total == Decimal("9.41")


def test_prices_come_from_the_store_price(till, make_sku):
    order, cola = till.sale(), make_sku(price="3.50")
    set_store_price(till.store, cola, "3.00")
    line = sales.add_item(order, cola, 2)
    assert (line.unit_price, line.regular_price, order.total) == (Decimal("3.00"), Decimal("3.00"), Decimal("6.00"))


def test_changing_the_quantity_reprices_the_sale(till, make_sku):
    order, cola = till.sale(), make_sku(price="3.50")
    line = sales.add_item(order, cola)
    sales.set_quantity(order, line, 4)
    assert order.total == Decimal("14.00")


def test_removing_a_line_takes_it_off_the_total(till, make_sku):
    order = till.sale()
    cola = sales.add_item(order, make_sku(price="3.50"))
    sales.add_item(order, make_sku(price="5.00"))
    sales.remove_line(order, cola)
    assert [line.amount for line in order.lines] == [Decimal("5.00")] and order.total == Decimal("5.00")


def test_a_piece_cannot_be_sold_in_fractions_nor_in_zeros(till, make_sku):
    order, cola = till.sale(), make_sku()
    with pytest.raises(WholeUnitsOnly):
        sales.add_item(order, cola, "1.5")
    with pytest.raises(InvalidQuantity):
        sales.add_item(order, cola, 0)
    assert order.lines == []


def test_a_serial_number_is_scanned_with_its_item_once(till, make_sku):
    phone = make_sku(price="2999.00", tracking="serial")
    stock.receive(till.store, phone, 1, "2000.00", user=None, document=("receipt", "1"), lot_code="SN-1")
    order = till.sale()
    with pytest.raises(SerialRequired):
        sales.add_item(order, phone)
    with pytest.raises(UnknownSerial):
        sales.add_item(order, phone, serial="SN-404")
    line = sales.add_item(order, phone, serial="SN-1")
    assert (line.serial, line.lot.code) == ("SN-1", "SN-1")
    with pytest.raises(SerialAlreadyInSale):
        sales.add_item(order, phone, serial="SN-1")


def test_a_suspended_sale_waits_and_resumes(till, make_sku):
    order = till.sale()
    sales.add_item(order, make_sku())
    sales.suspend(order)
    assert suspended_sales(till.store) == [order]
    with pytest.raises(OrderNotOpen):
        sales.add_item(order, make_sku())
    sales.resume(order)
    sales.add_item(order, make_sku())
    assert len(order.lines) == 2 and suspended_sales(till.store) == []
    with pytest.raises(OrderNotSuspended):
        sales.resume(order)


def test_a_voided_sale_cannot_be_changed(till, make_sku):
    order = till.sale()
    sales.add_item(order, make_sku())
    sales.void(order)
    assert order.status == "voided"
    with pytest.raises(OrderNotOpen):
        sales.add_item(order, make_sku())
    with pytest.raises(OrderNotOpen):
        sales.void(order)


def test_a_sale_is_rung_up_only_on_an_open_shift_of_the_stores_till(make_till, make_store):
    till = make_till()
    with pytest.raises(WrongTill):
        sales.open_sale(make_store(), till.register, till.shift, till.cashier)
    till.shift.status = "closed"
    with pytest.raises(ShiftClosed):
        till.sale()
