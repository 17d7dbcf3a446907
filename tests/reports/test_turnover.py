"""Turnover days: on hand at cost ÷ average daily cost of goods sold; no sales is "no sales", never infinity."""
from decimal import Decimal

from tests.reports.conftest import backdate, give_back, sell
from webapp.extensions import db
from webapp.reports import turnover
from webapp.reports.periods import Period
from webapp.stock import services as stock


def by_sku(store, days=30):
    period = Period.last_days(days)
    return {row.sku.id: row for row in turnover.sku_rows(db.session.execute(turnover.by_sku(store, period)), period)}


def by_category(store, days=30):
    period = Period.last_days(days)
    return turnover.category_rows(db.session.execute(turnover.by_category(store, period)), period)


def test_turnover_days_are_stock_value_over_the_daily_cost_of_sales(make_store, stocked):
    store = make_store()
    tea = stocked(store, qty=10, cost="2.00", price="9.00")
    give_back(sell(store, tea, 3), 1)  # cost of goods sold 3 × 2.00 − 1 × 2.00 = 4.00; 8 left = 16.00
    row = by_sku(store)[tea.id]
    assert (row.on_hand, row.on_hand_value, row.cost_of_sales) == (Decimal("8"), Decimal("16.00"), Decimal("4.00"))
    assert row.turnover_days == Decimal("120.0")  # 16.00 ÷ (4.00 ÷ 30 days)
    assert by_sku(store, days=7)[tea.id].turnover_days == Decimal("28.0")  # 16.00 ÷ (4.00 ÷ 7)


def test_the_report_opens_on_the_slow_movers_and_a_sku_that_sold_nothing_has_no_turnover(make_store, stocked):
    store = make_store()
    tea = stocked(store, qty=10, cost="2.00")
    idle = stocked(store, qty=3, cost="7.00")
    sell(store, tea, 1)
    period = Period.last_days(30)
    rows = turnover.sku_rows(db.session.execute(turnover.by_sku(store, period)), period)
    assert [r.sku.id for r in rows] == [tea.id, idle.id]
    assert rows[0].turnover_days == Decimal("270.0")  # 9 × 2.00 × 30 ÷ 2.00
    assert (rows[1].on_hand_value, rows[1].cost_of_sales, rows[1].turnover_days) == (Decimal("21.00"), Decimal("0.00"), None)


def test_sales_before_the_period_do_not_count(make_store, stocked):
    store = make_store()
    tea = stocked(store, qty=10, cost="2.00")
    backdate(10, order=sell(store, tea, 5))
    assert by_sku(store, days=7)[tea.id].turnover_days is None
    assert by_sku(store, days=30)[tea.id].turnover_days == Decimal("30.0")  # 10.00 × 30 ÷ 10.00


def test_write_offs_and_damaged_returns_are_not_sales(make_store, stocked):
    store = make_store()
    tea = stocked(store, qty=10, cost="2.00")
    stock.write_off(store, tea, 2, user=None, document=("write_off", "W1"))
    give_back(sell(store, tea, 2), 1, damaged=True)
    row = by_sku(store)[tea.id]
    # the shelf lost 2 to customers; the damaged one went to loss, not back on the shelf
    assert (row.on_hand, row.cost_of_sales) == (Decimal("6"), Decimal("4.00"))


def test_turnover_per_category_sums_its_skus(make_store, stocked):
    store = make_store()
    cola = stocked(store, qty=10, cost="2.00", category="饮料/碳酸饮料")
    juice = stocked(store, qty=20, cost="3.00", category="饮料/碳酸饮料")
    stocked(store, qty=5, cost="4.00", category="零食")
    stocked(store, qty=1, cost="1.00")
    sell(store, cola, 4)
    sell(store, juice, 2)
    rows = {row.category: row for row in by_category(store)}
    drinks = rows["饮料 / 碳酸饮料"]
    # on hand 6 × 2.00 + 18 × 3.00 = 66.00; sold 4 × 2.00 + 2 × 3.00 = 14.00; 66 × 30 ÷ 14 = 141.43
    assert (drinks.on_hand_value, drinks.cost_of_sales, drinks.turnover_days) == (
        Decimal("66.00"), Decimal("14.00"), Decimal("141.4"))
    assert (rows["零食"].on_hand_value, rows["零食"].turnover_days) == (Decimal("20.00"), None)
    assert rows[None].on_hand_value == Decimal("1.00")
    assert list(rows) == ["饮料 / 碳酸饮料", "零食", None]  # slow movers first, then no sales (most value first)


def test_the_chain_counts_every_stores_shelf(make_store, stocked):
    a, b = make_store(), make_store()
    tea = stocked(a, qty=10, cost="2.00")
    stock.receive(b, tea, 10, "2.00", user=None, document=("receipt", "RB"))
    sell(a, tea, 5)
    period = Period.last_days(30)
    [row] = turnover.sku_rows(db.session.execute(turnover.by_sku(None, period)), period)
    assert (row.on_hand, row.on_hand_value, row.cost_of_sales, row.turnover_days) == (
        Decimal("15"), Decimal("30.00"), Decimal("10.00"), Decimal("90.0"))
