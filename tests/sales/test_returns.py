"""Returns: never more than sold, refunds exact to the fen, goods back to the shelf or to damaged stock."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import manager_of
from webapp.extensions import db
from webapp.sales import services as sales
from webapp.sales.errors import NothingToReturn, NotReturnable, ReturnTooMuch
from webapp.sales.providers import SandboxProvider
from webapp.sales.queries import order_by_number, order_for_till, returnable
from webapp.sales.services import Tender
from webapp.stock import queries as stock_queries
from webapp.stock import services as stock
from webapp.stock.models import StockMove, Usage


def sold(till, sku, qty, payments=None):
    order = till.sale()
    sales.add_item(order, sku, qty)
    payments = payments or [Tender("cash", str(order.total))]
    return sales.complete_sale(order, payments, user=till.cashier, client_uuid=f"sale-{order.number}")


def take_back(till, line, qty, **options):
    options.setdefault("client_uuid", None)
    options.setdefault("approver", manager_of(till.store))
    return sales.return_lines(line.order, [(line, qty)], user=till.cashier, shift=till.shift,
                              register=till.register, **options)


def test_returning_more_than_sold_is_refused(till, stocked):
    sale = sold(till, stocked(till.store, price="5.00"), 2)
    with pytest.raises(ReturnTooMuch) as refusal:
        take_back(till, sale.lines[0], 3)
    assert refusal.value.facts["returnable"] == 2


def test_two_partial_returns_never_exceed_what_was_sold(till, stocked):
    sale = sold(till, stocked(till.store, price="5.00"), 3)
    line = sale.lines[0]
    take_back(till, line, 2)
    with pytest.raises(ReturnTooMuch) as refusal:
        take_back(till, line, 2)
    assert refusal.value.facts["returnable"] == 1
    take_back(till, line, 1)
    assert [r.left for r in returnable(sale)] == [Decimal("0")]


def test_returning_all_of_a_line_in_parts_refunds_exactly_its_amount(till, stocked, make_user):
    sku = stocked(till.store, price="10.00")
    order = till.sale()
    line = sales.add_item(order, sku, 3)
    sales.apply_line_discount(order, line, "0.01", user=make_user(stores=[till.store]))  # 29.99 for 3
    sales.complete_sale(order, [Tender("cash", "29.99")], user=till.cashier, client_uuid="s")
    refunds = [take_back(till, line, 1).total for _ in range(3)]
    assert refunds == [Decimal("10.00"), Decimal("9.99"), Decimal("10.00")]
    assert sum(refunds) == line.amount


def test_returned_goods_go_back_to_the_shelf(till, stocked):
    sku = stocked(till.store, qty=10, price="5.00")
    sale = sold(till, sku, 3)
    take_back(till, sale.lines[0], 2)
    assert stock_queries.level_at(till.store, sku)[0] == 9


def test_damaged_goods_go_to_damaged_stock_not_the_shelf(till, stocked):
    sku = stocked(till.store, qty=10, price="5.00")
    sale = sold(till, sku, 3)
    refund = take_back(till, sale.lines[0], 1, damaged=True)
    assert stock_queries.level_at(till.store, sku)[0] == 7
    [move] = db.session.scalars(select(StockMove).where(StockMove.document_id == refund.number)).all()
    assert (move.to_location.usage, move.unit_cost) == (Usage.LOSS, Decimal("2.00"))


def test_a_wechat_sale_is_refunded_to_wechat(till, stocked, provider):
    sale = sold(till, stocked(till.store, price="20.00"), 1,
                [Tender("wechat", "20.00", "130000000000001234")])
    refund = take_back(till, sale.lines[0], 1, refund_method="original")
    [payment] = refund.payments
    assert (payment.method, payment.amount, payment.original_payment) == ("wechat", Decimal("-20.00"), sale.payments[0])
    assert provider[-1] == ("refund", "wechat", Decimal("20.00"))


def test_a_split_sale_is_refunded_to_the_phone_first_then_in_cash(till, stocked, provider):
    sale = sold(till, stocked(till.store, price="10.00"), 5,
                [Tender("cash", "30.00"), Tender("alipay", "20.00", "280000000000001234")])
    line = sale.lines[0]
    first, second = take_back(till, line, 3), take_back(till, line, 2)
    assert [(p.method, p.amount) for p in first.payments] == [("alipay", Decimal("-20.00")), ("cash", Decimal("-10.00"))]
    assert [(p.method, p.amount) for p in second.payments] == [("cash", Decimal("-20.00"))]


def test_a_refund_in_cash_whatever_the_payment(till, stocked, provider):
    sale = sold(till, stocked(till.store, price="20.00"), 1, [Tender("card", "20.00", "T-1234")])
    refund = take_back(till, sale.lines[0], 1, refund_method="cash")
    assert [(p.method, p.amount) for p in refund.payments] == [("cash", Decimal("-20.00"))]
    assert [call[0] for call in provider] == ["charge"]


def test_a_refused_wallet_refund_is_given_back_in_cash(till, stocked):
    sku = stocked(till.store, qty=5, price="20.00")
    sale = sold(till, sku, 1, [Tender("wechat", "20.00", "130000000000009006")])
    refund = take_back(till, sale.lines[0], 1)
    [cash] = refund.payments
    assert (cash.method, cash.amount, cash.original_payment_id) == ("cash", Decimal("-20.00"), sale.payments[0].id)
    assert cash.message  # the provider's reason, shown on the return's receipt
    assert stock_queries.level_at(till.store, sku)[0] == 5 and returnable(sale)[0].left == 0


def test_a_return_is_made_once_per_key(till, stocked):
    sku = stocked(till.store, qty=10, price="5.00")
    sale = sold(till, sku, 3)
    first = take_back(till, sale.lines[0], 1, client_uuid="ret-1")
    assert take_back(till, sale.lines[0], 1, client_uuid="ret-1") is first
    assert stock_queries.level_at(till.store, sku)[0] == 8


def test_only_a_completed_sale_can_be_returned_and_something_must_be_picked(till, stocked):
    order = till.sale()
    line = sales.add_item(order, stocked(till.store))
    with pytest.raises(NotReturnable):
        take_back(till, line, 1)
    sale = sold(till, stocked(till.store), 1)
    with pytest.raises(NothingToReturn):
        take_back(till, sale.lines[0], 0)
    refund = take_back(till, sale.lines[0], 1)
    with pytest.raises(NotReturnable):
        take_back(till, refund.lines[0], 1)


def test_a_receipts_number_finds_its_sale(till, stocked):
    sale = sold(till, stocked(till.store), 1)
    assert order_by_number(f" {sale.number} ") is sale


def test_the_till_loads_a_sale_with_its_lines_and_payments(till, stocked):
    sale = sold(till, stocked(till.store, price="2.00"), 2)
    sale_id = sale.id
    db.session.expunge_all()
    loaded = order_for_till(sale_id)
    assert [(ln.sku.product.name, ln.amount) for ln in loaded.lines] == [(sale.lines[0].sku.product.name, Decimal("4.00"))]
    assert [p.amount for p in loaded.payments] == [Decimal("4.00")]


def test_a_serial_numbered_item_comes_back_under_its_serial_number(till, make_sku):
    phone = make_sku(price="2999.00", tracking="serial")
    stock.receive(till.store, phone, 1, "2000.00", user=None, document=("receipt", "1"), lot_code="SN-7")
    order = till.sale()
    line = sales.add_item(order, phone, serial="SN-7")
    sales.complete_sale(order, [Tender("cash", "2999.00")], user=till.cashier, client_uuid="phone")
    assert stock_queries.level_at(till.store, phone)[0] == 0
    refund = take_back(till, line, 1)
    assert (refund.lines[0].serial, refund.total) == ("SN-7", Decimal("2999.00"))
    [back] = db.session.scalars(select(StockMove).where(StockMove.document_id == refund.number)).all()
    assert back.lot.code == "SN-7" and stock_queries.level_at(till.store, phone)[0] == 1


def test_a_wallet_that_refuses_does_not_undo_one_that_refunded(till, stocked, provider):
    """WeChat refunds, Alipay refuses: the return is made, Alipay's part in cash; a retry changes nothing."""
    sku = stocked(till.store, qty=5, price="12.80")
    order = till.sale()
    sales.add_item(order, sku)
    sale = sales.complete_sale(order, [Tender("wechat", "6.80", "134567890123450001"),
                                       Tender("alipay", "6.00", "284567890123459006")],
                               user=till.cashier, client_uuid="sale-1")
    db.session.commit()
    refund = sales.return_lines(sale, [(sale.lines[0], 1)], user=till.cashier, shift=till.shift,
                                register=till.register, client_uuid="return-1", approver=manager_of(till.store))
    db.session.commit()
    assert [(p.method, p.amount) for p in refund.payments] == [("wechat", Decimal("-6.80")),
                                                              ("cash", Decimal("-6.00"))]
    again = sales.return_lines(sale, [(sale.lines[0], 1)], user=till.cashier, shift=till.shift,
                               register=till.register, client_uuid="return-1", approver=manager_of(till.store))
    assert again is refund
    assert [call[1] for call in provider if call[0] == "refund"] == ["wechat", "alipay"]
    assert len([r for r in SandboxProvider._refunds.values() if r.succeeded]) == 1
