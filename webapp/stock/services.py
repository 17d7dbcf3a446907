"""The stock ledger's one write API. Every stock change in Huotong goes through here.

Each function takes what it needs (the store, the SKU, the acting user, the
document the change comes from), writes append-only moves and the levels they
change in the caller's transaction, flushes, and raises a typed error. None
commits: the request commits once.

Concurrency: levels change only through guarded UPDATEs
(``... WHERE on_hand - reserved >= :q``, row count checked), after the rows
are locked with SELECT ... FOR UPDATE on PostgreSQL. SQLite serialises
writers (every transaction begins IMMEDIATE), so the same code is safe there.
"""
import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, case, event, func, insert, inspect, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from webapp.catalog.models import SKU, Product, Tracking
from webapp.errors import InvalidPrice, InvalidQuantity, check_length
from webapp.extensions import db
from webapp.numbers import money, quantity, round_money
from webapp.stock import sold_out
from webapp.stock.errors import (
    InsufficientStock,
    LotRequired,
    ProductStocked,
    ReservationClosed,
    SerialInStock,
    SerialQuantity,
)
from webapp.stock.models import (
    TRACKED,
    Location,
    Lot,
    Reason,
    Reservation,
    ReservationStatus,
    StockLevel,
    StockMove,
    Usage,
)
from webapp.stores.models import Store

Document = tuple[str, str]  # ("receipt", "RN-20261121-001"), ("order", "42")


@dataclass(frozen=True)
class Place:
    """A location as the ledger needs it: never stale, never reloaded."""

    id: int
    usage: str
    store_id: int | None


@dataclass
class Take:
    """Part of a quantity taken from one level."""

    level_id: int | None  # the level the goods leave; None: the (place, SKU, lot) level, made on first use
    lot_id: int | None
    quantity: Decimal


# ---------------------------------------------------------------- locations


def location(usage: Usage, store: Store | None = None) -> Place:
    """The store's place of this usage, or the chain's virtual one; made on first use."""
    store_id = store.id if store else None
    known = db.session.info.setdefault("stock_locations", {})  # places never change: ask once a session
    if (usage, store_id) not in known:
        found = _find_location(usage, store_id)
        if found is None:
            name = f"{store.name}" if store else usage.value
            _insert_ignore(Location, {"name": name, "usage": usage.value, "store_id": store_id})
            found = _find_location(usage, store_id)
        known[usage, store_id] = Place(found.id, found.usage, found.store_id)
    return known[usage, store_id]


def shelf(store: Store) -> Place:
    return location(Usage.INTERNAL, store)


@event.listens_for(Session, "after_soft_rollback")
def _forget_locations(session, _transaction):
    """A rolled-back transaction may have made a place that no longer exists."""
    session.info.pop("stock_locations", None)


def _look_up_places(*wanted: tuple[Usage, int | None]) -> None:
    """Find the places (usage, store id) this session does not know yet with one statement; any not made
    yet are left to ``location``, which makes them."""
    known = db.session.info.setdefault("stock_locations", {})
    missing = [(usage, store_id) for usage, store_id in wanted if (usage, store_id) not in known]
    if len(missing) < 2:
        return  # none, or one: location() asks for it alone
    for found in db.session.scalars(select(Location).where(or_(*(
            and_(Location.usage == usage.value,
                 Location.store_id.is_(None) if store_id is None else Location.store_id == store_id)
            for usage, store_id in missing)))):
        key = (Usage(found.usage), found.store_id)
        if key in missing:
            known[key] = Place(found.id, found.usage, found.store_id)


def _find_location(usage: Usage, store_id: int | None) -> Location | None:
    condition = Location.store_id.is_(None) if store_id is None else Location.store_id == store_id
    return db.session.scalar(select(Location).where(Location.usage == usage.value, condition))


def ensure_locations(store: Store | None = None) -> None:
    """Create the chain's virtual places (and a store's shelf) ahead of first use."""
    for usage in Usage:
        if usage != Usage.INTERNAL:
            location(usage)
    if store:
        shelf(store)


@event.listens_for(Session, "before_flush")
def _stocked_products_keep_their_unit_and_tracking(session, _context, _instances):
    """Once a product has moves, its unit and tracking are what those moves mean."""
    for product in (obj for obj in session.dirty if isinstance(obj, Product)):
        state = inspect(product)
        changed = [a for a in ("unit", "tracking") if state.attrs[a].history.deleted]
        if changed and _has_moves(session, product):
            raise ProductStocked(name=product.name)


def _has_moves(session, product: Product) -> bool:
    with session.no_autoflush:
        return session.scalar(
            select(StockMove.id).join(SKU, SKU.id == StockMove.sku_id)
            .where(SKU.product_id == product.id).limit(1)) is not None


