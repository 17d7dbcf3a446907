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

from webapp.catalog.models import SKU, Product
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import FEN, GRAM
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


@dataclass(frozen=True)
class Line:
    """A pending order's line as allocation reads it: plain values, no ORM object (the queue is 24,000 lines)."""

    id: int
    order_id: int
    store_id: int
    sku_id: int
    asked: Decimal
    pack: Decimal
    price: Decimal
    direct: bool  # delivered by a supplier: out of allocation
    back: bool  # of a back-order


@dataclass(frozen=True)
class Pending:
    id: int
    number: str
    store_id: int
    franchise: bool
    status: str
    store_name: str


@dataclass
class Decision:
    order_id: int
    number: str
    held: bool = False
    back_order: str | None = None  # the back-order's number


def approve(order: StoreOrder, *, user, override_reason: str | None = None) -> Decision:
    """Allocate the order against the warehouse and approve it, or hold it for credit. Once."""
    rule = AllocationRule(settings(lock=True).allocation_rule)
    db.session.refresh(order)
    if order.status not in PENDING:
        raise errors.NotPending(number=order.number, status=order.status)
    if override_reason is not None:
        if order.status != OrderStatus.HELD:
            raise errors.NotHeld(number=order.number)
        override_reason = errors.clean_text(override_reason, 200, _l("The reason"))
        if not override_reason:
            raise errors.ReasonNeeded()
    batch = _pending_orders([order.id])
    lines = _pending_lines(order_ids=[order.id])
    everyone = _pending_lines(sku_ids=sorted({li.sku_id for li in lines if not li.direct}))
    decisions = _decide(batch, lines, _allocate(batch, lines, everyone, rule), user=user,
                        override_reason=override_reason)
    if not decisions:
        raise errors.NothingAvailable(number=order.number)
    return decisions[0]


def approve_all(*, user) -> list[Decision]:
    """Every submitted order in the queue, allocated together and approved (or held); oldest first."""
    rule = AllocationRule(settings(lock=True).allocation_rule)
    everyone = _pending_lines()
    batch = [o for o in _pending_orders() if o.status == OrderStatus.SUBMITTED]
    chosen = {o.id for o in batch}
    lines = [li for li in everyone if li.order_id in chosen]
    return _decide(batch, lines, _allocate(batch, lines, everyone, rule), user=user, override_reason=None)


def proposal(order: StoreOrder) -> dict[int, tuple[Decimal, str, Decimal, Decimal]]:
    """What approving now would give each line (for HQ's review screen): {line id: (qty, reason, pool, demand)}."""
    rule = AllocationRule(settings().allocation_rule)
    batch = _pending_orders([order.id])
    lines = _pending_lines(order_ids=[order.id])
    everyone = _pending_lines(sku_ids=sorted({li.sku_id for li in lines if not li.direct}))
    return _allocate(batch, lines, everyone, rule)


def reject(order: StoreOrder, reason: str, *, user) -> None:
    reason = errors.clean_text(reason, 200, _l("The reason"))
    if not reason:
        raise errors.ReasonNeeded()
    settings(lock=True)
    done = db.session.execute(
        update(StoreOrder).where(StoreOrder.id == order.id, StoreOrder.status.in_([s.value for s in PENDING]))
        .values(status=OrderStatus.REJECTED.value, reason=reason, decided_by_id=user.id if user else None,
                decided_at=utcnow()).execution_options(synchronize_session="fetch"))
    if done.rowcount != 1:
        db.session.refresh(order)
        raise errors.NotPending(number=order.number, status=order.status)


def _pending_orders(order_ids: list[int] | None = None) -> list[Pending]:
    query = (select(StoreOrder.id, StoreOrder.number, StoreOrder.store_id, Store.kind, StoreOrder.status, Store.name)
             .join(Store, Store.id == StoreOrder.store_id)
             .where(StoreOrder.status.in_([s.value for s in PENDING]))
             .order_by(StoreOrder.submitted_at, StoreOrder.id))
    if order_ids is not None:
        query = query.where(StoreOrder.id.in_(order_ids))
    return [Pending(i, number, store_id, kind == StoreKind.FRANCHISE, status, name)
            for i, number, store_id, kind, status, name in db.session.execute(query)]


