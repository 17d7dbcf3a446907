"""Time, one way: stored as naive UTC everywhere; the shop's business day and local time come from
its time zone (``BABEL_DEFAULT_TIMEZONE``, Asia/Shanghai by default). Dates and times shown to a
person are formatted with Flask-Babel (``format_datetime``, the ``datetimeformat`` filter)."""
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def shop_zone() -> ZoneInfo:
    """The shop's time zone (outside an app, the default)."""
    from flask import current_app, has_app_context

    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def local_time(moment: datetime | None = None, zone: ZoneInfo | None = None) -> datetime:
    """A stored (naive UTC) time in the shop's time zone (or ``zone``)."""
    return (moment or utcnow()).replace(tzinfo=UTC).astimezone(zone or shop_zone())


def business_day(moment: datetime | None = None) -> date:
    """The shop's local date of a stored time (now, by default): order numbers and reports count by it."""
    return local_time(moment).date()


def day_start(day: date, zone: ZoneInfo | None = None) -> datetime:
    """Midnight of a local day, as the naive UTC the database keeps."""
    return datetime.combine(day, time(), zone or shop_zone()).astimezone(UTC).replace(tzinfo=None)
