"""The franchise account: every change a row, the balance their sum.

Signs: an invoice is + (the store owes HQ); a payment, a credit note and a rebate are −. A
negative balance is money the store paid in advance. Each row names its document, and a store
has at most one row of a kind per document: a second invoice for one order, a payment recorded
twice under one reference, or a period's rebate settled twice is refused, never doubled.

Periods (statements, rebates) are whole local days in the shop's time zone.

Ageing: the payments, credit notes and rebates settle the oldest invoices first; what is left of
each invoice is current until its due day, then 1–30, 31–60, 61–90 or 90+ days overdue.
"""
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.exc import IntegrityError

from webapp.clock import utcnow
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.numbers import FEN, money
from webapp.purchasing.numbering import document_number
from webapp.stores.models import Store, StoreKind
from webapp.supply import errors
from webapp.supply.models import AccountEntry, EntryKind, OrderStatus, RebateTier, StoreOrder, StoreOrderLine

ZERO = Decimal("0.00")
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


class AlreadyRecorded(DomainError):
    status = 409
    message = _l("%(document)s is in the account already: nothing was recorded twice.")


class NotAPayment(DomainError):
    message = _l("A payment must be more than zero (got %(amount)s).")


def post(store: Store, kind: EntryKind, amount: Decimal, document: str, *, user=None, note: str = "",
         due_on: date | None = None) -> AccountEntry:
    """One row in the store's account, or AlreadyRecorded when this document has one of this kind."""
    if store.kind != StoreKind.FRANCHISE:
        raise errors.NotFranchise(store=store.name)
    entry = AccountEntry(store_id=store.id, kind=kind.value, amount=amount, document=document[:60],
                         note=note[:200], due_on=due_on, user_id=user.id if user else None)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        raise AlreadyRecorded(document=document) from None
    return entry


def balance(store: Store, *, before: datetime | None = None) -> Decimal:
    query = select(func.coalesce(func.sum(type_coerce(AccountEntry.amount, BigInteger)), 0)).where(
        AccountEntry.store_id == store.id)
    if before is not None:
        query = query.where(AccountEntry.created_at < before)
    return (Decimal(int(db.session.scalar(query))) * FEN).quantize(FEN)


def balances(store_ids: list[int]) -> dict[int, Decimal]:
    """{store: balance} for many stores in one statement."""
    rows = db.session.execute(select(AccountEntry.store_id, func.sum(type_coerce(AccountEntry.amount, BigInteger)))
                              .where(AccountEntry.store_id.in_(sorted(set(store_ids)))).group_by(AccountEntry.store_id))
    return {store_id: (Decimal(int(total)) * FEN).quantize(FEN) for store_id, total in rows}


def frozen_by_store(store_ids: list[int]) -> dict[int, Decimal]:
    """{store: what its approved, not yet shipped orders come to} for many stores at once."""
    found: dict[int, Decimal] = {}
    for store_id, approved, price in db.session.execute(
            select(StoreOrder.store_id, StoreOrderLine.approved, StoreOrderLine.unit_price)
            .join(StoreOrder, StoreOrder.id == StoreOrderLine.order_id)
            .where(StoreOrder.store_id.in_(sorted(set(store_ids))), StoreOrder.status == OrderStatus.APPROVED.value,
                   StoreOrderLine.purchase_order_id.is_(None))):
        found[store_id] = found.get(store_id, ZERO) + ((approved or 0) * price).quantize(FEN)
    return found


def frozen(store: Store) -> Decimal:
    """What the store's approved orders not yet shipped come to: credit they hold."""
    rows = db.session.execute(
        select(StoreOrderLine.approved, StoreOrderLine.unit_price)
        .join(StoreOrder, StoreOrder.id == StoreOrderLine.order_id)
        .where(StoreOrder.store_id == store.id, StoreOrder.status == OrderStatus.APPROVED.value,
               StoreOrderLine.purchase_order_id.is_(None)))
    return sum(((q or 0) * p).quantize(FEN) for q, p in rows) or ZERO


def record_payment(store: Store, amount, reference: str, *, user, note: str = "") -> AccountEntry:
    amount = money(amount)
    if amount <= 0:
        raise NotAPayment(amount=amount)
    reference = errors.clean_text(reference, 60, _l("The reference")) or document_number("PAY")
    return post(store, EntryKind.PAYMENT, -amount, reference, user=user, note=errors.clean_text(note, 200, _l("The note")))


def invoice(order: StoreOrder, amount: Decimal, *, user, terms_days: int, document: str | None = None,
            note: str = "") -> AccountEntry | None:
    if amount <= 0:
        return None
    return post(order.store, EntryKind.INVOICE, amount, document or order.number, user=user, note=note,
                due_on=local_today() + timedelta(days=terms_days))