# ---------------------------------------------------------------- receiving and cost


def receive(store: Store, sku: SKU, qty, unit_cost, *, user, document: Document,
            lot_code: str | None = None, expiry: date | None = None) -> StockMove:
    """Goods in from a supplier onto the store's shelf; updates the moving-average cost."""
    qty, unit_cost = _positive(qty), money(unit_cost)
    if unit_cost < 0:
        raise InvalidPrice(price=unit_cost)
    lot = _lot_for_receipt(sku, qty, lot_code, expiry)
    _update_average_cost(sku, qty, unit_cost)
    take = Take(None, lot.id if lot else None, qty)
    return _flushed(_post(sku, location(Usage.SUPPLIER), shelf(store), take, unit_cost,
                          Reason.RECEIPT, document, user))


def _lot_for_receipt(sku: SKU, qty: Decimal, lot_code, expiry) -> Lot | None:
    tracking = sku.product.tracking
    if tracking == Tracking.NONE:
        return None
    if not lot_code:
        raise LotRequired(name=sku.display_name)
    check_length(lot_code.strip(), 60, _l("The lot or serial number"))
    if tracking == Tracking.SERIAL and qty != 1:
        raise SerialQuantity(name=sku.display_name)
    _insert_ignore(Lot, {"sku_id": sku.id, "code": lot_code.strip(), "expiry_date": expiry})
    lot = db.session.scalar(select(Lot).where(Lot.sku_id == sku.id, Lot.code == lot_code.strip()))
    if tracking == Tracking.SERIAL and _lot_on_hand(lot) > 0:
        raise SerialInStock(serial=lot.code, name=sku.display_name)
    return lot


def _lot_on_hand(lot: Lot) -> Decimal:
    """A lot's real stock anywhere (shelves, warehouses, transit)."""
    return _as_quantity(db.session.scalar(
        select(func.coalesce(func.sum(StockLevel.on_hand), 0))
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.lot_id == lot.id, Location.usage.in_([u.value for u in TRACKED]))
    ))


def _update_average_cost(sku: SKU, qty: Decimal, unit_cost: Decimal) -> None:
    """Moving average over the chain's stock: (old qty × old cost + new qty × new cost) / total."""
    db.session.execute(select(SKU.id).where(SKU.id == sku.id).with_for_update())
    db.session.refresh(sku, ["cost"])
    on_hand = chain_on_hand(sku)
    if on_hand <= 0:
        sku.cost = unit_cost
    else:
        sku.cost = round_money((on_hand * sku.cost + qty * unit_cost) / (on_hand + qty))


def chain_on_hand(sku: SKU) -> Decimal:
    """All of a SKU's real stock: every shelf, warehouse and transit place."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(StockLevel.on_hand), 0))
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.sku_id == sku.id, Location.usage.in_([u.value for u in TRACKED]))
    )
    return _as_quantity(total)


# ---------------------------------------------------------------- selling and returns


def sell(store: Store, sku: SKU, qty, *, user, document: Document, lot: Lot | None = None) -> list[StockMove]:
    """A till sale: out of the shelf to the customer, first-expiring first.

    Where the store forbids negative stock, a sale never takes stock reserved
    for online orders. Where it allows, the goods in the customer's hand are
    sold anyway: available (and perhaps on hand) goes below zero, and the
    shortfall shows on the stock screens until the next count.
    """
    return sell_many(store, [(sku, qty, lot)], user=user, document=document)[0]


@dataclass
class HeldOnShelf:
    """What the shelf's level rows said as a sale changed them (their UPDATE … RETURNING): the SKUs whose
    shelf still holds units for online orders. ``complete`` is False when that cannot be told from the rows
    changed (a lot-tracked SKU has other rows; a row changed by id says nothing): then ask the levels."""

    shelf_id: int
    skus: set[int] = field(default_factory=set)
    complete: bool = True

    @property
    def answer(self) -> bool | None:
        """Whether any sold SKU is held for an online order; None: not known from the sale's rows."""
        return bool(self.skus) if self.complete else None


