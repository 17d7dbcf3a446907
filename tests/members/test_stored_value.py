"""Stored value: top-ups with their bonus, spending as a tender (alone or split), refunds both ways,
the cap, the manager's adjustment, and the ledger always summing to the card's balance."""
import threading
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.members.conftest import pay, ring_up, take_back
from webapp.extensions import db
from webapp.members import cards, wallet
from webapp.members.errors import (
    AboveBalanceCap,
    AdjustBelowZero,
    InvalidTopUp,
    ReasonRequired,
    TopUpRefunded,
)
from webapp.members.models import MemberCard, StoredValueEntry, ValueKind
from webapp.sales.errors import MemberRequired, PaymentDeclined
from webapp.sales.models import Order, OrderKind
from webapp.sales.services import Tender


def top_up(till, member, amount, *tenders):
    return wallet.top_up(member, amount, list(tenders) or [Tender("cash", amount)], store=till.store,
                         user=till.cashier, register=till.register, shift=till.shift, client_uuid=str(uuid.uuid4()))


def card(member) -> MemberCard:
    found = db.session.get(MemberCard, member.id)
    db.session.refresh(found)
    return found


def assert_ledger_is_the_balance(member):
    principal, bonus = db.session.execute(
        select(func.coalesce(func.sum(StoredValueEntry.principal), 0), func.coalesce(func.sum(StoredValueEntry.bonus), 0))
        .where(StoredValueEntry.customer_id == member.id)).one()
    held = card(member)
    assert (Decimal(principal), Decimal(bonus)) == (held.principal, held.bonus)


@pytest.fixture
def rule_500():
    wallet.save_rule("500", "50")
    wallet.save_rule("1000", "120")


def test_a_top_up_of_500_gets_the_50_bonus_apart_from_the_principal(till, member, rule_500):
    order = top_up(till, member, "500")
    assert order.kind == OrderKind.TOPUP and order.total == Decimal("500.00") and not order.lines
    assert (card(member).principal, card(member).bonus) == (Decimal("500.00"), Decimal("50.00"))
    assert wallet.bonus_for(Decimal("999.99")) == Decimal("50.00")
    assert wallet.bonus_for(Decimal("1000")) == Decimal("120.00")
    assert_ledger_is_the_balance(member)


def test_a_top_up_above_the_cap_is_refused_and_nothing_is_taken(till, member, rule_500):
    top_up(till, member, "4000")
    with pytest.raises(AboveBalanceCap) as refusal:
        top_up(till, member, "1000")  # 4120 held (4000 + its 120 bonus): 1000 + 120 more is too much
    assert refusal.value.facts["cap"] == Decimal("5000.00")
    with pytest.raises(InvalidTopUp):
        top_up(till, member, "-5")
    assert card(member).balance == Decimal("4120.00")
    assert db.session.scalar(select(func.count()).select_from(Order).where(Order.kind == "topup",
                                                                           Order.status == "completed")) == 1


def test_paying_with_stored_value_takes_principal_first_then_bonus(till, member, stocked, rule_500):
    top_up(till, member, "500")
    sku = stocked(till.store, price="260.00")
    sale = pay(till, ring_up(till, member, (sku, 2)), Tender("stored_value", "520.00"))
    assert sale.status == "completed"
    assert (card(member).principal, card(member).bonus) == (Decimal("0.00"), Decimal("30.00"))
    assert_ledger_is_the_balance(member)


def test_stored_value_split_with_cash(till, member, stocked):
    top_up(till, member, "100")
    sku = stocked(till.store, price="150.00")
    sale = pay(till, ring_up(till, member, (sku, 1)), Tender("stored_value", "100.00"), Tender("cash", "50.00"))
    assert sorted(p.method for p in sale.payments) == ["cash", "stored_value"]
    assert card(member).balance == Decimal("0.00")


def test_paying_more_than_the_balance_is_declined_and_nothing_changes(till, member, stocked):
    top_up(till, member, "100")
    sku = stocked(till.store, price="150.00")
    order = ring_up(till, member, (sku, 1))
    with pytest.raises(PaymentDeclined) as refusal:
        pay(till, order, Tender("stored_value", "150.00"))
    assert "100" in str(refusal.value)
    assert order.status == "open" and card(member).balance == Decimal("100.00")
    assert_ledger_is_the_balance(member)


def test_stored_value_needs_a_named_member(till, stocked):
    order = ring_up(till, None, (stocked(till.store, price="5.00"), 1))
    with pytest.raises(MemberRequired):
        pay(till, order, Tender("stored_value", "5.00"))


