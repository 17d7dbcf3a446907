"""Periods are whole local days (Asia/Shanghai), and weeks start on a local Monday, in SQL as in Python."""
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.reports.conftest import backdate
from webapp.reports import losses
from webapp.reports.periods import Bucket, Period
from webapp.stock import services as stock

SHANGHAI, UTC = ZoneInfo("Asia/Shanghai"), ZoneInfo("UTC")


def test_seven_days_are_today_and_the_six_local_days_before():
    period = Period.last_days(7, now=datetime(2026, 11, 22, 2, 0))  # 10:00 on Sunday the 22nd in Shanghai
    assert (period.first_day.isoformat(), period.last_day.isoformat()) == ("2026-11-16", "2026-11-22")
    assert period.start == datetime(2026, 11, 15, 16, 0)  # Monday the 16th, 00:00 in Shanghai
    assert [day.isoformat() for day in period.buckets(Bucket.WEEK)] == ["2026-11-16"]
    assert [day.isoformat() for day in Period.last_days(30, now=datetime(2026, 11, 22)).buckets(Bucket.MONTH)] == [
        "2026-10-01", "2026-11-01"]


def test_a_write_off_late_on_sunday_night_belongs_to_that_week_not_the_next(make_store, stocked):
    store = make_store()
    tea = stocked(store, qty=10, cost="2.00")
    period = Period.last_days(30)
    monday = period.last_day - timedelta(days=period.last_day.weekday() + 7)  # last week's Monday, local

    def utc(day, hour, minute):
        return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC).replace(tzinfo=None)

    stock.write_off(store, tea, 1, user=None, document=("write_off", "SUNDAY"))
    stock.write_off(store, tea, 2, user=None, document=("write_off", "MONDAY"))
    backdate(document=("write_off", "SUNDAY"), when=utc(monday - timedelta(days=1), 23, 30))  # 15:30 UTC, Sunday
    backdate(document=("write_off", "MONDAY"), when=utc(monday, 0, 30))  # 16:30 UTC, still Sunday in UTC
    rows = {row.label: row.quantity for row in losses.write_offs(store, period, Bucket.WEEK)}
    assert rows[monday] == Decimal("2") and rows[monday - timedelta(days=7)] == Decimal("1")
