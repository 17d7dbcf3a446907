"""Today at a glance, on a small ledger with answers worked out by hand.

The day is fixed (a Wednesday, 12:00 in Shanghai) and every order is put at a known time with the
reports' ``backdate``, so the figures do not depend on when the suite runs.
"""
from datetime import datetime, timedelta
from decimal import Decimal

from tests.reports.conftest import backdate, give_back, sell
from webapp.auth.models import Role
from webapp.manage.today import today

NOON = datetime(2026, 11, 18, 4, 0)  # 12:00 in Shanghai (UTC+8), a Wednesday
DAY_START = datetime(2026, 11, 17, 16, 0)  # 00:00 local


def at(hours_after_midnight: float, days_back: int = 0) -> datetime:
    return DAY_START - timedelta(days=days_back) + timedelta(hours=hours_after_midnight)


def test_the_days_figures_add_up_to_what_the_till_rang(make_store, stocked, make_sku):
    store = make_store()
    tea = stocked(store, qty=10, cost="2.00", price="9.00")
    cola = stocked(store, qty=10, cost="2.00", price="3.50")
    first = sell(store, tea, 2)  # 18.00, cost 4.00
    backdate(order=first, when=at(9.5))
    second = sell(store, cola, 1)  # 3.50, cost 2.00
    backdate(order=second, when=at(10.2))
    refund = give_back(first, 1)  # 9.00 back, cost 2.00 back
    backdate(order=refund, when=at(11))
    last_week = sell(store, tea, 1)  # 9.00 last Wednesday at 09:15: before "now" a week ago
    backdate(order=last_week, when=at(9.25, days_back=7))
    late_last_week = sell(store, cola, 2)  # 7.00 last Wednesday at 18:00: in the chart, not in the growth
    backdate(order=late_last_week, when=at(18, days_back=7))
    yesterday = sell(store, cola, 1)
    backdate(order=yesterday, when=at(-2))

    day = today([store.id], now=NOON)
    f = day.figures
    assert (f.sales, f.orders, f.refunds, f.returns) == (Decimal("21.50"), 2, Decimal("9.00"), 1)
    assert f.average_ticket == Decimal("10.75")
    assert f.margin == Decimal("8.50")  # (21.50 − 9.00) − (4.00 + 2.00 − 2.00)
    assert f.margin_rate == Decimal("68.0")  # 8.50 ÷ 12.50
    assert f.items_per_basket == Decimal("1.5")  # 3 pieces ÷ 2 sales
    assert f.last_week == Decimal("9.00") and f.growth == Decimal("138.9")  # 21.50 ÷ 9.00 − 1
    hours = {h: (t, w) for h, t, w in day.hours}
    assert hours[9] == (Decimal("18.00"), Decimal("9.00"))
    assert hours[10] == (Decimal("3.50"), Decimal("0.00"))
    assert hours[18] == (Decimal("0.00"), Decimal("7.00"))
    assert [(s.key, s.amount, s.count) for s in day.channels] == [("pos", Decimal("21.50"), 2)]
    assert [(s.key, s.amount) for s in day.payments] == [("cash", Decimal("21.50"))]
    assert [(s.code, s.sold, s.amount) for s in day.top] == [(tea.code, Decimal("1"), Decimal("9.00")),
                                                           (cola.code, Decimal("1"), Decimal("3.50"))]


def test_hq_sees_every_store_ranked_and_a_manager_only_their_own(client, login, make_store, make_user, stocked):
    east, west = make_store(name="东店"), make_store(name="西店")
    sell(east, stocked(east, price="9.00"), 1)
    sell(west, stocked(west, price="3.50"), 4)  # 14.00
    login(make_user(Role.HQ_ADMIN))
    page = client.get("/manage/").get_data(as_text=True)
    ranking = page[page.index('class="table ranking"'):]
    assert ranking.index("西店") < ranking.index("东店") and "¥23.00" in page
    manager = make_user(Role.STORE_MANAGER, stores=[east])
    client.post("/logout")
    login(manager)
    page = client.get("/manage/").get_data(as_text=True)
    assert "¥9.00" in page and "西店" not in page
    assert client.get(f"/manage/?store={west.id}").status_code == 403


def test_the_poll_gets_only_the_figures_and_says_how_fresh_they_are(client, login, make_store, make_user, stocked):
    store = make_store()
    sell(store, stocked(store, price="9.00"), 1)
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    fragment = client.get("/manage/", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and text.lstrip().startswith("<div id=\"today\"")
    assert 'hx-trigger="every 5s"' in text and "<html" not in text
    assert "HX-Request" in fragment.headers["Vary"]


def test_nonsense_in_the_store_picker_is_refused_cleanly(client, login, make_store, make_user):
    store = make_store()
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    for value in ("abc", "9" * 30, "-1"):
        assert client.get(f"/manage/?store={value}").status_code == 404
    assert client.get("/manage/?store=1%00").status_code == 400  # a NUL byte: the one input guard
    assert client.get("/manage/?store=99999").status_code == 404
    assert client.get("/manage/kpis?days=abc").status_code == 200


def test_a_cashier_may_not_read_the_dashboard(client, login, make_store, make_user):
    store = make_store()
    login(make_user(Role.CASHIER, stores=[store]))
    assert client.get("/manage/").status_code == 403
