"""Counts (盘点): start, record what people count, approve the variance into the ledger.

Sales during a count — the choice made here: **each entry keeps its own
snapshot.** When someone records a quantity, the entry stores the shelf's on
hand in the ledger at that moment (``expected``). A SKU's variance is what
everyone counted minus the snapshot of its latest entry; approval then sets
on hand to *today's* on hand plus that variance, through the ledger's ``apply_count_differences``.
So a sale before an item is counted is in both the shelf and the snapshot,
and a sale after it is in neither: neither one shows as a loss, and the
store can keep selling while it counts. (One limit: a sale between two
entries of the same SKU in two places cannot be told apart; such a SKU is
best counted in one go.)

Several people count at once: every scan or typed quantity is its own entry
row (inserts never overwrite each other), and the same SKU counted in two
places adds up. Entries take a shared lock on the count (PostgreSQL) and
approval an exclusive one, so an entry is either in the approval or refused.

SKUs in scope that nobody counted are left as they are unless the approving
manager ticks "set to zero" — then they are counted as zero.
"""
import uuid

from sqlalchemy import insert, select, update

from webapp.catalog.models import Category, Tracking
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.stock import services as ledger
from webapp.stock.counts import queries
from webapp.stock.counts.errors import (
    CategoryRequired,
    CountClosed,
    NegativeCount,
    NotYourEntry,
    OutOfScope,
    SerialCountedTwice,
)
from webapp.stock.counts.models import CountEntry, CountLine, CountStatus, Scope, StockCount
from webapp.stock.counts.scanning import scanned, scanned_lot
from webapp.stores.models import Store


def start_count(store: Store, *, user, scope: Scope, category: Category | None = None,
                blind: bool = True) -> StockCount:
    if scope == Scope.CATEGORY and category is None:
        raise CategoryRequired()
    count = StockCount(store_id=store.id, number=f"PD-{uuid.uuid4().hex[:10].upper()}", scope=scope.value,
                       category_id=category.id if scope == Scope.CATEGORY else None, blind=blind,
                       created_by_id=user.id if user else None)
    db.session.add(count)
    db.session.flush()
    return count


def record(count: StockCount, code: str, qty=None, *, user, place: str = "",
           lot_code: str | None = None) -> CountEntry:
    """One person counted ``qty`` of the SKU with this code (no quantity: a scan, +1, or a scale label's weight)."""
    sku, qty = scanned(code, qty)
    if qty < 0:
        raise NegativeCount(quantity=qty)
    if not queries.in_scope(count, sku):
        raise OutOfScope(name=sku.display_name, scope=queries.scope_label(count))
    lot = scanned_lot(sku, lot_code)
    _lock_open(count)
    if sku.product.tracking == Tracking.SERIAL and (qty > 1 or _counted(count, sku, lot)):
        raise SerialCountedTwice(serial=lot.code, name=sku.display_name)
    entry = CountEntry(count_id=count.id, sku_id=sku.id, lot_id=lot.id if lot else None, quantity=qty,
                       expected=queries.on_hand(count.store, sku, lot), place=(place or "").strip()[:40],
                       user_id=user.id if user else None)
    db.session.add(entry)
    db.session.flush()
    return entry


def _counted(count: StockCount, sku, lot) -> bool:
    return db.session.scalar(select(CountEntry.id).where(
        CountEntry.count_id == count.id, CountEntry.sku_id == sku.id, CountEntry.lot_id == lot.id).limit(1)) is not None


def remove_entry(count: StockCount, entry: CountEntry, *, user) -> None:
    """Take back one's own entry (a wrong scan) while the count is open."""
    if entry.count_id != count.id or entry.user_id != (user.id if user else None):
        raise NotYourEntry()
    _lock_open(count)
    db.session.delete(entry)
    db.session.flush()


def approve(count: StockCount, *, user, zero_uncounted: bool = False) -> list[queries.Variance]:
    """Freeze the variance and post it to the ledger: once, whoever clicks twice."""
    result = db.session.execute(
        update(StockCount).where(StockCount.id == count.id, StockCount.status == CountStatus.OPEN.value)
        .values(status=CountStatus.APPROVED.value, approved_by_id=user.id if user else None,
                approved_at=utcnow(), zero_uncounted=zero_uncounted)
        .execution_options(synchronize_session="fetch"))
    if result.rowcount != 1:
        raise CountClosed()
    store, document = count.store, ("count", count.number)
    lines = queries.live_variance(count) + (queries.uncounted(count) if zero_uncounted else [])
    # Sales since the snapshot stay sold; should they exceed what was counted (a store that sells
    # below zero), on hand stops at zero.
    ledger.apply_count_differences(store, [(v.sku, v.lot, v.difference) for v in lines if v.difference != 0],
                                   user=user, document=document)
    if lines:  # frozen for the report, in one INSERT (a full count has thousands)
        db.session.execute(insert(CountLine), [
            {"count_id": count.id, "sku_id": v.sku.id, "lot_id": v.lot.id if v.lot else None, "expected": v.expected,
             "counted": v.counted, "unit_cost": v.unit_cost, "uncounted": v.uncounted} for v in lines])
    db.session.flush()
    return lines


def _lock_open(count: StockCount) -> None:
    """The count is still open, and stays so until this transaction ends (a shared row lock)."""
    status = db.session.scalar(select(StockCount.status).where(StockCount.id == count.id)
                               .with_for_update(read=True))
    if status != CountStatus.OPEN:
        raise CountClosed()