def _pending_lines(*, order_ids: list[int] | None = None, sku_ids: list[int] | None = None) -> list[Line]:
    """The lines of orders waiting for a decision (of these orders, or for these SKUs), as plain values."""
    query = (select(StoreOrderLine.id, StoreOrderLine.order_id, StoreOrder.store_id, StoreOrderLine.sku_id,
                    _raw(StoreOrderLine.asked), _raw(StoreOrderLine.pack_size), _raw(StoreOrderLine.unit_price),
                    StoreOrderLine.purchase_order_id.is_not(None), StoreOrder.back_order_of_id.is_not(None))
             .join(StoreOrder, StoreOrder.id == StoreOrderLine.order_id)
             .where(StoreOrder.status.in_([s.value for s in PENDING])))
    chunks = [None]
    if order_ids is not None:
        query = query.where(StoreOrderLine.order_id.in_(order_ids))
    elif sku_ids is not None:
        chunks = list(_chunks(sku_ids)) or []
    found = []
    for chunk in chunks:
        rows = db.session.execute(query if chunk is None else query.where(StoreOrderLine.sku_id.in_(chunk)))
        found += [Line(i, order_id, store_id, sku_id, _qty(asked), _qty(pack) or Decimal("1"),
                       (Decimal(int(price)) * FEN).quantize(FEN), bool(direct), bool(back))
                  for i, order_id, store_id, sku_id, asked, pack, price, direct, back in rows]
    return found


def _allocate(batch: list[Pending], lines: list[Line], everyone: list[Line], rule: AllocationRule) -> dict[int, tuple]:
    """{line id of the batch: (quantity, reason, pool, demand)}, sharing the pool among every pending ask.

    A back-order outside the batch waits for the next round: it does not shrink this round's shares.
    """
    mine = [li for li in lines if not li.direct]
    sku_ids = sorted({li.sku_id for li in mine})
    if not sku_ids:
        return {}
    supplied, pool = _supplied(sku_ids), _pool(sku_ids)
    deciding = {o.id for o in batch}
    asking = [li for li in everyone if not li.direct and li.sku_id in supplied and (not li.back or li.order_id in deciding)]
    cover = _cover_days(sku_ids, {li.store_id for li in asking}) if rule == AllocationRule.DAYS_OF_COVER else {}
    by_sku = defaultdict(list)
    for li in asking:
        by_sku[li.sku_id].append(Ask(li.id, li.asked, li.pack, cover.get((li.store_id, li.sku_id)), li.order_id))
    result = {}
    for sku_id, asks in by_sku.items():
        have = pool.get(sku_id, ZERO)
        demand = sum((a.asked for a in asks), ZERO)
        given = share(have, asks, rule)
        for a in asks:
            reason = "full" if have >= demand else ("out" if given[a.key] == 0 else rule.value)
            result[a.key] = (given[a.key], reason, have, demand)
    return {li.id: result.get(li.id, (ZERO, "discontinued", ZERO, ZERO)) for li in mine}


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


