"""A till sale learns from the shelf rows it changes whether any sold SKU is held for an online order
(``stock.sell_many(held=…)``), so it need not read the levels again; where the rows cannot tell, it asks."""
from decimal import Decimal

import pytest

from webapp.stock import services as stock
from webapp.stock.queries import level_at


@pytest.mark.parametrize("negative", [True, False])
def test_the_shelf_rows_say_a_sold_sku_is_held_online(till, stocked, make_sku, negative):
    till.store.allow_negative_stock = negative
    held, free = stocked(till.store, qty=10), stocked(till.store, qty=10)
    stock.reserve(till.store, held, 3, document=("order", "ONLINE-1"))
    said: list = []
    stock.sell_many(till.store, [(held, Decimal(2), None), (free, Decimal(1), None)], user=till.cashier,
                    document=("order", "TILL-1"), returning=False, held=said)
    assert said[0].complete and said[0].skus == {held.id} and said[0].answer is True


def test_a_sale_of_skus_nobody_holds_answers_no_without_reading(till, stocked):
    sku = stocked(till.store, qty=5)
    said: list = []
    stock.sell_many(till.store, [(sku, Decimal(1), None), (sku, Decimal(2), None)], user=till.cashier,
                    document=("order", "TILL-2"), returning=False, held=said)
    assert said[0].answer is False
    assert level_at(till.store, sku)[0] == Decimal(2)  # both lines of the same SKU taken off, in one row


def test_a_lot_tracked_sku_leaves_the_question_to_the_levels(till, make_sku):
    sku = make_sku(tracking="lot")
    stock.receive(till.store, sku, 5, "1.00", user=None, document=("receipt", "R1"), lot_code="L1")
    said: list = []
    stock.sell_many(till.store, [(sku, Decimal(1), None)], user=till.cashier, document=("order", "TILL-3"),
                    returning=False, held=said)
    assert said[0].answer is None
