"""A till sale that takes units held for online orders: the sale stands, the cashier is told, the newest
orders are flagged at once in the fulfilment queue, the manager gets an alert, the oversell KPI counts
it, and each of the store's three choices leaves the ledger and the payments right."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.fulfil.conftest import HX
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.fulfil import shortfalls as choices
from webapp.fulfil.errors import ShortfallSettled, StillShort
from webapp.manage import kpis
from webapp.reports.periods import Period
from webapp.sales.models import Payment
from webapp.sales.online import services as online
from webapp.sales.online import shortfalls
from webapp.sales.online.models import TillShortfall
from webapp.stock import services as stock
from webapp.stock.alerts.queries import Kind, alerts
from webapp.stock.models import StockMove
from webapp.stock.queries import level_at
from webapp.stock.transfers import receiving
from webapp.stock.transfers import services as transfers
from webapp.stock.transfers.models import Transfer


@pytest.fixture
def shop(online_store, make_till, stocked, paid_order):
    """7 cans on the shelf, 6 held by three paid orders (A: 2, B: 1, C: 3, placed in that order): 1 free."""
    store = online_store()
    till = make_till(store=store)
    cans = stocked({store: 7}, price="3.00", name="可口可乐")
    tea = stocked({store: 10}, price="5.00", name="龙井")
    a = paid_order(store, (cans, 2), (tea, 1))
    b = paid_order(store, (cans, 1), (tea, 1))
    c = paid_order(store, (cans, 3), (tea, 1))
    db.session.commit()
    return store, till, cans, tea, (a, b, c)


def flagged(*orders):
    return {o.order.number: sum((s.quantity for s in shortfalls.open_for(o)), Decimal("0")) for o in orders}


def test_a_till_sale_of_3_with_1_free_and_6_held_flags_the_newest_order_for_2(shop):
    store, till, cans, _tea, (a, b, c) = shop
    sale = till.sell((cans, 3))
    assert sale.status == "completed"  # the goods are in the customer's hand: never refused
    assert level_at(store, cans) == (Decimal("4.000"), Decimal("6.000"))
    assert flagged(a, b, c) == {a.order.number: 0, b.order.number: 0, c.order.number: Decimal("2.000")}
    [taken] = shortfalls.taken_by(sale)
    assert (taken.sku, taken.quantity) == (cans, Decimal("2.000"))
    assert shortfalls.short_orders(store) == {c.id}


def test_later_sales_fill_the_newest_order_before_flagging_the_next(shop):
    _store, till, cans, _tea, (a, b, c) = shop
    till.sell((cans, 3))
    till.sell((cans, 1))
    assert flagged(a, b, c) == {a.order.number: 0, b.order.number: 0, c.order.number: Decimal("3.000")}
    till.sell((cans, 2))  # on hand 1, held 6: 5 uncovered
    assert flagged(a, b, c) == {a.order.number: Decimal("1.000"), b.order.number: Decimal("1.000"),
                                c.order.number: Decimal("3.000")}


def test_a_sale_of_free_units_flags_nothing(shop):
    store, till, cans, tea, _orders = shop
    till.sell((cans, 1), (tea, 2))
    assert db.session.scalar(select(func.count(TillShortfall.id))) == 0
    assert shortfalls.short_orders(store) == set()


def test_the_cashier_sees_a_gentle_notice_on_the_receipt(shop, login):
    _store, till, cans, _tea, _orders = shop
    sale = till.sell((cans, 3))
    client = login(till.cashier)
    page = client.get(f"/pos/orders/{sale.id}/receipt", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "2 × 可口可乐 已为线上订单预留：门店将处理。" in page


def test_the_queue_flags_the_short_order_and_its_page_offers_the_three_choices(shop, login, staff, online_store,
                                                                             stocked):
    store, till, cans, _tea, (_a, _b, c) = shop
    other = online_store(name="滨江店")

    stock.receive(other, cans, 5, "2.00", user=None, document=("receipt", "R2"))
    till.sell((cans, 3))
    client = login(staff(store))
    queue = client.get(f"/fulfil/stores/{store.id}/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert queue.count("短缺：收银台已售出") == 1 and f'data-order-id="{c.id}"' in queue
    page = client.get(f"/fulfil/stores/{store.id}/orders/{c.id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "收银台卖出了本订单预留的 可口可乐 × 2" in page
    assert "滨江店 · 可用 5" in page and "申请调拨" in page and "标记缺货（退款）" in page and "取消订单并退款" in page


def test_asking_for_a_transfer_makes_a_draft_from_the_other_store_and_moves_no_stock(
        shop, login, staff, online_store):
    store, till, cans, _tea, (_a, _b, c) = shop
    other = online_store(name="滨江店")

    stock.receive(other, cans, 5, "2.00", user=None, document=("receipt", "R2"))
    till.sell((cans, 3))
    moves = db.session.scalar(select(func.count(StockMove.id)))
    [shortfall] = shortfalls.open_for(c)
    client = login(staff(store))
    response = client.post(f"/fulfil/stores/{store.id}/orders/{c.id}/short/{shortfall.id}/transfer",
                           data={"source": str(other.id)}, headers=HX)
    assert response.status_code == 204, response.get_data(as_text=True)
    db.session.expire_all()
    transfer = db.session.scalar(select(Transfer))
    assert (transfer.source_store_id, transfer.destination_store_id, transfer.status) == (other.id, store.id, "draft")
    assert [(ln.sku_id, ln.quantity) for ln in transfer.lines] == [(cans.id, Decimal("2.000"))]
    assert c.order.number in transfer.note
    assert shortfalls.open_for(c) == [] and shortfall.resolution == "transfer" and shortfall.transfer_id == transfer.id
    assert db.session.scalar(select(func.count(StockMove.id))) == moves  # the sender sends it; nothing moved yet
    assert level_at(store, cans) == (Decimal("4.000"), Decimal("6.000"))  # the order keeps its hold
    assert shortfalls.short_orders(store) == set()


def test_a_store_without_the_units_cannot_be_asked(shop, login, staff, online_store):
    store, till, cans, _tea, (_a, _b, c) = shop
    other = online_store(name="空店")
    till.sell((cans, 3))
    [shortfall] = shortfalls.open_for(c)
    client = login(staff(store))
    response = client.post(f"/fulfil/stores/{store.id}/orders/{c.id}/short/{shortfall.id}/transfer",
                           data={"source": str(other.id)}, headers=HX)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Transfer.id))) == 0


def test_marking_the_line_unavailable_refunds_it_and_releases_its_hold(shop, login, staff):
    store, till, cans, tea, (_a, _b, c) = shop
    till.sell((cans, 3))
    [shortfall] = shortfalls.open_for(c)
    client = login(staff(store))
    response = client.post(f"/fulfil/stores/{store.id}/orders/{c.id}/short/{shortfall.id}/unavailable", headers=HX)
    assert response.status_code == 204, response.get_data(as_text=True)
    db.session.expire_all()
    assert [ln.sku_id for ln in c.order.lines] == [tea.id]
    assert sorted(p.amount for p in c.order.payments) == [Decimal("-9.00"), Decimal("14.00")]
    assert c.paid == c.amount_due == Decimal("5.00")
    assert level_at(store, cans) == (Decimal("4.000"), Decimal("3.000"))  # A's 2 and B's 1 still held; 1 free
    assert shortfall.resolution == "unavailable" and c.status == "new"


def test_cancelling_the_short_order_refunds_it_all_and_settles_the_flag(shop, staff):
    store, till, cans, tea, (_a, _b, c) = shop
    till.sell((cans, 3))
    choices.cancel(c, staff(store), reason="门店已售罄")
    db.session.commit()
    assert c.status == "cancelled" and c.paid == Decimal("0.00")
    assert sum(p.amount for p in c.order.payments) == 0
    assert level_at(store, cans) == (Decimal("4.000"), Decimal("3.000"))
    assert level_at(store, tea) == (Decimal("10.000"), Decimal("2.000"))
    assert [s.resolution for s in shortfalls.of_order(c)] == ["cancelled"]
    with pytest.raises(ShortfallSettled):
        choices.take_off(c, shortfalls.of_order(c)[0], staff(store))


def test_cancelling_from_the_orders_page_settles_the_flag_too(shop, login, staff):
    store, till, cans, _tea, (_a, _b, c) = shop
    till.sell((cans, 3))
    client = login(staff(store))
    response = client.post(f"/fulfil/stores/{store.id}/orders/{c.id}/cancel", data={"reason": "售罄"}, headers=HX)
    assert response.status_code == 204
    db.session.expire_all()
    assert [s.resolution for s in shortfalls.of_order(c)] == ["cancelled"]


def test_the_manager_gets_an_online_orders_short_alert_until_the_shelf_covers_the_holds(shop):
    store, till, cans, _tea, (_a, _b, c) = shop
    till.sell((cans, 3))
    [alert] = alerts(store, Kind.PROMISED)
    assert (alert.sku, alert.on_hand, alert.available) == (cans, Decimal("4.000"), Decimal("-2.000"))
    choices.cancel(c, None, reason="售罄")
    assert alerts(store, Kind.PROMISED) == []


def test_the_oversell_kpi_counts_orders_left_short_by_the_till(shop, make_user):
    store, till, cans, _tea, (_a, _b, c) = shop
    period = Period.last_days(7)
    assert kpis.oversell_rate([store.id], period).counts == "0 / 6"
    till.sell((cans, 3))
    assert kpis.oversell_rate([store.id], period).counts == "1 / 6"
    choices.take_off(c, shortfalls.open_for(c)[0], make_user(role=Role.CASHIER, stores=[store]))
    assert kpis.oversell_rate([store.id], period).counts == "1 / 6"  # the same line, counted once
    [line] = kpis.oversold_lines([store.id], period)
    assert (line.number, line.sku_id, line.quantity) == (c.order.number, cans.id, Decimal("2.000"))


def test_another_stores_order_cannot_be_reached(shop, login, staff, online_store):
    store, till, cans, _tea, (_a, _b, c) = shop
    till.sell((cans, 3))
    [shortfall] = shortfalls.open_for(c)
    other = online_store()
    client = login(staff(other))
    assert client.post(f"/fulfil/stores/{store.id}/orders/{c.id}/short/{shortfall.id}/unavailable",
                       headers=HX).status_code == 403
    assert client.post(f"/fulfil/stores/{other.id}/orders/{c.id}/short/{shortfall.id}/unavailable",
                       headers=HX).status_code == 404
    assert db.session.scalar(select(func.count(Payment.id)).where(Payment.amount < 0)) == 0


def test_the_transfer_once_sent_and_received_covers_the_holds_again(shop, staff, online_store):
    store, till, cans, _tea, (_a, _b, c) = shop
    other = online_store(name="滨江店")
    stock.receive(other, cans, 5, "2.00", user=None, document=("receipt", "R2"))
    till.sell((cans, 3))
    [shortfall] = shortfalls.open_for(c)
    transfer = choices.ask_transfer(c, shortfall, other, staff(store))
    transfers.send(transfer, user=staff(other))
    assert level_at(other, cans) == (Decimal("3.000"), Decimal("0.000"))
    receiving.scan(transfer, cans, 2)
    receiving.confirm_receipt(transfer, user=staff(store))
    assert level_at(store, cans) == (Decimal("6.000"), Decimal("6.000"))  # every hold covered again
    assert alerts(store, Kind.PROMISED) == []
    online.start_picking(c, None)
    online.mark_ready(c, None)
    assert c.status == "ready"


def test_once_goods_come_in_the_store_fulfils_the_order_as_ordered(shop, login, staff):
    store, till, cans, _tea, (_a, _b, c) = shop
    till.sell((cans, 3))
    [shortfall] = shortfalls.open_for(c)
    picker = staff(store)
    with pytest.raises(StillShort):
        choices.keep(c, shortfall, picker)
    stock.receive(store, cans, 2, "1.50", user=None, document=("receipt", "R3"))  # the delivery came
    client = login(picker)
    page = client.get(f"/fulfil/stores/{store.id}/orders/{c.id}", headers={"Accept-Language": "zh-CN"})
    assert "已到货：照常履约" in page.get_data(as_text=True)
    response = client.post(f"/fulfil/stores/{store.id}/orders/{c.id}/short/{shortfall.id}/keep", headers=HX)
    assert response.status_code == 204
    db.session.expire_all()
    assert shortfall.resolution == "restocked" and shortfalls.short_orders(store) == set()
    assert level_at(store, cans) == (Decimal("6.000"), Decimal("6.000")) and c.paid == Decimal("14.00")


def test_a_members_sale_of_held_units_flags_them_as_a_sale_without_a_member_does(shop):
    """With a member the shelf's holds are asked along with the member's card (one statement): same flags."""
    from webapp.members import cards
    from webapp.sales import services as sales

    store, till, cans, tea, (a, b, c) = shop
    member, _ = cards.enrol("13800138077", "周会员", store=store)
    order = till.sale()
    sales.name_member(order, member)
    sales.add_item(order, cans, 3)
    sale = sales.complete_sale(order, [sales.Tender("cash", str(order.total))], user=till.cashier,
                               client_uuid=f"sale-{order.number}")
    assert flagged(a, b, c) == {a.order.number: 0, b.order.number: 0, c.order.number: Decimal("2.000")}
    assert [(t.sku, t.quantity) for t in shortfalls.taken_by(sale)] == [(cans, Decimal("2.000"))]
    order = till.sale()
    sales.name_member(order, member)
    sales.add_item(order, tea, 2)  # 10 on the shelf, 3 held: nothing taken from a hold
    sales.complete_sale(order, [sales.Tender("cash", str(order.total))], user=till.cashier,
                        client_uuid=f"sale-{order.number}")
    assert shortfalls.taken_by(order) == []