def _decide(batch: list[Pending], lines: list[Line], allocated: dict[int, tuple], *, user,
            override_reason: str | None) -> list[Decision]:
    """Credit-check each order and approve or hold it. Written with plain statements, one per shape
    (executemany), so a queue of 120 orders × 200 lines is decided in a few seconds; the session's
    loaded objects are expired afterwards."""
    by_order = defaultdict(list)
    for li in lines:
        by_order[li.order_id].append(li)
    franchise_ids = [o.store_id for o in batch if o.franchise]
    terms, balance, frozen = _terms(franchise_ids), account.balances(franchise_ids), account.frozen_by_store(franchise_ids)
    decisions, now, by = [], utcnow(), user.id if user else None
    line_rows, approved_rows, held_rows, backs = [], [], [], []
    for order in batch:
        warehouse = [li for li in by_order[order.id] if not li.direct]
        if warehouse and all(allocated[li.id][0] == 0 for li in warehouse):
            continue  # nothing to give: the order waits in the queue
        amount = sum(((allocated[li.id][0] * li.price).quantize(FEN) for li in warehouse), Decimal("0.00"))
        if order.franchise and override_reason is None:
            if order.store_id not in terms:
                raise errors.NoCreditTerms(store=order.store_name)
            available = terms[order.store_id] - balance.get(order.store_id, ZERO) - frozen.get(order.store_id, ZERO)
            if amount > available:
                held_rows.append({"order": order.id, "available": _fen(available), "amount": _fen(amount)})
                decisions.append(Decision(order.id, order.number, held=True))
                continue
            frozen[order.store_id] = frozen.get(order.store_id, ZERO) + amount
        for li in by_order[order.id]:
            quantity, reason, pool, demand = (li.asked, "direct", ZERO, ZERO) if li.direct else allocated[li.id]
            line_rows.append({"line": li.id, "approved": _thousandths(quantity), "allocation": reason,
                              "pool": _thousandths(pool), "demand": _thousandths(demand)})
        approved_rows.append({"order": order.id})
        rest = [(li, li.asked - allocated[li.id][0]) for li in warehouse
                if allocated[li.id][0] < li.asked and allocated[li.id][1] != "discontinued"]
        back = document_number("YH") if rest else None
        if rest:
            backs.append((order, back, rest))
        decisions.append(Decision(order.id, order.number, back_order=back))
    connection = db.session.connection()
    if line_rows:
        connection.execute(_SET_LINE, line_rows)
    if approved_rows:
        values = {"status": OrderStatus.APPROVED.value, "decided_by_id": by, "decided_at": now}
        if override_reason is not None:
            values.update(overridden=True, reason=override_reason)
        connection.execute(_orders.update().where(_orders.c.id == bindparam("order")).values(**values), approved_rows)
    if held_rows:
        connection.execute(_SET_HELD, held_rows)
    if backs:
        _write_back_orders(backs, now)
    db.session.expire_all()
    return decisions


def _write_back_orders(backs: list, now) -> None:
    """What stores did not get (discontinued goods aside) waits in new submitted orders."""
    connection = db.session.connection()
    parents = dict(db.session.execute(select(StoreOrder.id, StoreOrder.note).where(
        StoreOrder.id.in_([order.id for order, _n, _r in backs]))).all())
    connection.execute(_orders.insert(), [
        {"number": number, "store_id": order.store_id, "status": OrderStatus.SUBMITTED.value,
         "back_order_of_id": order.id, "submitted_at": now, "created_at": now, "note": parents.get(order.id, ""),
         "overridden": False, "reason": ""} for order, number, _rest in backs])
    ids = dict(db.session.execute(select(StoreOrder.number, StoreOrder.id).where(
        StoreOrder.number.in_([number for _o, number, _r in backs]))).all())
    connection.execute(_INSERT_LINE, [
        {"order_id": ids[number], "sku_id": li.sku_id, "pack_size": _thousandths(li.pack),
         "unit_price": _fen(li.price), "asked": _thousandths(q)}
        for _order, number, rest in backs for li, q in rest])


def _thousandths(value: Decimal) -> int:
    return int(value / GRAM)


def _fen(value: Decimal) -> int:
    return int(value / FEN)


_lines, _orders = StoreOrderLine.__table__, StoreOrder.__table__
_SET_LINE = _lines.update().where(_lines.c.id == bindparam("line")).values(
    approved=bindparam("approved", type_=BigInteger), allocation=bindparam("allocation"),
    pool=bindparam("pool", type_=BigInteger), demand=bindparam("demand", type_=BigInteger))
_SET_HELD = _orders.update().where(_orders.c.id == bindparam("order")).values(
    status=OrderStatus.HELD.value, hold_available=bindparam("available", type_=BigInteger),
    hold_amount=bindparam("amount", type_=BigInteger))
_INSERT_LINE = _lines.insert().values(
    order_id=bindparam("order_id"), sku_id=bindparam("sku_id"), pack_size=bindparam("pack_size", type_=BigInteger),
    unit_price=bindparam("unit_price", type_=BigInteger), asked=bindparam("asked", type_=BigInteger),
    shipped=0, received=0, damaged=0, allocation="")


def _terms(store_ids: list[int]) -> dict[int, Decimal]:
    """{store: credit limit} of the franchise stores with credit terms."""
    found = {}
    for chunk in _chunks(sorted(set(store_ids))):
        found.update(dict(db.session.execute(select(FranchiseTerms.store_id, FranchiseTerms.credit_limit)
                                             .where(FranchiseTerms.store_id.in_(chunk))).all()))
    return found
