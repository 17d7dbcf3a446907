"""Hot and slow sellers: exact quantities, sales and margins per SKU, net of returns, in the store's scope."""
from datetime import timedelta
from decimal import Decimal

from tests.reports.conftest import backdate, give_back, sell
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.reports import sellers
from webapp.reports.periods import Period


def hot(store, days=7, sort=sellers.Sort.QUANTITY, now=None):
    return sellers.rows(db.session.execute(sellers.hot_sellers(store, Period.last_days(days, now), sort)))


def slow(store, days=7):
    return sellers.rows(db.session.execute(sellers.slow_sellers(store, Period.last_days(days))))


def names(rows) -> list[str]:
    return [row.sku.display_name for row in rows]


def shop(make_store, stocked):
    """Three SKUs with different leaders by quantity, by sales and by margin."""
    store = make_store()
    tea = stocked(store, qty=10, cost="2.00", price="9.00", name="龙井茶")
    soda = stocked(store, qty=10, cost="1.20", price="1.99", name="汽水")
    wine = stocked(store, qty=10, cost="19.50", price="20.00", name="黄酒")
    sale = sell(store, tea, 3)
    give_back(sale, 1)
    sell(store, soda, 5)
    sell(store, wine, 1)
    return store, tea, soda, wine


def test_hot_sellers_count_sales_less_returns_with_exact_margins(make_store, stocked):
    store, tea, soda, wine = shop(make_store, stocked)
    rows = {row.sku.id: row for row in hot(store)}
    assert (rows[tea.id].sold, rows[tea.id].sales_value, rows[tea.id].cost, rows[tea.id].margin) == (
        Decimal("2"), Decimal("18.00"), Decimal("4.00"), Decimal("14.00"))
    assert rows[tea.id].margin_rate == Decimal("77.8")  # 14 / 18
    assert (rows[soda.id].sold, rows[soda.id].sales_value, rows[soda.id].margin) == (
        Decimal("5"), Decimal("9.95"), Decimal("3.95"))
    assert (rows[wine.id].sales_value, rows[wine.id].margin, rows[wine.id].margin_rate) == (
        Decimal("20.00"), Decimal("0.50"), Decimal("2.5"))
    assert rows[tea.id].on_hand == Decimal("8")  # 10 received, 3 sold, 1 back on the shelf


def test_hot_sellers_rank_by_quantity_sales_or_margin(make_store, stocked):
    store, tea, soda, wine = shop(make_store, stocked)
    assert names(hot(store, sort=sellers.Sort.QUANTITY)) == ["汽水", "龙井茶", "黄酒"]
    assert names(hot(store, sort=sellers.Sort.VALUE)) == ["黄酒", "龙井茶", "汽水"]
    assert names(hot(store, sort=sellers.Sort.MARGIN)) == ["龙井茶", "汽水", "黄酒"]


def test_weighed_goods_margins_are_exact_to_the_fen(make_store, stocked):
    store = make_store()
    pork = stocked(store, qty="5", cost="12.34", price="25.80", name="五花肉", unit="kg", weighed=True)
    sell(store, pork, "0.375")
    sell(store, pork, "0.375")
    [row] = hot(store)
    # 0.75 kg: sold 2 × 9.68 (0.375 × 25.80 = 9.675, half-up) = 19.36; cost 0.75 × 12.34 = 9.255 → 9.26
    assert (row.sold, row.sales_value, row.cost, row.margin) == (
        Decimal("0.75"), Decimal("19.36"), Decimal("9.26"), Decimal("10.10"))


def test_a_sale_ten_days_ago_counts_in_30_days_not_in_7(make_store, stocked):
    store = make_store()
    tea = stocked(store, price="9.00")
    backdate(10, order=sell(store, tea, 4))
    sell(store, tea, 1)
    assert [r.sold for r in hot(store, days=7)] == [Decimal("1")]
    assert [r.sold for r in hot(store, days=30)] == [Decimal("5")]


def test_another_stores_sales_stay_out_of_a_store_but_count_for_the_chain(make_store, stocked):
    here, there = make_store(), make_store()
    tea_here = stocked(here, price="9.00")
    sell(here, tea_here, 2)
    stocked(there, qty=5, price="9.00")
    tea_there = stocked(there, price="4.00")
    sell(there, tea_there, 3)
    assert [(r.sku.id, r.sold) for r in hot(here)] == [(tea_here.id, Decimal("2"))]
    assert [(r.sku.id, r.sold) for r in hot(None)] == [(tea_there.id, Decimal("3")), (tea_here.id, Decimal("2"))]


def test_slow_sellers_put_unsold_stock_first_with_its_value(make_store, stocked):
    store, tea, soda, wine = shop(make_store, stocked)
    stocked(store, qty=4, cost="5.00", name="月饼")
    stocked(store, qty=10, cost="1.00", name="火柴")
    sold_out = stocked(store, qty=1, cost="1.00", name="打火机")
    sell(store, sold_out, 1)
    rows = slow(store)
    assert names(rows) == ["月饼", "火柴", "黄酒", "龙井茶", "汽水"]
    assert (rows[0].sold, rows[0].on_hand, rows[0].on_hand_value) == (Decimal("0"), Decimal("4"), Decimal("20.00"))
    assert (rows[2].sold, rows[2].on_hand, rows[2].on_hand_value) == (Decimal("1"), Decimal("9"), Decimal("175.50"))
    assert sold_out.id not in [r.sku.id for r in rows]  # nothing on the shelf: not slow, sold out


def test_nothing_sold_means_no_hot_sellers(make_store, stocked):
    store = make_store()
    stocked(store)
    assert hot(store) == []
    assert hot(store, now=utcnow() + timedelta(days=1)) == []


def test_a_line_without_its_cost_is_costed_at_the_skus_average(make_store, stocked):
    store = make_store()
    tea = stocked(store, qty=10, cost="2.00", price="9.00")
    order = sell(store, tea, 2)
    order.lines[0].unit_cost = None  # e.g. a line completed before costs were kept
    db.session.flush()
    [row] = hot(store)
    assert (row.sales_value, row.cost, row.margin) == (Decimal("18.00"), Decimal("4.00"), Decimal("14.00"))
