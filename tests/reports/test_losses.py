"""Write-offs and count variances over time: per week, month and category, at each move's cost."""
from datetime import timedelta
from decimal import Decimal

from tests.reports.conftest import backdate, give_back, sell
from webapp.reports import losses
from webapp.reports.periods import Bucket, Period, bucket_start
from webapp.stock import services as stock


def week_of(days_ago: int, period: Period):
    return bucket_start(period.last_day - timedelta(days=days_ago), Bucket.WEEK)


def test_write_offs_per_week_at_the_moves_cost(make_store, stocked):
    store = make_store()
    tea = stocked(store, qty=10, cost="2.00")
    mooncake = stocked(store, qty=5, cost="5.00")
    stock.write_off(store, tea, 2, user=None, document=("write_off", "W1"))
    stock.write_off(store, mooncake, 1, user=None, document=("write_off", "W2"))
    backdate(14, document=("write_off", "W2"))
    period = Period.last_days(30)
    rows = {row.label: row for row in losses.write_offs(store, period, Bucket.WEEK)}
    assert list(rows) == period.buckets(Bucket.WEEK)  # every week shown, oldest first
    this_week, two_weeks_ago = week_of(0, period), week_of(14, period)
    assert (rows[this_week].quantity, rows[this_week].value) == (Decimal("2"), Decimal("4.00"))
    assert (rows[two_weeks_ago].quantity, rows[two_weeks_ago].value) == (Decimal("1"), Decimal("5.00"))
    quiet = [r for day, r in rows.items() if day not in (this_week, two_weeks_ago)]
    assert all(r.quantity == 0 and r.value == 0 for r in quiet)


def test_damaged_returns_are_write_offs_of_the_returning_store_and_counts_are_not(make_store, stocked):
    here, there = make_store(), make_store()
    tea = stocked(here, qty=10, cost="2.00")
    give_back(sell(here, tea, 2), 1, damaged=True)
    stock.adjust_to_count(here, tea, 5, user=None, document=("count", "C1"))  # shrinkage: a count variance
    other = stocked(there, qty=10, cost="3.00")
    stock.write_off(there, other, 1, user=None, document=("write_off", "W9"))
    period = Period.last_days(7)
    assert [(r.quantity, r.value) for r in losses.write_offs(here, period, "category")] == [(Decimal("1"), Decimal("2.00"))]
    assert sum(r.value for r in losses.write_offs(None, period, Bucket.MONTH)) == Decimal("5.00")


def test_weighed_write_offs_are_summed_exactly_and_rounded_once(make_store, stocked):
    store = make_store()
    pork = stocked(store, qty="5", cost="12.34", unit="kg", weighed=True)
    stock.write_off(store, pork, "0.125", user=None, document=("write_off", "W1"))
    stock.write_off(store, pork, "0.125", user=None, document=("write_off", "W2"))
    [row] = [r for r in losses.write_offs(store, Period.last_days(7), Bucket.MONTH) if r.quantity]
    assert (row.quantity, row.value) == (Decimal("0.25"), Decimal("3.09"))  # 0.25 × 12.34 = 3.085, not 1.54 + 1.54


def test_write_offs_per_category_largest_first(make_store, stocked):
    store = make_store()
    cola = stocked(store, qty=10, cost="2.00", category="饮料")
    chips = stocked(store, qty=10, cost="7.00", category="零食")
    plain = stocked(store, qty=10, cost="1.00")
    for sku, qty in ((cola, 3), (chips, 1), (plain, 2)):
        stock.write_off(store, sku, qty, user=None, document=("write_off", f"W{sku.id}"))
    rows = losses.write_offs(store, Period.last_days(30), "category")
    assert [(r.label, r.quantity, r.value) for r in rows] == [
        ("零食", Decimal("1"), Decimal("7.00")), ("饮料", Decimal("3"), Decimal("6.00")), (None, Decimal("2"), Decimal("2.00"))]


def test_count_gains_and_losses_per_week(make_store, stocked):
    store, elsewhere = make_store(), make_store()
    tea = stocked(store, qty=8, cost="2.00")
    mooncake = stocked(store, qty=4, cost="5.00")
    stock.adjust_to_count(store, tea, 10, user=None, document=("count", "C1"))  # +2 × 2.00
    stock.adjust_to_count(store, mooncake, 1, user=None, document=("count", "C2"))  # −3 × 5.00
    backdate(7, document=("count", "C2"))
    stock.adjust_to_count(elsewhere, stocked(elsewhere, qty=3), 0, user=None, document=("count", "C3"))
    period = Period.last_days(30)
    rows = {row.label: row for row in losses.count_variances(store, period, Bucket.WEEK)}
    now, last_week = rows[week_of(0, period)], rows[week_of(7, period)]
    assert (now.gain_quantity, now.gain_value, now.loss_quantity, now.loss_value) == (
        Decimal("2"), Decimal("4.00"), Decimal("0"), Decimal("0.00"))
    assert (last_week.loss_quantity, last_week.loss_value, last_week.net_value) == (
        Decimal("3"), Decimal("15.00"), Decimal("-15.00"))
    assert sum(r.net_value for r in rows.values()) == Decimal("-11.00")


def test_months_cover_the_year(make_store):
    period = Period.last_days(365)
    months = period.buckets(Bucket.MONTH)
    assert len(months) in (12, 13) and all(day.day == 1 for day in months) and months == sorted(months)
    assert all(r.value == 0 for r in losses.write_offs(make_store(), period, Bucket.MONTH))