def sell_many(store: Store, items: list[tuple[SKU, object, Lot | None]], *, user, document: Document,
              returning: bool = True, held: "list[HeldOnShelf] | None" = None
              ) -> "list[list[StockMove]] | list[list[Posting]]":
    """Several till lines at once (SKU, quantity, lot or None), as sell() each; the moves go in together.

    ``returning=False`` (the till's completion) writes the moves without reading them back and
    answers with what was posted (quantity, lot, unit cost of each move): one statement less work.
    ``held``: a list the sale appends a ``HeldOnShelf`` to, told by the level rows it changed, so
    the caller need not read the levels again to find the online orders the sale took units from.
    """
    _look_up_places((Usage.CUSTOMER, None), (Usage.INTERNAL, store.id))  # both in one statement
    customer, source = location(Usage.CUSTOMER), shelf(store)
    taken: dict[int, list[Posting]] = {}
    with db.session.no_autoflush:
        # In SKU order, so the levels are locked in the order a count's approval locks them.
        for i in sorted(range(len(items)), key=lambda i: items[i][0].id):
            sku, qty, lot = items[i]
            # One serial number is one item: it is sold once, whatever the store allows.
            negative = store.allow_negative_stock and sku.product.tracking != Tracking.SERIAL
            takes = _allocate(source, sku, _positive(qty), lot, allow_negative=negative)
            taken[i] = [Posting(sku, source, customer, t, sku.cost, Reason.SALE, guard=not negative) for t in takes]
    said = None
    if held is not None:
        said = HeldOnShelf(source.id, complete=all(sku.product.tracking == Tracking.NONE for sku, *_ in items))
        held.append(said)
    moves = iter(_post_many([p for i in range(len(items)) for p in taken[i]], document, user, returning=returning,
                            said=said))
    return [[next(moves) for _p in taken[i]] for i in range(len(items))]


def take_back(store: Store, sku: SKU, qty, *, user, document: Document, unit_cost=None,
              lot: Lot | None = None, damaged: bool = False) -> StockMove:
    """A customer return: back onto the shelf, or straight to loss when damaged."""
    qty = _positive(qty)
    to = location(Usage.LOSS) if damaged else shelf(store)
    take = Take(None, lot.id if lot else None, qty)
    return _flushed(_post(sku, location(Usage.CUSTOMER), to, take,
                          sku.cost if unit_cost is None else money(unit_cost), Reason.RETURN, document, user))


# ---------------------------------------------------------------- reservations (online orders)


def reserve(store: Store, sku: SKU, qty, *, document: Document) -> list[Reservation]:
    """Hold stock for an order; refuses with InsufficientStock rather than oversell."""
    qty = _positive(qty)
    with db.session.begin_nested():
        reservations = []
        for take in _allocate(shelf(store), sku, qty, None, allow_negative=False):
            result = db.session.execute(
                update(StockLevel)
                .where(StockLevel.id == take.level_id,
                       StockLevel.on_hand - StockLevel.reserved >= take.quantity)
                .values(reserved=StockLevel.reserved + take.quantity)
                .execution_options(synchronize_session="fetch")
            )
            if result.rowcount != 1:
                raise _insufficient(sku, shelf(store), qty)
            reservation = Reservation(level_id=take.level_id, quantity=take.quantity,
                                      document_type=document[0], document_id=document[1])
            db.session.add(reservation)
            reservations.append(reservation)
        db.session.flush()
    return reservations


def reserve_lines(store: Store, lines: list[tuple[SKU, Decimal]], *, document: Document) -> None:
    """Hold stock for every line of an order; refuses with InsufficientStock (of the first line short)
    rather than oversell. The caller rolls back on a refusal (lines reserved before it stay held). A line
    refused, or one whose last unit this order took, is noted (``sold_out``): this process's next buyers of
    it are told at once.

    Meant as the last statements before the commit (an online order is written first): the untracked SKUs
    are reserved by one guarded UPDATE (their levels found by store and SKU in the same statement, no read
    first; locked in id order, so two orders never deadlock on PostgreSQL) and the reservations go in with
    one INSERT right after it, so a flash sale's hot row is locked for milliseconds. Lot-tracked SKUs split
    over their lots as ``reserve`` does, before the untracked ones (always in that order: no deadlock).
    """
    wanted: dict[int, Decimal] = {}
    tracked = []
    for sku, qty in sorted(lines, key=lambda line: line[0].id):
        qty = _positive(qty)
        if sku.product.tracking != Tracking.NONE:
            tracked.append((sku, qty))
        else:
            wanted[sku.id] = wanted.get(sku.id, Decimal("0")) + qty
    for sku, qty in tracked:
        reserve(store, sku, qty, document=document)
    if not wanted:
        return
    held = _hold_untracked(store, wanted)
    if len(held) < len(wanted):
        short = next(sku for sku, _q in lines if sku.id in wanted and sku.id not in {row[1] for row in held})
        refused = InsufficientStock(name=short.display_name, requested=wanted[short.id],
                                    available=_left_on_shelf(store, short.id))
        sold_out.note(store, short, refused.facts["available"])  # the next late buyers: told at once
        raise refused
    _execute_many(insert(Reservation), [
        {"level_id": level_id, "quantity": wanted[sku_id], "status": ReservationStatus.ACTIVE.value,
         "document_type": document[0], "document_id": document[1]} for level_id, sku_id, _left in held])
    _forget_loaded_levels()
    for _level_id, sku_id, left in held:
        if left <= 0:  # this order took the last unit: the next buyers in this process are told at once
            sold_out.note(store, next(sku for sku, _q in lines if sku.id == sku_id), _as_quantity(left))


