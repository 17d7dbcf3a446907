"""The period a report covers, and how its times fall into local days, weeks and months.

A period of N days is N whole local days ending today: "7 days" on a Sunday
afternoon is Monday 00:00 to now, in the shop's time zone. Times are stored
as naive UTC, so the bounds are turned back into naive UTC for the queries,
and the SQL shifts each stored time by the zone's offset before it is cut
into days, weeks (starting Monday) or months.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Date, cast, func, literal_column

from webapp.clock import day_start, local_time, utcnow
from webapp.extensions import db

DAY_CHOICES = (7, 30, 90, 365)


class Bucket(StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Period:
    days: int
    start: datetime  # naive UTC, inclusive
    end: datetime  # naive UTC, exclusive
    first_day: date  # local
    last_day: date  # local
    offset: timedelta  # the zone's offset from UTC over the period
    custom: bool = False  # chosen as two dates (?from=&to=), not as "the last N days"

    @classmethod
    def last_days(cls, days: int, now: datetime | None = None) -> "Period":
        """The last ``days`` whole local days, today included, up to ``now`` (naive UTC)."""
        now = now or utcnow()
        local_now = local_time(now)
        first_day = local_now.date() - timedelta(days=days - 1)
        start = day_start(first_day)
        return cls(days, start, now, first_day, local_now.date(), local_now.utcoffset())

    @classmethod
    def between(cls, first_day: date, last_day: date, now: datetime | None = None) -> "Period":
        """Whole local days from ``first_day`` to ``last_day`` (both included; a day not over yet ends now)."""
        now = now or utcnow()
        start, end = day_start(first_day), day_start(last_day + timedelta(days=1))
        return cls((last_day - first_day).days + 1, start, min(end, now), first_day, last_day,
                   local_time(start).utcoffset(), custom=True)

    def buckets(self, bucket: Bucket) -> list[date]:
        """The first day of every week or month the period touches, oldest first."""
        first = bucket_start(self.first_day, bucket)
        found = []
        while first <= self.last_day:
            found.append(first)
            first = first + timedelta(days=7) if bucket == Bucket.WEEK else _next_month(first)
        return found


def bucket_start(day: date, bucket: Bucket) -> date:
    return day - timedelta(days=day.weekday()) if bucket == Bucket.WEEK else day.replace(day=1)


def _next_month(day: date) -> date:
    return day.replace(year=day.year + 1, month=1) if day.month == 12 else day.replace(month=day.month + 1)


def bucket_of(column, period: Period, bucket: Bucket):
    """SQL: the local week's Monday or the local month's first day of a stored UTC time."""
    seconds = int(period.offset.total_seconds())
    if db.session.get_bind().dialect.name == "postgresql":
        local = column + literal_column(f"interval '{seconds} seconds'")
        return cast(func.date_trunc(bucket.value, local), Date)
    if bucket == Bucket.WEEK:
        # 'weekday 0' moves forward to Sunday (or stays on it); six days back is that week's Monday.
        return func.date(column, f"{seconds:+d} seconds", "weekday 0", "-6 days")
    return func.date(column, f"{seconds:+d} seconds", "start of month")


def as_date(value) -> date:
    """SQLite answers dates as text, PostgreSQL as dates."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