def test_a_refund_of_a_stored_value_purchase_goes_back_to_it(till, member, stocked, rule_500):
    top_up(till, member, "500")
    sku = stocked(till.store, price="260.00")
    sale = pay(till, ring_up(till, member, (sku, 2)), Tender("stored_value", "520.00"))
    back = take_back(till, sale.lines[0], 1)
    assert [(p.method, p.amount) for p in back.payments] == [("stored_value", Decimal("-260.00"))]
    # the spend took 500 principal + 20 bonus; half back: the bonus first, then principal
    assert (card(member).principal, card(member).bonus) == (Decimal("240.00"), Decimal("50.00"))
    take_back(till, sale.lines[0], 1)
    assert (card(member).principal, card(member).bonus) == (Decimal("500.00"), Decimal("50.00"))
    assert_ledger_is_the_balance(member)


def test_a_top_up_refund_gives_back_the_unspent_principal_and_takes_back_the_bonus(till, member, stocked,
                                                                                     rule_500):
    topup = top_up(till, member, "500")
    sku = stocked(till.store, price="100.00")
    pay(till, ring_up(till, member, (sku, 1)), Tender("stored_value", "100.00"))
    assert wallet.refund_preview(topup) == (Decimal("400.00"), Decimal("50.00"))
    back = wallet.refund_top_up(topup, user=till.cashier, register=till.register, shift=till.shift,
                                client_uuid="r1")
    assert back.kind == OrderKind.TOPUP and back.original_order_id == topup.id and back.total == Decimal("400.00")
    assert [(p.method, p.amount) for p in back.payments] == [("cash", Decimal("-400.00"))]
    assert card(member).balance == Decimal("0.00")
    with pytest.raises(TopUpRefunded):
        wallet.refund_top_up(topup, user=till.cashier, register=till.register, shift=till.shift, client_uuid="r2")
    assert_ledger_is_the_balance(member)


def test_a_manager_adjusts_a_balance_with_a_reason(till, member, make_user):
    manager = make_user(stores=[till.store])
    with pytest.raises(ReasonRequired):
        wallet.adjust(member, "10", "0", reason=" ", user=manager)
    with pytest.raises(AdjustBelowZero):
        wallet.adjust(member, "-10", "0", reason="typo", user=manager)
    entry = wallet.adjust(member, "10", "5", reason="收银机故障补录", user=manager)
    assert (entry.kind, entry.user_id, entry.reason) == (ValueKind.ADJUST, manager.id, "收银机故障补录")
    assert card(member).balance == Decimal("15.00")
    assert_ledger_is_the_balance(member)


def test_top_ups_are_not_sales_in_the_shift_report(till, member, stocked):
    from webapp.pos import queries as pos_queries

    top_up(till, member, "300")
    pay(till, ring_up(till, None, (stocked(till.store, price="10.00"), 1)))
    report = pos_queries.z_report(till.shift)
    assert report.sales_total == Decimal("10.00") and report.sales_count == 1
    assert report.cash.expected == Decimal("510.00")  # the float, the sale and the top-up's cash


def test_two_tills_spending_the_last_100_at_once_exactly_one_wins(app, make_till, stocked, make_store):
    store = make_store()
    tills = [make_till(store=store), make_till(store=store)]
    customer, _ = cards.enrol("13900139000", store=store)
    sku = stocked(store, price="100.00")
    top_up(tills[0], customer, "100")
    orders = [ring_up(t, customer, (sku, 1)) for t in tills]
    ids = [(t.cashier.id, o.id) for t, o in zip(tills, orders, strict=True)]
    db.session.commit()  # and nothing read here until the threads are done: SQLite has one writer
    outcomes, start = [], threading.Barrier(2)

    def spend(cashier_id, order_id):
        from webapp.auth.models import User
        from webapp.sales import services as sales

        with app.app_context():
            start.wait(timeout=60)  # then both at once; SQLite lets one writer in at a time (BEGIN IMMEDIATE)
            try:
                order, cashier = db.session.get(Order, order_id), db.session.get(User, cashier_id)
                sales.complete_sale(order, [Tender("stored_value", "100.00")], user=cashier,
                                    client_uuid=str(uuid.uuid4()))
                db.session.commit()
                outcomes.append("paid")
            except PaymentDeclined:
                db.session.rollback()
                outcomes.append("declined")
            except Exception as failed:  # noqa: BLE001  (recorded: the assertion below shows it)
                db.session.rollback()
                outcomes.append(repr(failed))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=spend, args=pair) for pair in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["declined", "paid"]
    db.session.expire_all()
    assert card(customer).balance == Decimal("0.00")
    assert_ledger_is_the_balance(customer)


def test_an_online_order_is_paid_with_stored_value_and_a_cancel_gives_it_back(till, member, stocked):
    from webapp.sales.online import services as online

    top_up(till, member, "100")
    sku = stocked(till.store, price="30.00")
    placed = online.place_order(till.store, member, [(sku, 1)], phone="13800138000", checkout_key="k1")
    online.pay(placed, "stored_value", "")
    assert card(member).balance == Decimal("70.00") and placed.is_paid
    online.cancel(placed, by_customer=True)
    assert card(member).balance == Decimal("100.00")
    assert_ledger_is_the_balance(member)
