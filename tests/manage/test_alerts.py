"""Alerts that lead somewhere: the short list, most urgent first, and the action each one promises."""
from datetime import timedelta

from sqlalchemy import select, update

import webapp.sales.online.models  # noqa: F401  (tables)
from tests.reports.conftest import give_back, sell
from webapp.auth.models import Role
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.manage import alerts
from webapp.pos import services as pos
from webapp.purchasing.models import PurchaseOrder
from webapp.purchasing.suppliers import save_item, save_supplier
from webapp.sales.online import services as online
from webapp.sales.online.models import OnlineOrder

PAID_CODE = "134567890123450001"


def test_an_out_of_stock_alert_makes_the_draft_purchase_order_it_promises(client, login, make_store, make_user, stocked):
    store = make_store()
    tea = stocked(store, qty=3, cost="2.00", price="9.00", name="龙井茶")
    supplier = save_supplier(None, name="茶叶供应商", lead_time_days=2)
    save_item(supplier, tea, cost_price="2.00")
    sell(store, tea, 3)  # out, and selling: the suggestions want more
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    page = client.get("/manage/alerts").get_data(as_text=True)
    assert "龙井茶" in page and "Draft purchase order" not in page  # in Chinese: 生成采购草稿
    answer = client.post(f"/manage/stores/{store.id}/replenish/{tea.id}", data={"key": "tap-1"})
    assert answer.status_code == 303
    order = db.session.scalar(select(PurchaseOrder))
    assert answer.headers["Location"].endswith(f"/purchase-orders/{order.id}")
    assert order.status == "draft" and order.supplier_id == supplier.id
    assert [(line.sku_id, line.quantity > 0) for line in order.lines] == [(tea.id, True)]
    again = client.post(f"/manage/stores/{store.id}/replenish/{tea.id}", data={"key": "tap-1"})  # a double tap
    assert again.headers["Location"] == answer.headers["Location"]
    assert len(db.session.scalars(select(PurchaseOrder)).all()) == 1


def test_replenishing_a_sku_no_supplier_sells_says_why(client, login, make_store, make_user, stocked):
    store = make_store()
    tea = stocked(store, qty=1, price="9.00")
    sell(store, tea, 1)
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    answer = client.post(f"/manage/stores/{store.id}/replenish/{tea.id}", data={"key": "k"},
                         headers={"HX-Request": "true"})
    assert answer.status_code == 409 and "供应商" in answer.get_data(as_text=True)
    assert client.post(f"/manage/stores/{store.id}/replenish/{tea.id}", data={"key": "k" * 41}).status_code == 400


def test_another_stores_alert_action_is_refused(client, login, make_store, make_user, stocked):
    mine, theirs = make_store(), make_store()
    tea = stocked(theirs, qty=1)
    login(make_user(Role.STORE_MANAGER, stores=[mine]))
    assert client.post(f"/manage/stores/{theirs.id}/replenish/{tea.id}", data={"key": "k"}).status_code == 403
    assert client.get(f"/manage/alerts?store={theirs.id}").status_code == 403


def test_an_online_order_waiting_too_long_leads_to_the_order(make_store, make_user, stocked):
    store = make_store(city="杭州", district="西湖区", latitude=30.259, longitude=120.13)
    store.online_pickup = True
    tea = stocked(store, qty=5, price="9.00")
    shopper = make_user(Role.CUSTOMER, phone="13800138000", username="c13800138000")
    waiting = online.place_order(store, shopper, [(tea, 1)], phone="13800138000", checkout_key="w")
    online.pay(waiting, "wechat", PAID_CODE)
    fresh = online.place_order(store, shopper, [(tea, 1)], phone="13800138000", checkout_key="f")
    online.pay(fresh, "wechat", PAID_CODE)
    db.session.execute(update(OnlineOrder.__table__).where(OnlineOrder.__table__.c.id == waiting.id)
                       .values(paid_at=utcnow() - timedelta(minutes=45)))
    found = [a for a in alerts.alerts([store]) if a.kind == "late_order"]
    assert [(a.online.id, a.minutes >= 44) for a in found] == [(waiting.id, True)]


def test_refunds_above_normal_and_a_cash_variance_are_flagged(make_store, make_user, stocked):
    store = make_store()
    tea = stocked(store, qty=20, price="9.00")
    for _ in range(3):
        give_back(sell(store, tea, 1), 1)  # 3 returns today, none in the 28 days before
    register = pos.save_register(None, store=store, name="1号机")
    cashier = make_user(Role.CASHIER, stores=[store])
    shift = pos.open_shift(register, cashier, "100.00")
    pos.close_shift(shift, {"50": 1}, cashier)  # 50 counted, 100 expected: −50
    kinds = [a.kind for a in alerts.alerts([store], with_stock=False)]
    assert kinds == ["cash_variance", "refunds"]


def test_the_list_puts_the_most_urgent_first(make_store, stocked):
    store = make_store()
    gone, low = stocked(store, qty=1, price="9.00"), stocked(store, qty=5, price="9.00")
    sell(store, gone, 2)  # −1 on hand: negative
    out = stocked(store, qty=1, price="9.00")
    sell(store, out, 1)
    from webapp.stock.models import StockRule
    db.session.add(StockRule(store_id=store.id, sku_id=low.id, warning_qty=10))
    db.session.flush()
    assert [(a.kind, a.stock.sku.id) for a in alerts.alerts([store])] == [
        ("negative", gone.id), ("out", out.id), ("low", low.id)]
