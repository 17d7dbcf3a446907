"""The till's rules: registers, shifts, cash in the drawer, managers' PINs. No commits here."""
import re
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.auth.models import Role, User, staff_stores
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import money
from webapp.pos import queries
from webapp.pos.errors import (
    CashFloatNegative,
    InvalidAmount,
    InvalidCount,
    InvalidDenomination,
    InvalidPin,
    InvalidReceiptWidth,
    NotStoreStaff,
    PinTaken,
    ReasonRequired,
    RegisterInactive,
    RegisterNameTaken,
    ShiftAlreadyOpen,
    ShiftClosed,
    WrongPin,
)
from webapp.pos.models import RECEIPT_WIDTHS, CashKind, CashMovement, ManagerPin, Register, Shift, ShiftStatus
from webapp.sales import services as sales
from webapp.sales.models import Order, OrderStatus
from webapp.stores.models import Store

# Renminbi notes and coins, in yuan.
DENOMINATIONS = frozenset(Decimal(d) for d in (
    "100", "50", "20", "10", "5", "2", "1", "0.5", "0.2", "0.1", "0.05", "0.02", "0.01"))
PIN = re.compile(r"\d{4,8}")
PIN_HASH = "pbkdf2:sha256:20000"  # a PIN has few digits: the view throttles tries, the hash only hides it


def save_register(register: Register | None, *, store: Store, name: str, receipt_width: int = 80,
                  active: bool = True) -> Register:
    name = name.strip()
    if int(receipt_width) not in RECEIPT_WIDTHS:
        raise InvalidReceiptWidth(width=receipt_width)
    clash = db.session.scalar(select(Register).where(Register.store_id == store.id, Register.name == name))
    if clash is not None and clash is not register:
        raise RegisterNameTaken(name=name)
    if register is None:
        register = Register(store_id=store.id)
        db.session.add(register)
    register.name, register.receipt_width, register.active = name, int(receipt_width), active
    db.session.flush()
    return register


def open_shift(register: Register, cashier: User, opening_float) -> Shift:
    """A cashier takes the register with the cash float in the drawer; one open shift per register."""
    if not register.active:
        raise RegisterInactive(register=register.name)
    if not cashier.can_access_store(register.store_id):
        raise NotStoreStaff(name=cashier.name)
    opening_float = money(opening_float)
    if opening_float < 0:
        raise CashFloatNegative(amount=opening_float)
    if queries.open_shift_of(register) is not None:
        raise ShiftAlreadyOpen(register=register.name)
    shift = Shift(register_id=register.id, cashier_id=cashier.id, status=ShiftStatus.OPEN.value,
                  opening_float=opening_float)
    try:
        with db.session.begin_nested():  # two tills racing: the partial unique index decides
            db.session.add(shift)
            db.session.flush()
    except IntegrityError:
        raise ShiftAlreadyOpen(register=register.name) from None
    return shift


def cash_in(shift: Shift, amount, reason: str, user: User) -> CashMovement:
    return _move_cash(shift, CashKind.IN, amount, reason, user)


def cash_out(shift: Shift, amount, reason: str, user: User) -> CashMovement:
    return _move_cash(shift, CashKind.OUT, amount, reason, user)


def close_shift(shift: Shift, counted: dict[str, int], user: User) -> Shift:
    """Count the drawer by denomination; expected and variance are kept; sales left open are suspended."""
    _require_open(shift)
    if not user.can_access_store(shift.register.store_id):
        raise NotStoreStaff(name=user.name)
    denominations = _counted(counted)
    for order in db.session.scalars(select(Order).where(Order.shift_id == shift.id,
                                                        Order.status == OrderStatus.OPEN.value)):
        sales.suspend(order)
    shift.counted_cash = sum((Decimal(d) * n for d, n in denominations.items()), Decimal("0.00"))
    shift.expected_cash = queries.cash_summary(shift).expected
    shift.variance = shift.counted_cash - shift.expected_cash
    shift.denominations = denominations
    shift.status, shift.closed_at, shift.closed_by_id = ShiftStatus.CLOSED.value, utcnow(), user.id
    db.session.flush()
    return shift


def set_pin(user: User, pin: str) -> None:
    """Give a manager a PIN for approving discounts at the till."""
    pin = (pin or "").strip()
    if not PIN.fullmatch(pin):
        raise InvalidPin()
    for other, pin_hash in _approver_pins(user.stores if not user.is_hq else None):
        if other.id != user.id and check_password_hash(pin_hash, pin):
            raise PinTaken()
    row = db.session.scalar(select(ManagerPin).where(ManagerPin.user_id == user.id))
    if row is None:
        row = ManagerPin(user_id=user.id)
        db.session.add(row)
    row.pin_hash = generate_password_hash(pin, method=PIN_HASH)
    db.session.flush()


def approver_for(store: Store, pin: str) -> User | None:
    """The manager of this store (or HQ) whose PIN this is, if any."""
    pin = (pin or "").strip()
    if not PIN.fullmatch(pin):
        return None
    for user, pin_hash in _approver_pins([store]):
        if sales.may_discount(user, store) and check_password_hash(pin_hash, pin):
            return user
    return None


def approve_with_pin(store: Store, pin: str) -> User:
    """Like approver_for, but a wrong PIN is an error to show."""
    approver = approver_for(store, pin)
    if approver is None:
        raise WrongPin()
    return approver


def _approver_pins(stores) -> list[tuple[User, str]]:
    """PINs of people who may approve in these stores (None: any store)."""
    query = (select(User, ManagerPin.pin_hash).join(ManagerPin, ManagerPin.user_id == User.id)
             .where(User.active, User.role.in_([r.value for r in sales.DISCOUNT_ROLES])))
    if stores is not None:
        staff = select(staff_stores.c.user_id).where(staff_stores.c.store_id.in_([s.id for s in stores]))
        query = query.where(or_(User.role == Role.HQ_ADMIN.value, User.id.in_(staff)))
    return [(user, pin_hash) for user, pin_hash in db.session.execute(query.order_by(User.id))]


def _move_cash(shift: Shift, kind: CashKind, amount, reason: str, user: User) -> CashMovement:
    _require_open(shift)
    amount = money(amount)
    if amount <= 0:
        raise InvalidAmount(amount=amount)
    if not (reason or "").strip():
        raise ReasonRequired()
    movement = CashMovement(shift_id=shift.id, kind=kind.value, amount=amount, reason=reason.strip()[:200],
                            user_id=user.id)
    db.session.add(movement)
    db.session.flush()
    return movement


def _require_open(shift: Shift) -> None:
    if not shift.is_open:
        raise ShiftClosed()


def _counted(counted: dict) -> dict[str, int]:
    """{"100": 3, "0.50": 2} → {"100": 3, "0.5": 2}: denominations checked, counts whole."""
    clean: dict[str, int] = {}
    for denomination, count in counted.items():
        try:
            value = money(denomination)
        except (ValueError, TypeError):
            raise InvalidDenomination(denomination=denomination) from None
        if value not in DENOMINATIONS:
            raise InvalidDenomination(denomination=denomination)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InvalidCount(count=count)
        key = format(value.normalize(), "f")
        clean[key] = clean.get(key, 0) + count
    return {k: v for k, v in clean.items() if v}
