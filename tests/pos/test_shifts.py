"""Shifts and cash: one open shift per register, cash in and out with a reason, the drawer counted exactly."""
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.auth.models import Role, User
from webapp.extensions import db
from webapp.pos import queries, services
from webapp.pos.errors import (
    InvalidAmount,
    InvalidCount,
    InvalidDenomination,
    InvalidReceiptWidth,
    NotStoreStaff,
    ReasonRequired,
    RegisterNameTaken,
    ShiftAlreadyOpen,
    ShiftClosed,
)
from webapp.pos.models import Register, Shift
from webapp.sales import services as sales
from webapp.sales.errors import OrderNotOpen


def test_a_register_has_one_open_shift_at_a_time(till, make_user):
    other = make_user(role=Role.CASHIER, stores=[till.store])
    with pytest.raises(ShiftAlreadyOpen):
        services.open_shift(till.register, other, "100.00")
    services.close_shift(till.shift, {"100": 2}, till.cashier)
    shift = services.open_shift(till.register, other, "100.00")
    assert queries.open_shift_of(till.register) == shift


def test_two_cashiers_opening_the_same_register_at_once_get_one_shift(app, make_store, make_user):
    store = make_store()
    register = services.save_register(None, store=store, name="1号")
    cashiers = [make_user(role=Role.CASHIER, stores=[store]) for _ in range(2)]
    register_id, cashier_ids = register.id, [c.id for c in cashiers]
    db.session.commit()
    start, outcomes = threading.Barrier(2), []

    def open_(cashier_id):
        with app.app_context():
            start.wait()
            try:
                services.open_shift(db.session.get(Register, register_id), db.session.get(User, cashier_id), "50")
                db.session.commit()
                outcomes.append("opened")
            except ShiftAlreadyOpen:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=open_, args=(c,)) for c in cashier_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["opened", "refused"]
    assert db.session.scalar(select(func.count(Shift.id))) == 1


def test_a_cashier_opens_a_shift_only_in_their_own_store(make_store, make_user):
    register = services.save_register(None, store=make_store(), name="1号")
    with pytest.raises(NotStoreStaff):
        services.open_shift(register, make_user(role=Role.CASHIER, stores=[make_store()]), "0")


def test_a_register_has_a_unique_name_and_58_or_80_mm_paper(make_store):
    store = make_store()
    services.save_register(None, store=store, name="1号", receipt_width=58)
    with pytest.raises(RegisterNameTaken):
        services.save_register(None, store=store, name="1号")
    with pytest.raises(InvalidReceiptWidth):
        services.save_register(None, store=store, name="2号", receipt_width=76)


def test_cash_in_and_out_need_an_amount_and_a_reason(till):
    with pytest.raises(ReasonRequired):
        services.cash_out(till.shift, "50.00", "  ", till.cashier)
    with pytest.raises(InvalidAmount):
        services.cash_in(till.shift, "0", "零钱", till.cashier)
    services.cash_in(till.shift, "100.00", "换零钱", till.cashier)
    services.cash_out(till.shift, "30.50", "买垃圾袋", till.cashier)
    summary = queries.cash_summary(till.shift)
    assert (summary.cash_in, summary.cash_out, summary.expected) == (
        Decimal("100.00"), Decimal("30.50"), Decimal("269.50"))


def test_closing_counts_the_drawer_by_denomination_exactly(make_till):
    till = make_till(opening_float="200.80")
    shift = services.close_shift(till.shift, {"100": 2, "0.50": 1, "0.1": 3, "20": 0}, till.cashier)
    assert (shift.counted_cash, shift.expected_cash, shift.variance) == (
        Decimal("200.80"), Decimal("200.80"), Decimal("0.00"))
    assert shift.denominations == {"100": 2, "0.5": 1, "0.1": 3}
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).denominations == {"100": 2, "0.5": 1, "0.1": 3}


@pytest.mark.parametrize(("counted", "error"), [
    ({"3": 1}, InvalidDenomination), ({"0.3": 1}, InvalidDenomination), ({"ten": 1}, InvalidDenomination),
    ({"10": -1}, InvalidCount), ({"10": 1.5}, InvalidCount), ({"10": True}, InvalidCount), ({"10": "2"}, InvalidCount),
])
def test_a_count_of_notes_that_do_not_exist_is_refused(till, counted, error):
    with pytest.raises(error):
        services.close_shift(till.shift, counted, till.cashier)
    assert till.shift.is_open


def test_a_closed_shift_cannot_be_changed(till, stocked):
    sold = till.sell((stocked(till.store, price="5.00"), 1))
    services.close_shift(till.shift, {"100": 2, "5": 1}, till.cashier)
    with pytest.raises(ShiftClosed):
        services.cash_in(till.shift, "10.00", "零钱", till.cashier)
    with pytest.raises(ShiftClosed):
        services.close_shift(till.shift, {"100": 2}, till.cashier)
    with pytest.raises(ShiftClosed):
        sales.open_sale(till.store, till.register, till.shift, till.cashier)
    with pytest.raises(ShiftClosed):
        sales.return_lines(sold, [(sold.lines[0], 1)], user=till.cashier, shift=till.shift, register=till.register)
    assert till.shift.counted_cash == Decimal("205.00")


def test_a_sale_left_open_at_closing_goes_on_in_the_next_shift(till, stocked, make_user):
    order = sales.open_sale(till.store, till.register, till.shift, till.cashier)
    sales.add_item(order, stocked(till.store, price="5.00"))
    services.close_shift(till.shift, {"100": 2}, till.cashier)
    assert order.status == "suspended"
    with pytest.raises(ShiftClosed):
        sales.resume(order)
    with pytest.raises(OrderNotOpen):
        sales.complete_sale(order, [sales.Tender("cash", "5.00")], user=till.cashier, client_uuid="x")
    cashier = make_user(role=Role.CASHIER, stores=[till.store])
    next_shift = services.open_shift(till.register, cashier, "200.00")
    sales.resume(order, register=till.register, shift=next_shift)
    sales.complete_sale(order, [sales.Tender("cash", "5.00")], user=cashier, client_uuid="x")
    assert order.shift_id == next_shift.id and queries.cash_summary(next_shift).cash_sales == Decimal("5.00")
