"""Refunds at the till: above the store's threshold (by default every refund) a manager's PIN, recorded."""
from decimal import Decimal

import pytest

from tests.conftest import manager_of
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.pos import services as pos
from webapp.sales.models import Order, OrderKind
from webapp.stock import queries as stock_queries

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def sale(till, stocked, login):
    """A sale of three ¥4.00 items at the till, its cashier signed in, the store's manager with PIN 2468."""
    sku = stocked(till.store, qty=10, barcode="6921168509256", price="4.00")
    sold = till.sell((sku, 3))
    pos.set_pin(manager_of(till.store), "2468")
    db.session.commit()
    login(till.cashier)
    return sold


def return_one(client, till, sale, **form):
    url = f"/pos/registers/{till.register.id}/returns/{sale.number}"
    return client.post(url, data={f"qty-{sale.lines[0].id}": "1", "refund": "cash", "client_uuid": "r-1", **form},
                       headers=ZH)


def returns() -> list[Order]:
    return list(db.session.scalars(db.select(Order).where(Order.kind == OrderKind.RETURN.value)))


def test_a_cashier_cannot_refund_without_a_managers_pin(client, till, sale):
    refused = return_one(client, till, sale)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "退款 ¥4.00 需要店长授权码" in page and 'name="pin"' in page
    wrong = return_one(client, till, sale, pin="1111")
    assert wrong.status_code == 422 and returns() == []
    assert stock_queries.level_at(till.store, sale.lines[0].sku)[0] == 7


def test_a_managers_pin_approves_the_refund_and_the_return_records_who(client, till, sale):
    done = return_one(client, till, sale, pin="2468")
    assert done.status_code == 303
    [refund] = returns()
    assert refund.refund_approved_by == manager_of(till.store) and refund.total == Decimal("4.00")
    receipt = client.get(done.location, headers=ZH).get_data(as_text=True)
    assert "退款合计" in receipt and "退款审批：店长" in receipt
    assert stock_queries.level_at(till.store, sale.lines[0].sku)[0] == 8


def test_a_refund_below_the_stores_threshold_needs_no_pin(client, till, sale):
    till.store.refund_approval_above = Decimal("5.00")
    db.session.commit()
    assert return_one(client, till, sale).status_code == 303
    [refund] = returns()
    assert refund.refund_approved_by is None
    above = return_one(client, till, sale, client_uuid="r-2", **{f"qty-{sale.lines[0].id}": "2"})
    assert above.status_code == 422 and "超过 ¥5.00 的退款需授权" in above.get_data(as_text=True)


def test_a_manager_giving_the_refund_answers_for_it_without_a_pin(client, till, sale, login):
    manager = manager_of(till.store)
    login(manager)
    page = client.get(f"/pos/registers/{till.register.id}/returns/{sale.number}").get_data(as_text=True)
    assert 'name="pin"' not in page
    assert return_one(client, till, sale).status_code == 303
    assert returns()[0].refund_approved_by == manager


def test_another_stores_manager_cannot_approve_a_refund(client, till, sale, make_store, make_user):
    elsewhere = make_user(Role.STORE_MANAGER, stores=[make_store()])
    pos.set_pin(elsewhere, "9753")
    db.session.commit()
    assert return_one(client, till, sale, pin="9753").status_code == 422 and returns() == []


def test_hq_sets_the_refund_threshold_on_the_store(client, make_store, make_user, login):
    store = make_store()
    login(make_user(Role.HQ_ADMIN))
    page = client.get(f"/admin/stores/{store.id}", headers=ZH).get_data(as_text=True)
    assert "超过此金额的退款需店长授权码" in page
    form = {"code": store.code, "name": store.name, "kind": "direct", "delivery_radius_m": "0",
            "delivery_fee": "0", "minimum_order": "0", "unpaid_hold_minutes": "15", "refund_approval_above": "50.00"}
    assert client.post(f"/admin/stores/{store.id}", data=form).status_code == 303
    db.session.refresh(store)
    assert store.refund_approval_above == Decimal("50.00")
    refused = client.post(f"/admin/stores/{store.id}", data={**form, "refund_approval_above": "-1"})
    assert refused.status_code == 422
