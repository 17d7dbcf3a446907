"""Time is stored as naive UTC everywhere, and shown in the user's time zone."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
