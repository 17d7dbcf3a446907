"""Margin per store, side by side, for HQ: each store's sales less returns, cost and gross margin."""
from decimal import Decimal

from tests.reports.conftest import give_back, sell
from webapp.auth.models import Role
from webapp.reports.periods import Period
from webapp.reports.stores import store_margins


def test_hq_sees_each_stores_margin_side_by_side(client, login, make_store, make_user, stocked):
    east, west = make_store(name="东店"), make_store(name="西店")
    make_store(name="静店")  # sold nothing: still in the table, with zeros
    tea = stocked(east, qty=10, cost="2.00", price="9.00")
    cola = stocked(west, qty=10, cost="2.00", price="3.50")
    give_back(sell(east, tea, 2), 1)  # 18.00 − 9.00 = 9.00, cost 2.00
    sell(west, cola, 4)  # 14.00, cost 8.00
    rows = store_margins(None, Period.last_days(7))
    assert [(r.store, r.orders, r.sales_value, r.cost, r.margin, r.margin_rate) for r in rows] == [
        ("西店", 1, Decimal("14.00"), Decimal("8.00"), Decimal("6.00"), Decimal("42.9")),
        ("东店", 1, Decimal("9.00"), Decimal("2.00"), Decimal("7.00"), Decimal("77.8")),
        ("静店", 0, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), None)]
    login(make_user(Role.HQ_ADMIN))
    page = client.get("/manage/reports/chain/store-margins").get_data(as_text=True)
    page = page[page.index('id="report-table"'):]
    assert page.index("西店") < page.index("东店") < page.index("静店")
    csv = client.get("/manage/reports/chain/store-margins?format=csv").get_data(as_text=True)
    assert "西店,1,14.00,8.00,6.00,42.9" in csv and "\n合计,2,23.00,10.00,13.00,56.5" in csv.replace("\r", "")
