"""Paying: exact change, split payments, declines and timeouts, the stock moves, the cost of each line."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.sales import services as sales
from webapp.sales.errors import (
    ChargeKept,
    EmptySale,
    Overpaid,
    PaymentCodeRequired,
    PaymentDeclined,
    PaymentPending,
    PaymentTaken,
    Underpaid,
)
from webapp.sales.models import Payment
from webapp.sales.services import Tender
from webapp.stock import queries as stock_queries
from webapp.stock.alerts.queries import Kind, alerts
from webapp.stock.errors import InsufficientStock
from webapp.stock.models import StockMove

CASH, WECHAT, CARD = "cash", "wechat", "card"


def rung_up(till, *skus_and_quantities):
    order = till.sale()
    for sku, qty in skus_and_quantities:
        sales.add_item(order, sku, qty)
    return order


def test_cash_change_is_exact(till, stocked):
    order = rung_up(till, (stocked(till.store, price="3.35"), 3))  # 10.05
    sales.complete_sale(order, [Tender(CASH, "20.00")], user=till.cashier, client_uuid="u-1")
    [cash] = order.payments
    assert (order.status, cash.amount, cash.tendered, cash.change) == (
        "completed", Decimal("10.05"), Decimal("20.00"), Decimal("9.95"))


def test_a_split_payment_takes_cash_and_wechat(till, stocked, provider):
    order = rung_up(till, (stocked(till.store, price="45.00"), 1))
    sales.complete_sale(order, [Tender(CASH, "20.00"), Tender(WECHAT, "30.00", "134567890123451234")],
                        user=till.cashier, client_uuid="u-1")
    paid = {p.method: (p.amount, p.change) for p in order.payments}
    assert paid == {CASH: (Decimal("15.00"), Decimal("5.00")), WECHAT: (Decimal("30.00"), Decimal("0.00"))}
    assert provider == [("charge", WECHAT, Decimal("30.00"))]
    assert order.payments[-1].reference  # the provider's transaction id, for refunds


def test_too_little_money_leaves_the_sale_open(till, stocked):
    order = rung_up(till, (stocked(till.store, price="10.00"), 1))
    with pytest.raises(Underpaid) as refusal:
        sales.complete_sale(order, [Tender(CASH, "9.90")], user=till.cashier, client_uuid="u-1")
    assert refusal.value.facts == {"missing": Decimal("0.10")}
    assert order.status == "open" and order.payments == []


def test_only_cash_gives_change(till, stocked, provider):
    order = rung_up(till, (stocked(till.store, price="10.00"), 1))
    with pytest.raises(Overpaid):
        sales.complete_sale(order, [Tender(WECHAT, "10.50", "130000000000001234")],
                            user=till.cashier, client_uuid="u-1")
    assert provider == []


def test_a_wechat_payment_needs_the_customers_code(till, stocked):
    order = rung_up(till, (stocked(till.store, price="10.00"), 1))
    with pytest.raises(PaymentCodeRequired):
        sales.complete_sale(order, [Tender(WECHAT, "10.00")], user=till.cashier, client_uuid="u-1")


def test_an_empty_sale_cannot_be_paid(till):
    with pytest.raises(EmptySale):
        sales.complete_sale(till.sale(), [], user=till.cashier, client_uuid="u-1")


def test_a_declined_wechat_payment_completes_nothing(till, stocked, provider):
    sku = stocked(till.store, qty=10, price="10.00")
    order = rung_up(till, (sku, 2))
    with pytest.raises(PaymentDeclined) as refusal:
        sales.complete_sale(order, [Tender(WECHAT, "20.00", "130000000000009001")],
                            user=till.cashier, client_uuid="u-1")
    assert "余额不足" in str(refusal.value)  # the provider's reason, in the cashier's language
    db.session.expire_all()
    assert (order.status, order.client_uuid, order.payments) == ("open", None, [])
    assert stock_queries.level_at(till.store, sku)[0] == 10
    assert db.session.scalar(select(func.count(StockMove.id)).where(StockMove.reason == "sale")) == 0


def test_a_declined_second_payment_gives_the_first_back(till, stocked, provider):
    order = rung_up(till, (stocked(till.store, price="50.00"), 1))
    with pytest.raises(PaymentDeclined):
        sales.complete_sale(order, [Tender(CARD, "30.00", "T-000123"),
                                    Tender(WECHAT, "20.00", "130000000000009001")],
                            user=till.cashier, client_uuid="u-1")
    assert provider == [("charge", CARD, Decimal("30.00")), ("charge", WECHAT, Decimal("20.00")),
                        ("refund", CARD, Decimal("30.00"))]
    assert order.status == "open"


def test_a_charge_that_cannot_be_given_back_counts_toward_the_sale(till, stocked, provider):
    """Alipay charged, WeChat declined, Alipay refuses to give back: the customer pays only the rest."""
    order = rung_up(till, (stocked(till.store, price="50.00"), 1))
    with pytest.raises(ChargeKept) as refusal:
        sales.complete_sale(order, [Tender("alipay", "30.00", "280000000000009006"),
                                    Tender(WECHAT, "20.00", "130000000000009001")],
                            user=till.cashier, client_uuid="u-1")
    assert "30.00" in str(refusal.value)
    assert [(p.method, p.amount, p.status) for p in order.payments] == [("alipay", Decimal("30.00"), "succeeded")]
    assert order.status == "open"
    with pytest.raises(Underpaid):
        sales.complete_sale(order, [Tender(CASH, "10.00")], user=till.cashier, client_uuid="u-2")
    sales.complete_sale(order, [Tender(CASH, "20.00")], user=till.cashier, client_uuid="u-2")
    assert order.status == "completed" and sum(p.amount for p in order.payments) == Decimal("50.00")


def test_a_timed_out_payment_waits_and_counts_once_confirmed(till, stocked, provider):
    order = rung_up(till, (stocked(till.store, price="30.00"), 1))
    with pytest.raises(PaymentPending):
        sales.complete_sale(order, [Tender(WECHAT, "30.00", "130000000000009002")],
                            user=till.cashier, client_uuid="u-1")
    [pending] = order.payments
    assert (pending.status, order.status) == ("pending", "open")
    with pytest.raises(PaymentPending):  # no second payment while the first is unknown
        sales.complete_sale(order, [Tender(CASH, "30.00")], user=till.cashier, client_uuid="u-1")
    with pytest.raises(PaymentTaken):
        sales.void(order)
    assert sales.check_payment(pending).status == "succeeded"
    sales.complete_sale(order, [], user=till.cashier, client_uuid="u-1")
    assert order.status == "completed" and [p.amount for p in order.payments] == [Decimal("30.00")]
    assert [call[0] for call in provider] == ["charge"]


def test_a_timed_out_payment_that_never_went_through_is_declined_on_checking(till, stocked):
    order = rung_up(till, (stocked(till.store, price="30.00"), 1))
    with pytest.raises(PaymentPending):
        sales.complete_sale(order, [Tender(WECHAT, "30.00", "130000000000009004")],
                            user=till.cashier, client_uuid="u-1")
    assert sales.check_payment(order.payments[0]).status == "declined"
    sales.complete_sale(order, [Tender(CASH, "30.00")], user=till.cashier, client_uuid="u-1")
    assert order.status == "completed"


def test_stock_goes_down_by_exactly_what_was_sold(till, stocked):
    cola = stocked(till.store, qty=24, price="3.50")
    apples = stocked(till.store, qty="10.000", price="12.80", weighed=True, unit="kg")
    order = rung_up(till, (cola, 3), (apples, "0.235"))
    sales.complete_sale(order, [Tender(CASH, "50.00")], user=till.cashier, client_uuid="u-1")
    assert stock_queries.level_at(till.store, cola)[0] == 21
    assert stock_queries.level_at(till.store, apples)[0] == Decimal("9.765")
    moves = db.session.scalars(select(StockMove).where(StockMove.reason == "sale")).all()
    assert {(m.document_type, m.document_id) for m in moves} == {("order", order.number)}


def test_each_line_keeps_its_cost_for_the_margin(till, stocked):
    order = rung_up(till, (stocked(till.store, cost="2.15", price="3.50"), 2))
    sales.complete_sale(order, [Tender(CASH, "7.00")], user=till.cashier, client_uuid="u-1")
    assert order.lines[0].unit_cost == Decimal("2.15")


def test_a_lot_sold_first_expiring_first_is_kept_on_the_line(till, stocked):
    milk = stocked(till.store, qty=5, price="6.00", tracking="lot", lot_code="B-0601")
    order = rung_up(till, (milk, 2))
    sales.complete_sale(order, [Tender(CASH, "12.00")], user=till.cashier, client_uuid="u-1")
    assert order.lines[0].lot.code == "B-0601"


def test_a_store_that_forbids_negative_stock_keeps_the_sale_open(make_till, stocked):
    till = make_till(allow_negative_stock=False)
    order = rung_up(till, (stocked(till.store, qty=1, price="3.00"), 2))
    with pytest.raises(InsufficientStock):
        sales.complete_sale(order, [Tender(CASH, "6.00")], user=till.cashier, client_uuid="u-1")
    db.session.expire_all()
    assert order.status == "open" and db.session.scalar(select(func.count(Payment.id))) == 0


def test_selling_what_the_books_do_not_have_is_listed_for_the_next_count(till, stocked):
    cola = stocked(till.store, qty=1, price="3.00")
    order = rung_up(till, (cola, 3))
    sales.complete_sale(order, [Tender(CASH, "9.00")], user=till.cashier, client_uuid="u-1")
    [short] = alerts(till.store, Kind.NEGATIVE)
    assert (short.sku, short.on_hand) == (cola, Decimal("-2"))


def test_a_fully_discounted_sale_completes_without_payment(till, stocked, make_user):
    manager = make_user(stores=[till.store])
    order = rung_up(till, (stocked(till.store, price="3.00"), 1))
    sales.apply_order_discount(order, "3.00", user=manager)
    sales.complete_sale(order, [], user=till.cashier, client_uuid="u-1")
    assert order.status == "completed" and order.payments == []
