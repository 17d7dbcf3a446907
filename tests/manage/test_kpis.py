"""Each KPI on a fixture ledger whose answer is worked out by hand, and its drill-down lists the same rows."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import update

import webapp.sales.online.models  # noqa: F401  (tables)
from tests.reports.conftest import backdate, give_back, sell
from webapp.auth.models import Role
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.fulfil import services as fulfil
from webapp.manage import kpis
from webapp.reports.periods import Period
from webapp.sales.models import Order
from webapp.sales.online import services as online
from webapp.sales.online.models import OnlineOrder, OrderNotification
from webapp.sales.online.services import Delivery
from webapp.stock import services as stock

PAID_CODE = "134567890123450001"  # the sandbox takes it


def _shop(make_store, make_user):
    store = make_store(city="杭州", district="西湖区", latitude=30.259, longitude=120.13)
    store.online_pickup, store.delivery_radius_m = True, 5000
    staff = make_user(Role.STORE_MANAGER, stores=[store])
    shopper = make_user(Role.CUSTOMER, phone="13800138000", username="c13800138000")
    return store, staff, shopper


def _order(store, shopper, lines, key, delivery=False):
    where = Delivery("西湖路 1 号", "西湖区", 30.26, 120.13) if delivery else None
    return online.place_order(store, shopper, lines, phone="13800138000", checkout_key=key, delivery=where)


def _set(found: OnlineOrder, **values):
    db.session.execute(update(OnlineOrder.__table__).where(OnlineOrder.__table__.c.id == found.id).values(**values))
    db.session.expire_all()


def test_oversell_rate_counts_the_lines_marked_unavailable(make_store, make_user, stocked):
    store, staff, shopper = _shop(make_store, make_user)
    tea, cola = stocked(store, price="9.00"), stocked(store, price="3.50")
    short = _order(store, shopper, [(tea, 1), (cola, 1)], "k-1")
    online.pay(short, "wechat", PAID_CODE)
    online.start_picking(short, staff)
    fulfil.mark_unavailable(short, short.order.lines[1].id, staff)
    _order(store, shopper, [(tea, 2)], "k-2")
    period = Period.last_days(7)
    kpi = kpis.oversell_rate([store.id], period)
    assert (kpi.value, kpi.counts) == (Decimal("33.3"), "1 / 3")  # 1 of 3 lines placed
    [line] = kpis.oversold_lines([store.id], period)
    assert (line.number, line.sku_id) == (short.order.number, cola.id)


def test_48_hour_unshipped_rate_counts_only_orders_whose_48_hours_have_passed(make_store, make_user, stocked):
    store, staff, shopper = _shop(make_store, make_user)
    tea = stocked(store, qty=20, price="9.00")
    now = utcnow()
    orders = []
    for n in range(4):
        found = _order(store, shopper, [(tea, 1)], f"d-{n}", delivery=True)
        online.pay(found, "wechat", PAID_CODE)
        orders.append(found)
    on_time, late, waiting, recent = orders
    for found in (on_time, late):
        online.start_picking(found, staff)
        online.mark_ready(found, staff)
        online.dispatch(found, staff)
    _set(on_time, paid_at=now - timedelta(hours=72))
    db.session.execute(update(Order.__table__).where(Order.__table__.c.id == on_time.order_id)
                       .values(completed_at=now - timedelta(hours=60)))  # out 12 h after payment
    _set(late, paid_at=now - timedelta(hours=100))
    db.session.execute(update(Order.__table__).where(Order.__table__.c.id == late.order_id)
                       .values(completed_at=now - timedelta(hours=40)))  # out 60 h after payment
    _set(waiting, paid_at=now - timedelta(hours=50))  # paid 50 h ago, still not out
    _set(recent, paid_at=now - timedelta(hours=10))  # its 48 h have not passed: not counted
    kpi, rows = kpis.unshipped([store.id], Period.last_days(7, now), now)
    assert (kpi.value, kpi.counts) == (Decimal("66.7"), "2 / 3")
    assert [r.number for r in rows] == [late.order.number, waiting.order.number]


def test_pickup_not_ready_in_time(make_store, make_user, stocked):
    store, staff, shopper = _shop(make_store, make_user)
    tea = stocked(store, qty=20, price="9.00")
    ready, slow = (_order(store, shopper, [(tea, 1)], f"p-{n}") for n in range(2))
    for found in (ready, slow):
        online.pay(found, "wechat", PAID_CODE)
    online.start_picking(ready, staff)
    online.mark_ready(ready, staff)
    now = utcnow()
    _set(ready, paid_at=now - timedelta(hours=2, minutes=30))  # paid 2.5 h ago, ready 1 h later: in time
    db.session.execute(update(OrderNotification.__table__)
                       .where(OrderNotification.__table__.c.online_order_id == ready.id)
                       .values(created_at=now - timedelta(hours=1, minutes=30)))
    _set(slow, paid_at=now - timedelta(hours=3))
    kpi, rows = kpis.pickup_not_ready([store.id], Period.last_days(7, now), now, hours=2)
    assert (kpi.value, kpi.counts) == (Decimal("50.0"), "1 / 2") and [r.number for r in rows] == [slow.order.number]


def test_median_stockout_duration_replays_the_ledger(make_store, stocked):
    store = make_store()
    tea = stocked(store, qty=1, cost="2.00", price="9.00")
    cola = stocked(store, qty=1, cost="2.00", price="3.50")
    now = utcnow()
    backdate(document=("receipt", f"R{tea.id}"), when=now - timedelta(hours=30))
    backdate(document=("receipt", f"R{cola.id}"), when=now - timedelta(hours=30))
    backdate(order=sell(store, tea, 1), when=now - timedelta(hours=20))  # tea out 20 h ago…
    stock.receive(store, tea, 5, "2.00", user=None, document=("receipt", "R-again"))
    backdate(document=("receipt", "R-again"), when=now - timedelta(hours=10))  # …back 10 h ago: 10 h
    backdate(order=sell(store, cola, 1), when=now - timedelta(hours=4))  # cola out 4 h ago, still out
    kpi, rows = kpis.stockout_duration([store.id], Period.last_days(7, now), now)
    assert kpi.value == Decimal("7.0")  # median of 10 h and 4 h
    assert [(r.sku_id, r.hours(now), r.ended is None) for r in rows] == [  # still out first
        (cola.id, Decimal("4.0"), True), (tea.id, Decimal("10.0"), False)]


def test_gross_margin_change_against_the_previous_period(make_store, stocked):
    store = make_store()
    tea = stocked(store, qty=10, cost="2.00", price="9.00")  # 77.8 % margin
    cola = stocked(store, qty=10, cost="2.00", price="3.50")  # 42.9 % margin
    sell(store, tea, 1)
    backdate(order=sell(store, cola, 1), days=10)  # in the 7 days before this week
    kpi = kpis.margin_change([store.id], Period.last_days(7))
    assert kpi.value == Decimal("34.9") and kpi.counts == "77.8% ← 42.9%"


def test_return_rate_is_sales_with_a_return_over_sales(make_store, stocked):
    store = make_store()
    tea = stocked(store, qty=10, price="9.00")
    sales = [sell(store, tea, 1) for _ in range(4)]
    give_back(sales[0], 1)
    kpi = kpis.return_rate([store.id], Period.last_days(7))
    assert (kpi.value, kpi.counts) == (Decimal("25.0"), "1 / 4")
    assert [r.number for r in kpis.returned_orders([store.id], Period.last_days(7))] == [sales[0].number]


def test_turnover_days_is_stock_at_cost_over_daily_cost_of_sales(make_store, stocked):
    store = make_store()
    tea = stocked(store, qty=10, cost="2.00", price="9.00")
    sell(store, tea, 4)  # 6 left at 2.00 = 12.00; 8.00 of cost sold in 7 days
    assert kpis.turnover_days([store.id], Period.last_days(7)).value == Decimal("10.5")  # 12 × 7 ÷ 8


def test_every_kpi_drills_down_to_its_rows(client, login, make_store, make_user, stocked):
    store, staff, shopper = _shop(make_store, make_user)
    tea = stocked(store, qty=10, price="9.00")
    sale = sell(store, tea, 1)
    give_back(sale, 1)
    login(staff)
    page = client.get("/manage/kpis").get_data(as_text=True)
    for key in ("oversell", "unshipped", "pickup_late", "stockout", "turnover", "margin", "returns"):
        assert f'id="kpi-{key}"' in page
    for key in ("oversell", "unshipped", "pickup_late", "stockout", "returns"):
        assert client.get(f"/manage/kpis/{key}?days=30").status_code == 200
    returned = client.get("/manage/kpis/returns").get_data(as_text=True)
    assert "100.0%" in returned and sale.number in returned
    assert client.get("/manage/kpis/turnover").headers["Location"].endswith(f"/manage/reports/stores/{store.id}/turnover?days=30")
    assert client.get("/manage/kpis/nonsense").status_code == 404
