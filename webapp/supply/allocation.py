"""HQ's decision on store orders: allocation against the warehouse, the credit check, approval and rejection.

Allocation, per SKU. The pool is what the HQ warehouse has available (on hand − reserved) less what
approved orders already hold and have not shipped. The demand is what every order waiting for a
decision (submitted or held) asks for. When the pool covers the demand, each store gets what it
asked. When it does not, the chain's rule decides (``SupplySettings.allocation_rule``):

- pro-rata: each store gets asked × pool ÷ demand, rounded DOWN to whole packs; the packs the
  rounding left over go, one at a time, to the largest remainders (then the earliest order). Three
  stores asking 10/20/30 when HQ has 30 get 5/10/15.
- days of cover: the store whose stock lasts the fewest days (on hand ÷ daily sales of 30 days;
  a store that sells none of it comes last) gets what it asked first, in whole packs, then the next.

Each line keeps its reason: the rule, the pool and the demand at that moment. What a store does not
get becomes a back-order (a new submitted order) when HQ approves; a discontinued SKU gets nothing.
Back-orders wait for the next round: they are not part of the demand while the orders of this
round are decided, so approving the queue one order at a time gives the same shares as all at once.

The credit check, for a franchise store: available credit = credit limit − balance (what it owes,
net of prepayments) − what its approved, not yet shipped orders hold. An order worth more is held
with these figures, until the store pays (approve again) or an HQ admin overrides with a reason.

Every decision takes the supply settings' row lock first, so two HQ staff approving at once decide
one after the other, each seeing the other's allocation: the warehouse is never promised twice.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_FLOOR, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, bindparam, func, select, type_coerce, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from webapp.catalog.models import SKU, Product
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import GRAM
from webapp.purchasing.numbering import document_number
from webapp.stock import services as stock
from webapp.stock.models import Reason, StockLevel, StockMove, Usage
from webapp.stores.models import Store, StoreKind
from webapp.supply import account, errors
from webapp.supply.models import (
    PENDING,
    AllocationRule,
    FranchiseTerms,
    OrderStatus,
    StoreOrder,
    StoreOrderLine,
    SupplyItem,
)
from webapp.supply.terms import settings
from webapp.supply.warehouse import available_for_stores

ZERO = Decimal("0")


# ---------------------------------------------------------------- the rule, as arithmetic


@dataclass(frozen=True)
class Ask:
    key: object  # the line
    asked: Decimal
    pack: Decimal
    cover_days: Decimal | None = None  # days the store's stock lasts; None: it sells none
    order: int = 0  # submitted order: ties go to the earlier


def share(pool: Decimal, asks: list[Ask], rule: AllocationRule) -> dict:
    """{ask key: quantity} within the pool, in whole packs, by the rule; everyone in full when it covers."""
    demand = sum((a.asked for a in asks), ZERO)
    if pool >= demand:
        return {a.key: a.asked for a in asks}
    if pool <= 0:
        return {a.key: ZERO for a in asks}
    if rule == AllocationRule.DAYS_OF_COVER:
        return _by_cover(pool, asks)
    return _pro_rata(pool, demand, asks)


def _packs(qty: Decimal, pack: Decimal) -> Decimal:
    return ((qty / pack).to_integral_value(rounding=ROUND_FLOOR) * pack).quantize(GRAM)


def _pro_rata(pool: Decimal, demand: Decimal, asks: list[Ask]) -> dict:
    given, exact = {}, {}
    for a in asks:
        exact[a.key] = a.asked * pool / demand
        given[a.key] = min(_packs(exact[a.key], a.pack), a.asked)
    left = pool - sum(given.values(), ZERO)
    for a in sorted(asks, key=lambda a: (-(exact[a.key] - given[a.key]), a.order)):
        if a.pack <= left and given[a.key] + a.pack <= a.asked:
            given[a.key] += a.pack
            left -= a.pack
    return given


def _by_cover(pool: Decimal, asks: list[Ask]) -> dict:
    given, left = {}, pool
    for a in sorted(asks, key=lambda a: (a.cover_days is None, a.cover_days or 0, a.order)):
        given[a.key] = min(a.asked, _packs(left, a.pack))
        left -= given[a.key]
    return given


# ---------------------------------------------------------------- deciding


@dataclass
class Decision:
    order: StoreOrder
    held: bool = False
    back_order: StoreOrder | None = None


def approve(order: StoreOrder, *, user, override_reason: str | None = None) -> Decision:
    """Allocate the order against the warehouse and approve it, or hold it for credit. Once."""
    rule = AllocationRule(settings(lock=True).allocation_rule)
    _refresh(order)
    if order.status not in PENDING:
        raise errors.NotPending(number=order.number, status=order.status)
    if override_reason is not None:
        if order.status != OrderStatus.HELD:
            raise errors.NotHeld(number=order.number)
        override_reason = errors.clean_text(override_reason, 200, _l("The reason"))
        if not override_reason:
            raise errors.ReasonNeeded()
    allocated = _allocate([order], rule)
    decisions = _decide([order], allocated, user=user, override_reason=override_reason)
    if not decisions:
        raise errors.NothingAvailable(number=order.number)
    return decisions[0]


def approve_all(*, user) -> list[Decision]:
    """Every submitted order in the queue, allocated together and approved (or held); oldest first."""
    rule = AllocationRule(settings(lock=True).allocation_rule)
    orders = db.session.scalars(
        select(StoreOrder).where(StoreOrder.status == OrderStatus.SUBMITTED.value)
        .options(selectinload(StoreOrder.lines), selectinload(StoreOrder.store))
        .order_by(StoreOrder.submitted_at, StoreOrder.id)).all()
    if not orders:
        return []
    return _decide(orders, _allocate(orders, rule), user=user, override_reason=None)


def proposal(order: StoreOrder) -> dict[int, tuple[Decimal, str, Decimal, Decimal]]:
    """What approving now would give each line (for HQ's review screen): {line id: (qty, reason, pool, demand)}."""
    rule = AllocationRule(settings().allocation_rule)
    return {line.id: figures for line, figures in _allocate([order], rule).items()}


def reject(order: StoreOrder, reason: str, *, user) -> None:
    reason = errors.clean_text(reason, 200, _l("The reason"))
    if not reason:
        raise errors.ReasonNeeded()
    settings(lock=True)
    _refresh(order)
    _step(order, PENDING, OrderStatus.REJECTED, reason=reason, decided_by_id=user.id if user else None,
          decided_at=utcnow())


def _refresh(order: StoreOrder) -> None:
    db.session.refresh(order)
    for line in order.lines:
        db.session.refresh(line)


def _step(order: StoreOrder, before, after: OrderStatus, **values) -> None:
    done = db.session.execute(
        update(StoreOrder).where(StoreOrder.id == order.id, StoreOrder.status.in_([s.value for s in before]))
        .values(status=after.value, **values).execution_options(synchronize_session="fetch"))
    if done.rowcount != 1:
        db.session.refresh(order)
        raise errors.NotPending(number=order.number, status=order.status)


def _allocate(orders: list[StoreOrder], rule: AllocationRule) -> dict[StoreOrderLine, tuple]:
    """{line of these orders: (quantity, reason, pool, demand)} against every pending order's asks."""
    lines = [line for order in orders for line in order.warehouse_lines]
    sku_ids = sorted({line.sku_id for line in lines})
    if not sku_ids:
        return {}
    supplied = _supplied(sku_ids)
    pool = _pool(sku_ids)
    pending = _pending_asks(sku_ids)  # every waiting order's lines, these included
    cover = _cover_days(sku_ids, {row[2] for row in pending}) if rule == AllocationRule.DAYS_OF_COVER else {}
    deciding = {order.id for order in orders}
    by_sku = defaultdict(list)
    for line_id, order_id, store_id, sku_id, asked, pack, submitted, back in pending:
        if back and order_id not in deciding:
            continue  # a back-order waits for the next round: it does not shrink this one's shares
        if sku_id in supplied:
            by_sku[sku_id].append(Ask(line_id, asked, pack, cover.get((store_id, sku_id)), submitted))
    result = {}
    for sku_id, asks in by_sku.items():
        demand = sum((a.asked for a in asks), ZERO)
        given = share(pool.get(sku_id, ZERO), asks, rule)
        full = pool.get(sku_id, ZERO) >= demand
        for a in asks:
            reason = "full" if full else ("out" if given[a.key] == 0 else rule.value)
            result[a.key] = (given[a.key], reason, pool.get(sku_id, ZERO), demand)
    return {line: result.get(line.id, (ZERO, "discontinued", ZERO, ZERO)) for line in lines}


def _raw(column):
    return type_coerce(column, BigInteger)


def _qty(raw) -> Decimal:
    return (Decimal(int(raw or 0)) * GRAM).quantize(GRAM)


def _chunks(ids: list[int], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _supplied(sku_ids: list[int]) -> set[int]:
    found = set()
    for chunk in _chunks(sku_ids):
        found.update(db.session.scalars(
            select(SKU.id).join(Product, Product.id == SKU.product_id)
            .outerjoin(SupplyItem, SupplyItem.sku_id == SKU.id)
            .where(SKU.id.in_(chunk), SKU.active.is_(True), Product.active.is_(True),
                   func.coalesce(SupplyItem.orderable, True).is_(True))))
    return found


def _pool(sku_ids: list[int]) -> dict[int, Decimal]:
    return available_for_stores(sku_ids)


def _pending_asks(sku_ids: list[int]) -> list[tuple]:
    rows = []
    for chunk in _chunks(sku_ids):
        rows += db.session.execute(
            select(StoreOrderLine.id, StoreOrder.id, StoreOrder.store_id, StoreOrderLine.sku_id,
                   _raw(StoreOrderLine.asked), _raw(StoreOrderLine.pack_size), StoreOrder.id,
                   StoreOrder.back_order_of_id.is_not(None))
            .join(StoreOrder, StoreOrder.id == StoreOrderLine.order_id)
            .where(StoreOrder.status.in_([s.value for s in PENDING]), StoreOrderLine.sku_id.in_(chunk),
                   StoreOrderLine.purchase_order_id.is_(None))).all()
    return [(line_id, order_id, store_id, sku_id, _qty(asked), _qty(pack) or Decimal("1"), order_no, back)
            for line_id, order_id, store_id, sku_id, asked, pack, order_no, back in rows]


def _cover_days(sku_ids: list[int], store_ids: set[int]) -> dict[tuple[int, int], Decimal | None]:
    """{(store, SKU): on hand ÷ daily sales over 30 days}; absent when the store sold none."""
    stores = db.session.scalars(select(Store).where(Store.id.in_(store_ids))).all()
    shelves = {stock.shelf(s).id: s.id for s in stores}
    customer = stock.location(Usage.CUSTOMER).id
    since = utcnow() - timedelta(days=30)
    sold, on_hand = {}, defaultdict(lambda: ZERO)
    for chunk in _chunks(sku_ids):
        for place, sku_id, raw in db.session.execute(
                select(StockMove.from_location_id, StockMove.sku_id, func.sum(_raw(StockMove.quantity)))
                .where(StockMove.from_location_id.in_(shelves), StockMove.to_location_id == customer,
                       StockMove.created_at >= since, StockMove.sku_id.in_(chunk),
                       StockMove.reason.in_((Reason.SALE.value, Reason.HANDOVER.value)))
                .group_by(StockMove.from_location_id, StockMove.sku_id)):
            sold[shelves[place], sku_id] = _qty(raw)
        for place, sku_id, raw in db.session.execute(
                select(StockLevel.location_id, StockLevel.sku_id, func.sum(_raw(StockLevel.on_hand)))
                .where(StockLevel.location_id.in_(shelves), StockLevel.sku_id.in_(chunk))
                .group_by(StockLevel.location_id, StockLevel.sku_id)):
            on_hand[shelves[place], sku_id] += _qty(raw)
    return {key: max(on_hand[key], ZERO) * 30 / qty for key, qty in sold.items() if qty > 0}


def _decide(orders: list[StoreOrder], allocated: dict, *, user, override_reason: str | None) -> list[Decision]:
    """Credit-check each order and approve or hold it; the lines are written in one statement per shape."""
    decisions, now = [], utcnow()
    franchise_ids = [o.store_id for o in orders if o.store.kind == StoreKind.FRANCHISE]
    terms, balance, frozen = _terms(franchise_ids), account.balances(franchise_ids), account.frozen_by_store(franchise_ids)
    line_rows, order_rows, backs = [], [], []
    with db.session.no_autoflush:
        for order in orders:
            lines = order.warehouse_lines
            if lines and all(allocated[line][0] == 0 for line in lines):
                continue  # nothing to give: the order waits in the queue
            amount = sum(((allocated[li][0] * li.unit_price).quantize(Decimal("0.01")) for li in lines),
                         Decimal("0.00"))
            if order.store.kind == StoreKind.FRANCHISE and override_reason is None:
                if order.store_id not in terms:
                    raise errors.NoCreditTerms(store=order.store.name)
                available = terms[order.store_id] - balance.get(order.store_id, ZERO) - frozen.get(order.store_id, ZERO)
                if amount > available:
                    order_rows.append({"order": order.id, "status": OrderStatus.HELD.value, "available": available,
                                       "amount": amount, "by": order.decided_by_id, "at": order.decided_at,
                                       "overridden": order.overridden, "reason": order.reason})
                    decisions.append(Decision(order, held=True))
                    continue
                frozen[order.store_id] = frozen.get(order.store_id, ZERO) + amount
            for line in lines:
                quantity, reason, pool, demand = allocated[line]
                line_rows.append({"line": line.id, "approved": quantity, "allocation": reason, "pool": pool,
                                  "demand": demand})
            line_rows += [{"line": li.id, "approved": li.asked, "allocation": "direct", "pool": li.pool,
                           "demand": li.demand} for li in order.lines if li.purchase_order_id is not None]
            order_rows.append({"order": order.id, "status": OrderStatus.APPROVED.value, "available": order.hold_available,
                               "amount": order.hold_amount, "by": user.id if user else None, "at": now,
                               "overridden": override_reason is not None or order.overridden,
                               "reason": override_reason if override_reason is not None else order.reason})
            decision = Decision(order, back_order=_back_order(order, allocated))
            backs.append(decision.back_order)
            decisions.append(decision)
    if line_rows:
        db.session.connection().execute(_SET_LINE, line_rows)
    if order_rows:
        db.session.connection().execute(_SET_ORDER, order_rows)
    _loaded(StoreOrderLine, line_rows, "line", ("approved", "allocation", "pool", "demand"))
    _loaded(StoreOrder, order_rows, "order", {"status": "status", "hold_available": "available",
                                              "hold_amount": "amount", "decided_by_id": "by", "decided_at": "at",
                                              "overridden": "overridden", "reason": "reason"})
    db.session.add_all(back for back in backs if back is not None)
    db.session.flush()
    return decisions


_lines, _orders = StoreOrderLine.__table__, StoreOrder.__table__
_SET_LINE = _lines.update().where(_lines.c.id == bindparam("line")).values(
    approved=bindparam("approved"), allocation=bindparam("allocation"), pool=bindparam("pool"),
    demand=bindparam("demand"))
_SET_ORDER = _orders.update().where(_orders.c.id == bindparam("order")).values(
    status=bindparam("status"), hold_available=bindparam("available"), hold_amount=bindparam("amount"),
    decided_by_id=bindparam("by"), decided_at=bindparam("at"), overridden=bindparam("overridden"),
    reason=bindparam("reason"))


def _loaded(model, rows: list[dict], key: str, columns) -> None:
    """What the UPDATEs wrote, set on the objects in the session as their loaded state (no reload)."""
    names = columns if isinstance(columns, dict) else {c: c for c in columns}
    for row in rows:
        obj = db.session.identity_map.get(identity_key(model, row[key]))
        if obj is not None:
            for attribute, name in names.items():
                set_committed_value(obj, attribute, row[name])


def _terms(store_ids: list[int]) -> dict[int, Decimal]:
    """{store: credit limit} of the franchise stores with credit terms."""
    found = {}
    for chunk in _chunks(sorted(set(store_ids))):
        found.update(dict(db.session.execute(select(FranchiseTerms.store_id, FranchiseTerms.credit_limit)
                                             .where(FranchiseTerms.store_id.in_(chunk))).all()))
    return found


def _back_order(order: StoreOrder, allocated: dict) -> StoreOrder | None:
    """What a store did not get (discontinued goods aside) waits in a new submitted order."""
    rest = [(li, li.asked - allocated[li][0]) for li in order.warehouse_lines
            if allocated[li][0] < li.asked and allocated[li][1] != "discontinued"]
    if not rest:
        return None
    back = StoreOrder(number=document_number("YH"), store_id=order.store_id,
                      status=OrderStatus.SUBMITTED.value, back_order_of_id=order.id, submitted_at=utcnow(),
                      created_by_id=order.created_by_id, note=order.note)
    back.lines = [StoreOrderLine(sku_id=li.sku_id, pack_size=li.pack_size, unit_price=li.unit_price, asked=q)
                  for li, q in rest]
    return back