def credit_note(store: Store, amount: Decimal, document: str, *, user, note: str = "") -> AccountEntry | None:
    if amount <= 0:
        return None
    return post(store, EntryKind.CREDIT_NOTE, -amount, document, user=user, note=note)


# ---------------------------------------------------------------- rebates


def purchases(store: Store, start: date, end: date) -> Decimal:
    """Invoiced less credited (discrepancies) in the period: what the rebate is a percentage of."""
    rows = db.session.execute(select(AccountEntry.amount).where(
        AccountEntry.store_id == store.id, AccountEntry.kind.in_([EntryKind.INVOICE.value, EntryKind.CREDIT_NOTE.value]),
        AccountEntry.created_at >= _start(start), AccountEntry.created_at < _start(end + timedelta(days=1))))
    return sum((amount for (amount,) in rows), ZERO)


def rebate_due(store: Store, start: date, end: date) -> tuple[Decimal, RebateTier | None, Decimal]:
    """(purchases, the tier they reach or None, the rebate), the rebate rounded half-up to the fen."""
    if start > end:
        raise errors.BadPeriod()
    bought = purchases(store, start, end)
    tier = db.session.scalar(select(RebateTier).where(RebateTier.threshold <= bought)
                             .order_by(RebateTier.threshold.desc()).limit(1))
    amount = (bought * tier.percent / 100).quantize(FEN, rounding=ROUND_HALF_UP) if tier and bought > 0 else ZERO
    return bought, tier, amount


def settle_rebate(store: Store, start: date, end: date, *, user) -> AccountEntry:
    """The period's rebate as a credit note, once per store and period."""
    bought, tier, amount = rebate_due(store, start, end)
    period = f"{start.isoformat()}~{end.isoformat()}"
    if tier is None or amount <= 0:
        raise errors.NoRebate(store=store.name, purchases=bought, period=period)
    try:
        return post(store, EntryKind.REBATE, -amount, f"REBATE {period}", user=user,
                    note=f"{tier.percent.normalize()}% × {bought}")
    except AlreadyRecorded:
        raise errors.RebateSettled(store=store.name, period=period) from None


# ---------------------------------------------------------------- ageing and statements


def ageing(store: Store, today: date | None = None) -> dict[str, Decimal]:
    today = today or local_today()
    entries = db.session.scalars(select(AccountEntry).where(AccountEntry.store_id == store.id)
                                 .order_by(AccountEntry.created_at, AccountEntry.id)).all()
    credit = -sum((e.amount for e in entries if e.amount < 0), ZERO)
    buckets = dict.fromkeys(BUCKETS, ZERO)
    for e in (e for e in entries if e.amount > 0):
        settled = min(credit, e.amount)
        credit -= settled
        left = e.amount - settled
        if left > 0:
            buckets[_bucket((today - (e.due_on or e.created_at.date())).days)] += left
    return buckets


def _bucket(days_overdue: int) -> str:
    if days_overdue <= 0:
        return "current"
    if days_overdue <= 30:
        return "1-30"
    if days_overdue <= 60:
        return "31-60"
    return "61-90" if days_overdue <= 90 else "90+"


@dataclass
class Statement:
    """对账单: the opening balance, the period's rows, the closing balance (= opening + the rows)."""

    store: Store
    start: date
    end: date
    opening: Decimal
    entries: list[AccountEntry] = field(default_factory=list)

    @property
    def charged(self) -> Decimal:
        return sum((e.amount for e in self.entries if e.amount > 0), ZERO)

    @property
    def credited(self) -> Decimal:
        return -sum((e.amount for e in self.entries if e.amount < 0), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.charged - self.credited

    def running(self):
        """(entry, balance after it) in order."""
        total = self.opening
        for e in self.entries:
            total += e.amount
            yield e, total


def statement(store: Store, start: date, end: date) -> Statement:
    if start > end:
        raise errors.BadPeriod()
    if store.kind != StoreKind.FRANCHISE:
        raise errors.NotFranchise(store=store.name)
    begin, finish = _start(start), _start(end + timedelta(days=1))
    entries = db.session.scalars(select(AccountEntry).where(
        AccountEntry.store_id == store.id, AccountEntry.created_at >= begin, AccountEntry.created_at < finish)
        .order_by(AccountEntry.created_at, AccountEntry.id)).all()
    return Statement(store, start, end, balance(store, before=begin), list(entries))


def _start(day: date) -> datetime:
    """The first moment of a local day (the shop's time zone), as the naive UTC times are stored in."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    return datetime.combine(day, time.min, zone).astimezone(UTC).replace(tzinfo=None)


def local_today() -> date:
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    return utcnow().replace(tzinfo=UTC).astimezone(zone).date()


def entries_of(store: Store, limit: int = 50) -> list[AccountEntry]:
    return list(db.session.scalars(select(AccountEntry).where(AccountEntry.store_id == store.id)
                                   .order_by(AccountEntry.created_at.desc(), AccountEntry.id.desc()).limit(limit)))