def _hold_untracked(store: Store, wanted: dict[int, Decimal]) -> list[tuple[int, int, Decimal]]:
    """``reserved += q`` on the store's shelf for every (SKU, q) that has q available, in one statement;
    (level id, SKU id, what is left available) of those held. A Core statement on the table with named
    parameters: compiled once per number of lines and cached (the ORM's annotated UPDATE was compiled again
    on every order)."""
    levels = StockLevel.__table__
    qty = case({bindparam(f"sku_{n}", sku_id): bindparam(f"qty_{n}", q, type_=levels.c.reserved.type)
                for n, (sku_id, q) in enumerate(wanted.items())}, value=levels.c.sku_id)
    shelf = (select(Location.__table__.c.id)
             .where(Location.__table__.c.store_id == bindparam("store_id", store.id),
                    Location.__table__.c.usage == Usage.INTERNAL.value).scalar_subquery())
    locked = (select(levels.c.id)
              .where(levels.c.location_id == shelf, levels.c.sku_id.in_(list(wanted)), levels.c.lot_id.is_(None))
              .order_by(levels.c.id).with_for_update())
    return [tuple(row) for row in db.session.execute(
        update(levels)
        .where(levels.c.id.in_(locked.scalar_subquery()), levels.c.on_hand - levels.c.reserved >= qty)
        .values(reserved=levels.c.reserved + qty)
        .returning(levels.c.id, levels.c.sku_id, levels.c.on_hand - levels.c.reserved))]


def _left_on_shelf(store: Store, sku_id: int) -> Decimal:
    """What the store's shelf has available of the SKU, in one statement (its place found in the same one)."""
    return _as_quantity(db.session.scalar(
        select(func.coalesce(func.sum(StockLevel.on_hand - StockLevel.reserved), 0))
        .where(StockLevel.location_id == _shelf_id(store), StockLevel.sku_id == sku_id)))


def _shelf_id(store: Store):
    """The store's shelf's id, as a subquery (no read of its own)."""
    return select(Location.id).where(Location.store_id == store.id,
                                     Location.usage == Usage.INTERNAL.value).scalar_subquery()


def release(reservation: Reservation) -> None:
    """Give reserved stock back (cancelled or expired order)."""
    _close(reservation, ReservationStatus.RELEASED)
    sold_out.forget_all()  # rare, and the level's store and SKU are not at hand: every note goes
    db.session.execute(
        update(StockLevel).where(StockLevel.id == reservation.level_id)
        .values(reserved=StockLevel.reserved - reservation.quantity)
        .execution_options(synchronize_session="fetch")
    )


def consume(reservation: Reservation, *, user, document: Document | None = None) -> StockMove:
    """The reserved goods leave with the customer (handed over or dispatched)."""
    _close(reservation, ReservationStatus.CONSUMED)
    level = db.session.get(StockLevel, reservation.level_id)
    take = Take(level.id, level.lot_id, reservation.quantity)
    document = document or (reservation.document_type, reservation.document_id)
    return _flushed(_post(level.sku, level.location, location(Usage.CUSTOMER), take, level.sku.cost,
                          Reason.HANDOVER, document, user, guard=False, release=reservation.quantity))


@dataclass(frozen=True)
class UsedUp:
    """One reservation used up: what left its level for the customer, at what cost."""

    sku_id: int
    lot_id: int | None
    quantity: Decimal
    unit_cost: Decimal


