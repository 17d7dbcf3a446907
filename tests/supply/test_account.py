"""The franchise account: every change a row, balance = sum, rebates by tier, ageing, statements that reconcile."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from webapp.clock import business_day
from webapp.extensions import db
from webapp.supply import account, errors, receiving
from webapp.supply.models import AccountEntry, EntryKind, RebateTier

TODAY = business_day()
PERIOD = (TODAY - timedelta(days=40), TODAY + timedelta(days=1))


def test_payments_reduce_the_balance_and_a_reference_is_never_recorded_twice(hq, franchise):
    store = franchise()
    account.post(store, EntryKind.INVOICE, Decimal("500.00"), "YH-1", due_on=TODAY)
    account.record_payment(store, "200.00", "银行转账 0001", user=hq.admin)
    with pytest.raises(account.AlreadyRecorded):
        account.record_payment(store, "200.00", "银行转账 0001", user=hq.admin)
    assert account.balance(store) == Decimal("300.00")
    for bad in ("0", "-5", "abc", "1.234"):
        with pytest.raises(Exception) as refused:
            account.record_payment(store, bad, "", user=hq.admin)
        assert getattr(refused.value, "status", None) == 422


def test_account_rows_are_never_changed(hq, franchise):
    entry = account.post(franchise(), EntryKind.INVOICE, Decimal("5.00"), "YH-2")
    entry.amount = Decimal("1.00")
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_a_direct_store_has_no_account(hq, make_store):
    with pytest.raises(errors.NotFranchise):
        account.post(make_store(kind="direct"), EntryKind.PAYMENT, Decimal("-1.00"), "P")


def test_rebates_follow_the_tier_reached_and_are_settled_once(hq, franchise):
    db.session.add_all([RebateTier(threshold=Decimal("1000.00"), percent=Decimal("1.00")),
                        RebateTier(threshold=Decimal("5000.00"), percent=Decimal("2.50"))])
    store = franchise()
    account.post(store, EntryKind.INVOICE, Decimal("6000.00"), "YH-3")
    account.post(store, EntryKind.CREDIT_NOTE, Decimal("-200.00"), "CL-1")
    bought, tier, amount = account.rebate_due(store, *PERIOD)
    assert (bought, tier.percent, amount) == (Decimal("5800.00"), Decimal("2.50"), Decimal("145.00"))
    account.settle_rebate(store, *PERIOD, user=hq.admin)
    with pytest.raises(errors.RebateSettled):
        account.settle_rebate(store, *PERIOD, user=hq.admin)
    small = franchise()
    account.post(small, EntryKind.INVOICE, Decimal("10.00"), "YH-4")
    with pytest.raises(errors.NoRebate):
        account.settle_rebate(small, *PERIOD, user=hq.admin)


def test_ageing_settles_the_oldest_invoices_first(hq, franchise):
    store = franchise()
    account.post(store, EntryKind.INVOICE, Decimal("100.00"), "OLD", due_on=TODAY - timedelta(days=95))
    account.post(store, EntryKind.INVOICE, Decimal("100.00"), "MID", due_on=TODAY - timedelta(days=40))
    account.post(store, EntryKind.INVOICE, Decimal("100.00"), "NEW", due_on=TODAY + timedelta(days=10))
    account.record_payment(store, "150.00", "P1", user=hq.admin)
    assert account.ageing(store, TODAY) == {"current": Decimal("100.00"), "1-30": Decimal("0.00"),
                                     "31-60": Decimal("50.00"), "61-90": Decimal("0.00"), "90+": Decimal("0.00")}


def test_every_stores_statement_closes_at_the_sum_of_its_ledger(hq, stock_hq, franchise, make_sku, shipped):
    sku = make_sku()
    stock_hq(sku, 100, cost="1.20")
    stores = [franchise() for _ in range(3)]
    for n, store in enumerate(stores, start=1):
        order = shipped(store, [(sku, 5 * n)])
        receiving.scan(order, sku, 5 * n - 1)
        receiving.confirm(order, user=store.owner)
        account.record_payment(store, "1.00", f"P{n}", user=hq.admin)
    for store in stores:
        whole = account.statement(store, TODAY - timedelta(days=365), TODAY + timedelta(days=1))
        total = sum(db.session.scalars(select(AccountEntry.amount).where(AccountEntry.store_id == store.id)))
        assert whole.opening == 0 and whole.closing == total == account.balance(store)
        assert [e.kind for e in whole.entries] == ["invoice", "credit_note", "payment"]
        later = account.statement(store, TODAY + timedelta(days=1), TODAY + timedelta(days=2))
        assert later.opening == later.closing == total and later.entries == []
    with pytest.raises(errors.BadPeriod):
        account.statement(stores[0], TODAY, TODAY - timedelta(days=1))
