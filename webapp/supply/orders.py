"""The store's side of a store order: a draft (from suggestions, last time's order, or empty), its lines, submitting.

A store has at most one draft: starting an order while one is open adds to it. Quantities are
whole packs of HQ's pack size, at least HQ's minimum: a quantity between is rounded up, and the
caller is told (``Change.rounded``) so the store sees why.
"""
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.errors import InvalidQuantity
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.purchasing.numbering import document_number
from webapp.stores.models import Store, StoreKind
from webapp.supply import errors
from webapp.supply.models import OrderStatus, StoreOrder, StoreOrderLine
from webapp.supply.suggestions import suggested_order
from webapp.supply.terms import in_packs, items_for, pack_of, prices_for, terms_of

ZERO = Decimal("0")


@dataclass(frozen=True)
class Change:
    line: StoreOrderLine | None
    wanted: Decimal
    rounded: bool  # the quantity was raised to whole packs or to the minimum


def draft_for(store: Store, *, user) -> StoreOrder:
    """The store's open draft, or a new one."""
    draft = db.session.scalar(select(StoreOrder).where(
        StoreOrder.store_id == store.id, StoreOrder.status == OrderStatus.DRAFT.value).order_by(StoreOrder.id).limit(1))
    if draft is None:
        draft = StoreOrder(number=document_number("YH"), store_id=store.id, status=OrderStatus.DRAFT.value,
                           created_by_id=user.id if user else None)
        db.session.add(draft)
        db.session.flush()
    return draft


def from_suggestions(store: Store, *, user) -> StoreOrder:
    """A draft holding every suggested line (a line already in the draft keeps the store's quantity)."""
    draft = draft_for(store, user=user)
    lock(draft)
    suggested = suggested_order(store)
    skus = {s.id: s for s in db.session.scalars(select(SKU).where(SKU.id.in_([s.sku_id for s in suggested])))}
    _fill(draft, store, [(skus[s.sku_id], s.suggestion.quantity, s.suggestion.quantity) for s in suggested])
    return draft


def reorder_last(store: Store, *, user) -> StoreOrder:
    """A draft with what the store asked for last time (still supplied lines only)."""
    last = db.session.scalar(select(StoreOrder).where(
        StoreOrder.store_id == store.id, StoreOrder.status != OrderStatus.DRAFT.value,
        StoreOrder.back_order_of_id.is_(None)).order_by(StoreOrder.submitted_at.desc(), StoreOrder.id.desc()).limit(1))
    if last is None:
        raise errors.NothingToReorder()
    draft = draft_for(store, user=user)
    lock(draft)
    _fill(draft, store, [(line.sku, line.asked, None) for line in last.lines if _supplied(line.sku)])
    return draft


def _fill(draft: StoreOrder, store: Store, wanted: list[tuple[SKU, Decimal, Decimal | None]]) -> None:
    have = {line.sku_id for line in draft.lines}
    wanted = [w for w in wanted if w[0].id not in have]
    items, prices = items_for(sku.id for sku, _q, _s in wanted), prices_for(store, [sku for sku, _q, _s in wanted])
    for sku, qty, suggested in wanted:
        item = items.get(sku.id)
        draft.lines.append(StoreOrderLine(sku=sku, asked=in_packs(qty, item), suggested=suggested,
                                          pack_size=pack_of(item), unit_price=prices[sku.id]))
    db.session.flush()


def set_quantity(order: StoreOrder, sku: SKU, qty, *, add: bool = False) -> Change:
    """Ask for ``qty`` of a SKU (``add``: that much more); zero takes the line off."""
    lock(order)
    _editable(order)
    qty = quantity(qty)
    if qty < 0 or (add and qty == 0):
        raise InvalidQuantity(quantity=qty)
    line = next((li for li in order.lines if li.sku_id == sku.id), None)
    if line is None and not _supplied(sku):
        raise errors.NotSupplied(name=sku.display_name)
    wanted = (line.asked if line and add else ZERO) + qty
    if wanted == 0:
        if line is not None:
            order.lines.remove(line)
            db.session.flush()
        return Change(None, wanted, False)
    item = items_for([sku.id]).get(sku.id)
    asked = in_packs(wanted, item)
    if line is None:
        line = StoreOrderLine(sku=sku, pack_size=pack_of(item), unit_price=prices_for(order.store, [sku])[sku.id],
                              asked=asked)
        order.lines.append(line)
    line.asked = asked
    db.session.flush()
    return Change(line, wanted, asked != wanted)


def set_note(order: StoreOrder, note: str) -> None:
    _editable(order)
    order.note = errors.clean_text(note, 200, _l("The note"))


def submit(order: StoreOrder, *, user) -> None:
    """The draft goes to HQ's review queue, once."""
    lock(order)
    if not order.lines:
        raise errors.EmptyOrder()
    if order.store.kind == StoreKind.FRANCHISE and terms_of(order.store) is None:
        raise errors.NoCreditTerms(store=order.store.name)
    done = db.session.execute(
        update(StoreOrder).where(StoreOrder.id == order.id, StoreOrder.status == OrderStatus.DRAFT.value)
        .values(status=OrderStatus.SUBMITTED.value, submitted_at=utcnow())
        .execution_options(synchronize_session="fetch"))
    if done.rowcount != 1:
        raise errors.NotDraft(number=order.number)


def _supplied(sku: SKU) -> bool:
    item = items_for([sku.id]).get(sku.id)
    return sku.active and sku.product.active and (item is None or item.orderable)


def _editable(order: StoreOrder) -> None:
    if order.status != OrderStatus.DRAFT:
        raise errors.NotDraft(number=order.number)


def lock(order: StoreOrder) -> None:
    """Hold the order's row while it changes (PostgreSQL; SQLite serialises writers); read it afresh."""
    db.session.execute(select(StoreOrder.id).where(StoreOrder.id == order.id).with_for_update())
    db.session.refresh(order, ["status", "lines"])
    for line in order.lines:
        db.session.refresh(line)