def use_up(document: Document, *, user) -> list[UsedUp]:
    """Every active reservation of the document consumed at once (an online order handed over or
    dispatched): each leaves its level (on hand and reserved down by what it held) for the customer place,
    one move each at the SKU's cost — as ``consume`` does one by one, in four statements whatever the
    number of lines: the reservations closed (UPDATE … RETURNING: only what is still active is used, once),
    the customer place (known to the session after the first), the levels (one UPDATE, rows locked in SKU
    order as a sale locks them) and the moves (one INSERT). The SKUs' costs are the session's when loaded,
    else read in one more statement."""
    reservations = Reservation.__table__
    used = db.session.execute(
        update(reservations)
        .where(reservations.c.document_type == document[0], reservations.c.document_id == str(document[1]),
               reservations.c.status == ReservationStatus.ACTIVE.value)
        .values(status=ReservationStatus.CONSUMED.value)
        .returning(reservations.c.id, reservations.c.level_id, reservations.c.quantity)).all()
    if not used:
        return []
    used.sort(key=lambda row: row.id)
    per_level: dict[int, Decimal] = {}
    for row in used:
        per_level[row.level_id] = per_level.get(row.level_id, Decimal("0")) + quantity(row.quantity)
    customer = location(Usage.CUSTOMER)
    qty = case({bindparam(f"level_{n}", level_id): bindparam(f"qty_{n}", q, type_=_levels.c.reserved.type)
                for n, (level_id, q) in enumerate(per_level.items())}, value=_levels.c.id)
    locked = (select(_levels.c.id).where(_levels.c.id.in_(list(per_level)))
              .order_by(_levels.c.sku_id, func.coalesce(_levels.c.lot_id, 0), _levels.c.id).with_for_update())
    levels = {row.id: row for row in db.session.execute(
        update(_levels).where(_levels.c.id.in_(locked.scalar_subquery()))
        .values(on_hand=_levels.c.on_hand - qty, reserved=_levels.c.reserved - qty)
        .returning(_levels.c.id, _levels.c.sku_id, _levels.c.lot_id, _levels.c.location_id))}
    _forget_loaded_levels()
    costs = _costs_of({level.sku_id for level in levels.values()})
    made = [UsedUp(levels[row.level_id].sku_id, levels[row.level_id].lot_id, quantity(row.quantity),
                   costs[levels[row.level_id].sku_id]) for row in used]
    db.session.connection().execute(_moves.insert(), [
        {"sku_id": u.sku_id, "lot_id": u.lot_id, "from_location_id": levels[row.level_id].location_id,
         "to_location_id": customer.id, "quantity": u.quantity, "unit_cost": u.unit_cost,
         "reason": Reason.HANDOVER.value, "document_type": document[0], "document_id": str(document[1]),
         "user_id": user.id if user else None} for row, u in zip(used, made, strict=True)])
    return made


def _costs_of(sku_ids: set[int]) -> dict[int, Decimal]:
    """The SKUs' costs: the session's where it holds the SKU loaded, the rest read in one statement."""
    costs, missing = {}, []
    for sku_id in sku_ids:
        sku = db.session.identity_map.get(inspect(SKU).identity_key_from_primary_key((sku_id,)))
        if sku is not None and "cost" not in inspect(sku).unloaded:
            costs[sku_id] = sku.cost
        else:
            missing.append(sku_id)
    if missing:
        costs.update({sku_id: cost for sku_id, cost in db.session.execute(
            select(SKU.id, SKU.cost).where(SKU.id.in_(missing)))})
    return costs


