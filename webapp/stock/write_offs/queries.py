"""Reads for the write-off screens: drafts, and the report by reason, period and value."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.stock.write_offs.models import WriteOff, WriteOffLine, WriteOffStatus
from webapp.stores.models import Store


@dataclass
class ReasonTotal:
    reason: str
    documents: int
    value: Decimal


def write_off_in(store_id: int, write_off_id: int) -> WriteOff | None:
    return db.session.scalar(select(WriteOff).where(WriteOff.id == write_off_id, WriteOff.store_id == store_id))


def drafts(store: Store, user) -> list[WriteOff]:
    return list(db.session.scalars(
        select(WriteOff).where(WriteOff.store_id == store.id, WriteOff.status == WriteOffStatus.DRAFT.value,
                               WriteOff.created_by_id == user.id).order_by(WriteOff.id.desc()).limit(20)))


def posted_lines(store: Store, start: datetime | None, end: datetime | None, reason: str | None) -> list[WriteOffLine]:
    """Posted lines in the period [start, end) (UTC), newest first."""
    query = (select(WriteOffLine).join(WriteOff)
             .where(WriteOff.store_id == store.id, WriteOff.status == WriteOffStatus.POSTED.value)
             .options(selectinload(WriteOffLine.write_off).selectinload(WriteOff.created_by),
                      selectinload(WriteOffLine.sku).selectinload(SKU.product), selectinload(WriteOffLine.lot))
             .order_by(WriteOff.posted_at.desc(), WriteOffLine.id))
    if start:
        query = query.where(WriteOff.posted_at >= start)
    if end:
        query = query.where(WriteOff.posted_at < end)
    if reason:
        query = query.where(WriteOff.reason == reason)
    return list(db.session.scalars(query.limit(5000)))


def by_reason(lines: list[WriteOffLine]) -> list[ReasonTotal]:
    totals: dict[str, ReasonTotal] = {}
    for line in lines:
        total = totals.setdefault(line.write_off.reason, ReasonTotal(line.write_off.reason, 0, Decimal("0")))
        total.value += line.value
    for reason, total in totals.items():
        total.documents = len({li.write_off_id for li in lines if li.write_off.reason == reason})
    return sorted(totals.values(), key=lambda t: -t.value)