def _close(reservation: Reservation, status: ReservationStatus) -> None:
    """Active → consumed or released, once; a second attempt is refused."""
    result = db.session.execute(
        update(Reservation)
        .where(Reservation.id == reservation.id, Reservation.status == ReservationStatus.ACTIVE.value)
        .values(status=status.value)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        db.session.refresh(reservation)
        raise ReservationClosed(status=reservation.status)


# ---------------------------------------------------------------- moving, counting, writing off


def transfer(sku: SKU, qty, source: Location, destination: Location, *, user,
             document: Document, lot: Lot | None = None) -> list[StockMove]:
    """Move real stock between two places (shelf → transit → shelf), first-expiring first."""
    qty = _positive(qty)
    moves = []
    for take in _allocate(source, sku, qty, lot, allow_negative=False):
        moves.append(_post(sku, source, destination, take, sku.cost, Reason.TRANSFER, document, user))
        db.session.flush()
    return moves


def write_off(store: Store, sku: SKU, qty, *, user, document: Document,
              lot: Lot | None = None) -> list[StockMove]:
    """Damaged, expired, stolen or used-in-store goods go to the loss place."""
    qty = _positive(qty)
    loss = location(Usage.LOSS)
    return _flushed([_post(sku, shelf(store), loss, t, sku.cost, Reason.WRITE_OFF, document, user)
                     for t in _allocate(shelf(store), sku, qty, lot, allow_negative=False)])


def write_off_in_transit(store: Store, sku: SKU, qty, *, user, document: Document,
                         lot: Lot | None = None) -> list[StockMove]:
    """Goods lost or broken on their way to the store: out of its transit place to loss."""
    qty, transit = _positive(qty), location(Usage.TRANSIT, store)
    return _flushed([_post(sku, transit, location(Usage.LOSS), t, sku.cost, Reason.WRITE_OFF, document, user)
                     for t in _allocate(transit, sku, qty, lot, allow_negative=False)])


def adjust_to_count(store: Store, sku: SKU, counted, *, user, document: Document,
                    lot: Lot | None = None) -> StockMove | None:
    """Make on hand equal what was counted: a gain from adjustment, a loss to loss."""
    counted = quantity(counted)
    if counted < 0:
        raise InvalidQuantity(quantity=counted)
    if lot is None and sku.product.tracking != Tracking.NONE:
        raise LotRequired(name=sku.display_name)  # each lot is counted on its own
    level_id = _level_id(shelf(store), sku, lot.id if lot else None)
    on_hand = db.session.scalar(select(StockLevel.on_hand).where(StockLevel.id == level_id).with_for_update())
    difference = counted - on_hand
    if difference == 0:
        return None
    if difference > 0:
        take = Take(None, lot.id if lot else None, difference)
        return _flushed(_post(sku, location(Usage.ADJUSTMENT), shelf(store), take, sku.cost,
                              Reason.COUNT, document, user))
    take = Take(level_id, lot.id if lot else None, -difference)
    return _flushed(_post(sku, shelf(store), location(Usage.LOSS), take, sku.cost, Reason.COUNT,
                          document, user, guard=False))


def apply_count_differences(store: Store, differences: list[tuple[SKU, Lot | None, Decimal]], *, user,
                            document: Document) -> list[StockMove]:
    """A count's differences (counted − expected, per SKU and lot) added to today's on hand, all at once.

    The shelf's levels are locked in SKU order (as a sale locks them, so the two never deadlock),
    then on hand becomes on hand + difference, never below zero: sales made since an item was
    counted stay sold. Gains come from the adjustment place, losses go to the loss place.
    """
    source = shelf(store)
    for sku, lot, _difference in differences:
        if lot is None and sku.product.tracking != Tracking.NONE:
            raise LotRequired(name=sku.display_name)  # each lot is counted on its own
    current = _locked_levels(source, sorted({sku.id for sku, _lot, _d in differences}))
    gain, loss, postings = location(Usage.ADJUSTMENT), location(Usage.LOSS), []
    for sku, lot, difference in differences:
        lot_id = lot.id if lot else None
        level_id, on_hand = current.get((sku.id, lot_id), (None, Decimal("0")))
        change = max(on_hand + quantity(difference), Decimal("0")) - on_hand
        if change > 0:
            postings.append(Posting(sku, gain, source, Take(None, lot_id, change), sku.cost, Reason.COUNT))
        elif change < 0:
            postings.append(Posting(sku, source, loss, Take(level_id, lot_id, -change), sku.cost, Reason.COUNT,
                                    guard=False))
    return _post_many(postings, document, user) if postings else []


def _locked_levels(place: Place, sku_ids: list[int]) -> dict[tuple[int, int | None], tuple[int, Decimal]]:
    """{(SKU, lot): (level id, on hand)} at a place, the rows locked (PostgreSQL) in SKU order."""
    found = {}
    for start in range(0, len(sku_ids), 500):
        rows = db.session.execute(
            select(StockLevel.id, StockLevel.sku_id, StockLevel.lot_id, StockLevel.on_hand)
            .where(StockLevel.location_id == place.id, StockLevel.sku_id.in_(sku_ids[start:start + 500]))
            .order_by(StockLevel.sku_id, StockLevel.id).with_for_update())
        found.update({(sku_id, lot_id): (level_id, _as_quantity(on_hand)) for level_id, sku_id, lot_id, on_hand in rows})
    return found


# ---------------------------------------------------------------- the ledger's core


@dataclass(frozen=True)
class Posting:
    """One move to write: a take of a SKU from ``source`` to ``destination``.

    ``guard`` refuses to drive available below zero at the source; ``release``
    is reserved stock that leaves with the move (a consumed reservation).
    """

    sku: SKU
    source: Place
    destination: Place
    take: Take
    unit_cost: Decimal
    reason: Reason
    guard: bool = True
    release: Decimal = Decimal("0")

    @property
    def quantity(self) -> Decimal:
        return self.take.quantity

    @property
    def lot_id(self) -> int | None:
        return self.take.lot_id


def _post(sku: SKU, source, destination, take: Take, unit_cost: Decimal, reason: Reason, document: Document,
          user, *, guard: bool = True, release: Decimal = Decimal("0")) -> StockMove:
    """Write one move and the levels it changes at both ends."""
    return _post_many([Posting(sku, source, destination, take, unit_cost, reason, guard, release)],
                      document, user)[0]


def _post_many(postings: list[Posting], document: Document, user, *, returning: bool = True,
               said: HeldOnShelf | None = None) -> list[StockMove] | list[Posting]:
    """Write moves and the levels they change, in as few statements as the rules allow.

    Guarded takes are checked one row at a time (a refusal names its SKU); the
    other level changes go in one executemany per statement shape, and the
    moves in one INSERT … RETURNING. ``said``: filled from the shelf's rows as changed.
    """
    unguarded_by_id, by_key = [], []
    # Levels change in (SKU, lot) order, whatever order the lines came in: two sales, or a sale and a
    # count's approval, lock the same rows in the same order and never deadlock (PostgreSQL).
    for p in sorted(postings, key=lambda p: (p.sku.id, p.take.lot_id or 0)):
        q = p.take.quantity
        if p.source.usage in TRACKED:
            if p.guard:
                if not _take_guarded(p, said):
                    raise _insufficient(p.sku, p.source, q)
            elif p.take.level_id:
                unguarded_by_id.append({"level": p.take.level_id, "on_hand": -q, "reserved": -p.release})
                if said is not None:
                    said.complete = False
            else:
                by_key.append((p.source, p.sku, p.take.lot_id, -q))
        if p.destination.usage in TRACKED:
            by_key.append((p.destination, p.sku, p.take.lot_id, q))
            sold_out.forget(p.destination.store_id, p.sku.id)
    if unguarded_by_id:
        _execute_many(_ADD_BY_ID, unguarded_by_id)
    _add_by_key(by_key, said)
    _forget_loaded_levels()
    rows = [{"sku_id": p.sku.id, "lot_id": p.take.lot_id, "from_location_id": p.source.id,
             "to_location_id": p.destination.id, "quantity": p.take.quantity, "unit_cost": p.unit_cost,
             "reason": p.reason.value, "document_type": document[0], "document_id": str(document[1]),
             "user_id": user.id if user else None} for p in postings]
    if not returning:
        db.session.connection().execute(_moves.insert(), rows)
        return postings
    made = db.session.scalars(insert(StockMove).returning(StockMove), rows).all()
    return _in_posting_order(made, rows)


def _in_posting_order(moves: list[StockMove], rows: list[dict]) -> list[StockMove]:
    """One INSERT of many rows returns them in no promised order: match each to its posting.

    Rows alike in every column are interchangeable, so matching by their values is exact.
    """
    def key(values) -> tuple:
        return tuple(values[c] for c in _MOVE_KEY)

    waiting: dict[tuple, list[StockMove]] = {}
    for move in moves:
        waiting.setdefault(key({c: getattr(move, c) for c in _MOVE_KEY}), []).append(move)
    return [waiting[key(row)].pop() for row in rows]


_MOVE_KEY = ("sku_id", "lot_id", "from_location_id", "to_location_id", "quantity", "unit_cost", "reason")


_levels, _moves = StockLevel.__table__, StockMove.__table__
_ADD_BY_ID = (
    _levels.update().where(_levels.c.id == bindparam("level"))
    .values(on_hand=_levels.c.on_hand + bindparam("on_hand"), reserved=_levels.c.reserved + bindparam("reserved"))
)


def _take_guarded(p: Posting, said: HeldOnShelf | None = None) -> bool:
    """One guarded UPDATE: False when the source has not got the goods available."""
    q = p.take.quantity
    where = [_levels.c.id == p.take.level_id] if p.take.level_id else _key_of(_levels.c, p.source, p.sku, p.take.lot_id)
    statement = (_levels.update()
                 .where(*where, _levels.c.on_hand - _levels.c.reserved + p.release >= q)
                 .values(on_hand=_levels.c.on_hand - q, reserved=_levels.c.reserved - p.release))
    if said is None:
        return db.session.execute(statement).rowcount == 1
    row = db.session.execute(statement.returning(_levels.c.reserved)).first()
    if row is not None and p.source.id == said.shelf_id and row.reserved > 0:
        said.skus.add(p.sku.id)
    return row is not None


def _add_by_key(changes: list[tuple], said: HeldOnShelf | None = None) -> None:
    """Add to the levels of (place, SKU, lot), making each on first use: an upsert per lot shape.

    ``said``: the rows come back (RETURNING) to say which of the shelf's SKUs are held for online orders;
    then each level is one row of the statement (a PostgreSQL upsert may change a row only once)."""
    for has_lot in (False, True):
        rows = [{"location_id": place.id, "sku_id": sku.id, "lot_id": lot_id, "on_hand": q,
                 "reserved": Decimal("0")}
                for place, sku, lot_id, q in changes if (lot_id is not None) == has_lot]
        if not rows:
            continue
        upsert = _upsert_for(db.session.get_bind().dialect.name, has_lot)
        if said is None:
            _execute_many(upsert, rows)
            continue
        for row in db.session.connection().execute(
                upsert.returning(_levels.c.location_id, _levels.c.sku_id, _levels.c.reserved), _one_per_level(rows)):
            if row.location_id == said.shelf_id and row.reserved > 0:
                said.skus.add(row.sku_id)


def _one_per_level(rows: list[dict]) -> list[dict]:
    """Changes to the same level added together, in the order the levels first came."""
    merged: dict[tuple, dict] = {}
    for row in rows:
        key = (row["location_id"], row["sku_id"], row["lot_id"])
        if key in merged:
            merged[key] = {**merged[key], "on_hand": merged[key]["on_hand"] + row["on_hand"]}
        else:
            merged[key] = row
    return list(merged.values())


@functools.cache
def _upsert_for(dialect: str, has_lot: bool):
    insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert_(_levels)
    columns = ["location_id", "sku_id", "lot_id"] if has_lot else ["location_id", "sku_id"]
    where = _levels.c.lot_id.isnot(None) if has_lot else _levels.c.lot_id.is_(None)
    return statement.on_conflict_do_update(
        index_elements=columns, index_where=where,
        set_={"on_hand": _levels.c.on_hand + statement.excluded.on_hand},
    )


def _execute_many(statement, rows: list[dict]) -> None:
    db.session.connection().execute(statement, rows)


def _forget_loaded_levels() -> None:
    """Levels were changed by SQL: any loaded into the session read again from the database."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, StockLevel):
            db.session.expire(obj, ["on_hand", "reserved"])


def _key_of(columns, place, sku: SKU, lot_id: int | None) -> list:
    lot = columns.lot_id.is_(None) if lot_id is None else columns.lot_id == lot_id
    return [columns.location_id == place.id, columns.sku_id == sku.id, lot]


def _flushed(moves):
    """The moves are written already; flush whatever else the caller changed (a lot, an average cost)."""
    db.session.flush()
    return moves


def _allocate(source: Location, sku: SKU, qty: Decimal, lot: Lot | None, *, allow_negative: bool) -> list[Take]:
    """Split a quantity over the source's levels, first-expiring first.

    The rows are locked (PostgreSQL) so the split holds until the transaction
    ends. What cannot be covered is refused, or, where negative stock is
    allowed, taken from the lot-less level, which then goes below zero.
    """
    if lot is None and sku.product.tracking == Tracking.NONE:
        if allow_negative:
            return [Take(None, None, qty)]
        level_id = _level_id(source, sku, None)
        available = db.session.scalar(
            select(StockLevel.on_hand - StockLevel.reserved).where(StockLevel.id == level_id).with_for_update()
        )
        if _as_quantity(available) < qty:
            raise _insufficient(sku, source, qty)
        return [Take(level_id, None, qty)]

    query = (
        select(StockLevel.id, StockLevel.lot_id, StockLevel.on_hand - StockLevel.reserved)
        .outerjoin(Lot, Lot.id == StockLevel.lot_id)
        .where(StockLevel.location_id == source.id, StockLevel.sku_id == sku.id,
               StockLevel.on_hand - StockLevel.reserved > 0)
        .order_by(Lot.expiry_date.is_(None), Lot.expiry_date, StockLevel.id)
        .with_for_update(of=StockLevel)
    )
    if lot is not None:
        query = query.where(StockLevel.lot_id == lot.id)
    takes, wanted = [], qty
    for level_id, lot_id, available in db.session.execute(query):
        if wanted <= 0:
            break
        part = min(wanted, _as_quantity(available))
        takes.append(Take(level_id, lot_id, part))
        wanted -= part
    if wanted > 0:
        if not allow_negative:
            raise _insufficient(sku, source, qty)
        takes.append(Take(None, lot.id if lot else None, wanted))
    return takes


def _level_id(place, sku: SKU, lot_id: int | None) -> int:
    """The level row of (place, SKU, lot), created empty on first use."""
    find = select(StockLevel.id).where(*_key_of(StockLevel, place, sku, lot_id))
    level_id = db.session.scalar(find)
    if level_id is None:
        _insert_ignore(StockLevel, {"location_id": place.id, "sku_id": sku.id, "lot_id": lot_id,
                                    "on_hand": Decimal("0"), "reserved": Decimal("0")})
        level_id = db.session.scalar(find)
    return level_id


def _insert_ignore(model, values: dict) -> None:
    """INSERT that quietly does nothing when a unique row is already there (safe under races)."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing())


def _positive(value) -> Decimal:
    qty = quantity(value)
    if qty <= 0:
        raise InvalidQuantity(quantity=qty)
    return qty


def _as_quantity(value) -> Decimal:
    """Sums and differences of Quantity columns come back as Decimals; zero stays exact."""
    return quantity(value if value is not None else 0)


def _insufficient(sku: SKU, source: Location, requested: Decimal) -> InsufficientStock:
    available = db.session.scalar(
        select(func.coalesce(func.sum(StockLevel.on_hand - StockLevel.reserved), 0))
        .where(StockLevel.location_id == source.id, StockLevel.sku_id == sku.id)
    )
    return InsufficientStock(name=sku.display_name, requested=requested, available=_as_quantity(available))
