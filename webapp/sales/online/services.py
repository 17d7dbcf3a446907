"""Online orders: placing, paying, and every status change (see ``models`` for the model).

The shop places orders and takes their payments here; the store's fulfilment
queue and the till call the transitions (``start_picking``, ``mark_ready``,
``hand_over``, ``dispatch``, ``mark_delivered``, ``cancel``). Each function
runs in the caller's transaction, flushes, raises a typed error and never
commits.

Stock: placing is three steps in the caller's transaction — ``check_order`` checks the lines (a line this
process has just seen sold out is refused before any statement) and takes the number, ``write_order``
writes the order, and ``hold_stock``, last before the commit, reserves every line at the fulfilling store
(the ledger's guarded UPDATE: the last unit is never reserved twice, and its row is locked for
milliseconds, not through the whole checkout; ``place_order`` does all three in a savepoint);
``cancel`` and ``expire`` release the reservations; ``hand_over`` and ``dispatch`` consume them.
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, make_transient_to_detached, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from webapp.auth.customers import normal_phone
from webapp.auth.models import User
from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.errors import InvalidQuantity
from webapp.extensions import db
from webapp.numbers import money, quantity, round_money
from webapp.promotions import coupons, rules
from webapp.promotions.models import OrderLinePromotion
from webapp.promotions.services import Channel, PricedCart, price_cart
from webapp.sales import checkout, tenders
from webapp.sales.errors import WholeUnitsOnly
from webapp.sales.models import (
    MEMBER_METHODS,
    ZERO,
    Order,
    OrderKind,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from webapp.sales.notify import notify
from webapp.sales.numbering import next_order_number
from webapp.sales.online.errors import (
    AlreadyPaid,
    DueChanged,
    EmptyCart,
    NotCancellable,
    NotPaid,
    NotSoldOnline,
    OrderClosed,
    PayAtPickupNotOffered,
    QuantityTooLarge,
    RefundRefused,
    SoldOut,
    StatusRefused,
)
from webapp.sales.online.models import (
    HOLDING,
    STATUS_LABELS,
    Fulfilment,
    NotificationKind,
    OnlineOrder,
    OnlineStatus,
)
from webapp.sales.providers import Notification
from webapp.sales.tenders import TakenAt, Tender
from webapp.stock import services as stock
from webapp.stock import sold_out
from webapp.stock.errors import InsufficientStock
from webapp.stock.models import Reservation, ReservationStatus
from webapp.stores.models import Store

MOST_PER_LINE = Decimal("99")  # more of one item than any household buys online


@dataclass(frozen=True)
class Delivery:
    """Where the goods go, and what the store charges for it (None for pickup)."""

    address: str
    district: str
    latitude: float | None = None
    longitude: float | None = None
    fee: Decimal = ZERO


# ---------------------------------------------------------------- placing and paying


def check_line(sku: SKU, qty) -> Decimal:
    """A quantity a customer may order of one item: positive, whole unless weighed, not absurd."""
    qty = quantity(qty)
    if qty <= 0:
        raise InvalidQuantity(quantity=qty)
    if qty > MOST_PER_LINE:
        raise QuantityTooLarge(limit=MOST_PER_LINE, quantity=qty)
    if not sku.product.weighed and qty != qty.to_integral_value():
        raise WholeUnitsOnly(name=sku.display_name, quantity=qty)
    if not (sku.active and sku.product.active) or sku.product.tracking == "serial":
        raise NotSoldOnline(name=sku.display_name)
    return qty


@dataclass
class Checked:
    """An order about to be written: its lines checked and its number taken; nothing written, nothing held."""

    store: Store
    number: str  # the order's, which ``write_order`` writes and its reservations name
    lines: list[tuple[SKU, Decimal]]


def check_order(store: Store, lines: list[tuple[SKU, object]]) -> Checked:
    """The first step of placing an order: check the lines, refuse a line this process has just seen sold
    out at the store (``stock.sold_out``: no statement), and take the order's number (on PostgreSQL in a
    short transaction of its own: a refused order leaves a gap, as ``sales.numbering`` allows)."""
    if not lines:
        raise EmptyCart()
    checked = [(sku, check_line(sku, qty)) for sku, qty in lines]
    refuse_known_sold_out(store.id, [(sku.id, qty) for sku, qty in checked])
    return Checked(store, next_order_number(store), checked)


def hold_stock(checked: Checked) -> None:
    """The last step of placing an order, just before the commit: reserve every line at the store, all or
    nothing (the ledger's guarded UPDATE, rows locked in id order). The stock rows stay locked only from here
    to the commit — milliseconds — not through pricing and writing the order: a flash sale's winners do not
    queue behind one another's whole checkout. Raises ``SoldOut``; the caller rolls back everything (the
    order already written too). A buyer refused here has paid the whole checkout for it; the order that
    took the last unit, or the first one refused, notes the SKU sold out in this process (``stock.sold_out``)
    and the next buyers are told before any statement (``check_order``).
    """
    store, lines = checked.store, checked.lines
    try:
        stock.reserve_lines(store, lines, document=("order", checked.number))
    except InsufficientStock as e:
        raise _sold_out(store, lines, e.facts.get("name"), e.facts.get("available", 0)) from None


def refuse_known_sold_out(store_id: int, lines: list[tuple[int, Decimal]]) -> None:
    """``SoldOut`` when this process has just seen one of the lines — (SKU id, quantity) — sold out at the
    store (``stock.sold_out``): no statement is sent."""
    gone = sold_out.short(store_id, lines)
    if gone is not None:
        raise SoldOut(name=gone.name, store=gone.store, available=gone.available)


def _sold_out(store: Store, lines: list[tuple[SKU, Decimal]], name, available) -> SoldOut:
    sku = next((sku for sku, _q in lines if sku.display_name == name), lines[0][0])
    return SoldOut(name=sku.display_name, store=store.name, available=available)


def write_order(checked: Checked, customer: User, *, phone: str, checkout_key: str, contact_name: str = "",
                delivery: Delivery | None = None, distance_m: int | None = None, pay_at_pickup: bool = False,
                note: str = "", member: User | None = None, priced: PricedCart | None = None,
                coupon_code: str = "") -> OnlineOrder:
    """The checked order, its online side and its lines, priced by the seam (for a signed-in ``member``: at
    member prices; with the ``coupon_code`` the customer typed, held by the order until it is paid). Its
    stock is not held yet: ``hold_stock`` comes last, just before the commit.

    Priced first, then written as plain INSERTs — the order, its lines (one statement), what each promotion
    took off each line (one, when any did), the online side, the message — and put in the session as
    loaded (``_written``): no unit of work to sort, no read of what was just written.

    ``priced``: the lines as the customer was shown them priced at this store (``price_cart``), so they
    are not priced twice. The checkout key is unique: a second order with it is refused by the database
    (``IntegrityError``; the caller rolls back and finds the order that holds the key).
    """
    store, number, checked = checked.store, checked.number, checked.lines
    if pay_at_pickup and (delivery is not None or not store.pay_at_pickup):
        raise PayAtPickupNotOffered(store=store.name)
    prices = _order_prices(store, checked, customer, member, None if coupon_code else priced)
    now = utcnow()
    subtotal = sum((line.amount for line in prices.lines), ZERO)
    [order] = _written(Order, [dict(
        number=number, channel=Channel.SHOP.value, kind=OrderKind.SALE.value, status=OrderStatus.OPEN.value,
        store_id=store.id, customer_id=customer.id, subtotal=subtotal, discount=ZERO, order_discount=ZERO,
        total=subtotal, created_at=now)])
    lines = _written(OrderLine, [dict(
        order_id=order.id, sku_id=sku.id, quantity=qty, unit_price=p.unit_price, regular_price=p.regular_price,
        priced_amount=p.amount, line_discount=ZERO, order_discount_share=ZERO, amount=p.amount,
        points_multiplier=p.points_multiplier) for (sku, qty), p in zip(checked, prices.lines, strict=True)])
    savings = [{"order_line_id": line.id, "promotion_id": promotion_id, "amount": amount}
               for line, p in zip(lines, prices.lines, strict=True) for promotion_id, amount in p.savings.items()]
    if savings:  # what each promotion took off each line, stored with the sale (``price_order``'s allocation)
        db.session.execute(insert(OrderLinePromotion.__table__), savings)
    [online] = _written(OnlineOrder, [dict(
        order_id=order.id, customer_id=customer.id, status=OnlineStatus.NEW.value,
        fulfilment=(Fulfilment.DELIVERY if delivery else Fulfilment.PICKUP).value,
        contact_name=contact_name.strip()[:50], phone=normal_phone(phone),
        address=delivery.address.strip()[:200] if delivery else "",
        district=delivery.district[:50] if delivery else "",
        latitude=delivery.latitude if delivery else None, longitude=delivery.longitude if delivery else None,
        distance_m=distance_m, delivery_fee=money(delivery.fee) if delivery else ZERO,
        pay_at_pickup=pay_at_pickup, pickup_code=_pickup_code(store, number),
        pickup_token=secrets.token_urlsafe(18), access_token=secrets.token_urlsafe(18),
        checkout_key=checkout_key[:64], note=note.strip()[:200], created_at=now, status_changed_at=now,
        expires_at=None if pay_at_pickup else now + timedelta(minutes=store.unpaid_hold_minutes))])
    # what was written, known without asking: each object's relationships are the ones at hand
    for name, value in (("store", store), ("customer", customer), ("lines", lines), ("payments", []),
                        ("online", online)):
        set_committed_value(order, name, value)
    for line, (sku, _qty) in zip(lines, checked, strict=True):
        set_committed_value(line, "order", order)
        set_committed_value(line, "sku", sku)
    for name, value in (("order", order), ("customer", customer), ("notifications", [])):
        set_committed_value(online, name, value)
    order.pricing = prices  # as ``price_order`` keeps it: the reasons and the hint of this request
    notify(online, NotificationKind.ACCEPTED)
    db.session.flush()
    from webapp.members.cards import enrolled
    enrolled(customer, store)  # the first order enrols the customer as a member (one statement)
    if coupon_code:  # the code the customer typed: held by the order (priced again with it)
        coupons.hold(order, coupon_code, customer_id=customer.id, member=member)
    online.placed_now = True  # this request made it: paying it needs no lock or re-read (see ``pay``)
    return online


def _order_prices(store: Store, lines: list[tuple[SKU, Decimal]], customer: User, member: User | None,
                  priced: PricedCart | None) -> PricedCart:
    """A new order's lines priced as ``price_order`` prices them (no coupon held yet): the cart the customer
    was shown when it prices exactly these lines and no rule depends on who buys, else priced again."""
    book = rules.active_book()
    same = _same_lines(priced, lines)
    if same is not None and not book.per_customer:
        return same
    return price_cart(store, Channel.SHOP, lines, member=member,
                      customer_id=customer.id if book.per_customer else None)


def _written(model, rows: list[dict]) -> list:
    """Rows of ``model`` INSERTed as given, in one statement that returns their ids, and put in the session
    as loaded (persistent, nothing to flush). Every column's default is filled in here, so the objects hold
    exactly what the rows hold and reading an attribute never asks the database."""
    table = model.__table__
    rows = [_with_defaults(table, row) for row in rows]
    if len(rows) == 1:
        ids = [db.session.execute(insert(table).values(rows[0]).returning(table.c.id)).scalar_one()]
    else:
        ids = db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
    made = []
    # Written in the innermost transaction, as a flushed INSERT is: its rollback takes them out of the session
    # (the next order may get the same ids); a savepoint's release hands them on to the enclosing transaction.
    session = db.session()
    written_in = (session.get_nested_transaction() or session.get_transaction())._new
    for row, row_id in zip(rows, ids, strict=True):
        instance = model(id=row_id, **row)
        make_transient_to_detached(instance)
        db.session.add(instance)
        written_in[inspect(instance)] = True
        made.append(instance)
    return made


def _with_defaults(table, row: dict) -> dict:
    full = dict(row)
    for column in table.columns:
        if column.primary_key or column.key in full:
            continue
        default = column.default
        if default is None:
            if column.server_default is not None:
                raise ValueError(f"{table.name}.{column.key}: a server default the object would not know")
            full[column.key] = None
        else:
            full[column.key] = default.arg(None) if default.is_callable else default.arg
    return full


def place_order(store: Store, customer: User, lines: list[tuple[SKU, object]], *, phone: str,
                checkout_key: str, **details) -> OnlineOrder:
    """The order, its lines priced and its stock reserved, all or nothing (``check_order``, ``write_order``
    with the ``details``, then ``hold_stock``), in a savepoint of the caller's transaction.

    Raises ``SoldOut`` when a line cannot be reserved at the store: nothing is kept. The same
    ``checkout_key`` again returns the order already placed (the key is unique, and the order that
    holds it is found when the insert is refused, or when its twin took the last unit).
    """
    try:
        with db.session.begin_nested():
            checked = check_order(store, lines)
            placed = write_order(checked, customer, phone=phone, checkout_key=checkout_key, **details)
            hold_stock(checked)
            return placed
    except (IntegrityError, SoldOut):
        known = by_checkout_key(checkout_key)
        if known is None:
            raise
        return known


def _same_lines(priced: PricedCart | None, lines: list[tuple[SKU, Decimal]]) -> PricedCart | None:
    """The priced cart when it prices exactly these lines, else None (price them again)."""
    if priced is None or [(p.sku.id, p.quantity) for p in priced.lines] != [(s.id, q) for s, q in lines]:
        return None
    return priced


def pay(online: OnlineOrder, method: str, auth_code: str) -> Payment:
    """Charge the amount due through the payment path (``tenders.charge_online``).

    Declined: nothing is recorded (``PaymentDeclined``); timed out: a pending
    payment is kept (``PaymentPending``, which keeps it) and ``check_payments``
    asks again. Either way the order and its reservation stay as they were.
    """
    if not getattr(online, "placed_now", False):  # an order placed in this very transaction is ours already
        _hold(online)
        refresh(online)
    if online.status not in HOLDING:
        raise OrderClosed(number=online.order.number, status=online.status)
    if online.is_paid:
        raise AlreadyPaid(number=online.order.number)
    payment = tenders.charge_online(online.order, method, auth_code)
    _paid(online)
    return payment


def start_payment(online: OnlineOrder, method: str, *, return_url: str, notify_url: str) -> str:
    """The provider's cashier page where the customer pays what is due (the shop's payment step:
    the customer confirms at the provider, nothing is typed here); see ``payment_notified``."""
    if not getattr(online, "placed_now", False):  # an order this very request placed is new and ours
        _hold(online)
        refresh(online)
    if online.status not in HOLDING:
        raise OrderClosed(number=online.order.number, status=online.status)
    if online.is_paid:
        raise AlreadyPaid(number=online.order.number)
    return tenders.start_online(online.order, method, subject=online.order.number, return_url=return_url,
                                notify_url=notify_url)


def pay_from_account(online: OnlineOrder, payments: list[Tender], *, expected_due: Decimal | None = None) -> None:
    """The member's stored value and points applied to what the order owes, through the payment path
    (``tenders.plan_part``): all of it (the order is paid, no wallet cashier) or part (the rest at the
    wallet's cashier, ``start_payment``). What is applied to an order not yet paid is frozen on it: it has
    left the member's balance and points, and goes back exactly if the order is cancelled or expires
    (``cancel``, ``expire_if_due``); once the rest is paid it is simply spent.

    ``expected_due``: what the customer saw owing; refused when the order owes something else now (a second
    tap on "apply", another tab), so nothing is applied twice."""
    _hold(online)
    if needs_refresh(online):  # a payment to ask about, or overdue: looked at first (it may close the order)
        refresh(online)
    if online.status not in HOLDING:
        raise OrderClosed(number=online.order.number, status=online.status)
    if online.is_paid:
        raise AlreadyPaid(number=online.order.number)
    if expected_due is not None and online.order.due != expected_due:
        raise DueChanged(number=online.order.number, due=online.order.due)
    planned = tenders.plan_part(online.order, payments)
    with tenders.taking(online.order, planned) as take:
        take()
    if online.paid >= online.amount_due:
        _paid(online)
    db.session.flush()


def frozen_payments(online: OnlineOrder) -> list[Payment]:
    """The member's stored value and points applied to this order while it is not paid yet (frozen)."""
    if online.is_paid or online.status not in HOLDING:
        return []
    return [p for p in online.order.payments
            if p.method in MEMBER_METHODS and p.status == PaymentStatus.SUCCEEDED and p.amount > 0]


def by_payment_reference(reference: str) -> OnlineOrder | None:
    """The online order a payment reference of ours was made for."""
    number = tenders.order_number_of(reference[:64])
    return db.session.scalar(select(OnlineOrder).join(Order, Order.id == OnlineOrder.order_id)
                             .where(Order.number == number))


def payment_notified(online: OnlineOrder, method: str, notice: Notification) -> Payment | None:
    """The provider says a payment went through (or was cancelled): recorded once, however often it
    says so. Money that arrives for an order already paid (a second tab) or closed goes back at once.

    A payment the order's payments (as read) show recorded already — the customer back from the cashier after
    its notification — is answered as it is, without locking the order: a succeeded payment never changes."""
    if (recorded := _recorded(online, notice)) is not None:
        return recorded
    _hold(online)
    was_paid = online.is_paid
    known = any(p.merchant_reference == notice.reference and p.status == PaymentStatus.SUCCEEDED
                for p in online.order.payments)
    payment = tenders.settle_online(online.order, method, notice)
    if payment is None or known or payment.status != PaymentStatus.SUCCEEDED:
        return payment
    if online.status in HOLDING and not was_paid:
        _settled(online, payment)
    else:
        _refund(online, payment)
    db.session.flush()
    return payment


def _recorded(online: OnlineOrder, notice: Notification) -> Payment | None:
    """The succeeded payment of this notice's reference, as the order's payments in hand show it (None when
    they are not in hand: nothing is read to find out)."""
    if "order" in inspect(online).unloaded or "payments" in inspect(online.order).unloaded:
        return None
    return next((p for p in online.order.payments if p.merchant_reference == notice.reference and p.amount > 0
                 and p.status == PaymentStatus.SUCCEEDED), None)


def check_payments(online: OnlineOrder) -> None:
    """Ask the provider about pending payments. A payment that went through counts; one that went
    through after the order closed is given back at once."""
    _hold(online)
    for payment in [p for p in online.order.payments if p.status == PaymentStatus.PENDING]:
        tenders.check(payment)
        if payment.status != PaymentStatus.SUCCEEDED:
            continue
        if online.status in HOLDING and not online.is_paid:
            _settled(online, payment)
        else:
            _refund(online, payment)
    db.session.flush()


def _settled(online: OnlineOrder, payment: Payment) -> None:
    """A wallet payment arrived for an order not paid yet: paid once it covers what is owed. Its part
    beyond that goes back at once (a cashier opened for the whole amount, then stored value applied)."""
    extra = online.paid - online.amount_due
    if extra > 0:
        _refund(online, payment, min(extra, payment.amount), "X")
    if online.paid >= online.amount_due:
        _paid(online)


def _paid(online: OnlineOrder) -> None:
    online.paid_at, online.expires_at = utcnow(), None
    coupons.redeem_held(online.order)  # the coupon the order holds is used now, once
    db.session.flush()


def _refund(online: OnlineOrder, payment: Payment, amount: Decimal | None = None, key: str = "R") -> Payment:
    """Give a succeeded payment back, whole or in part; refused refunds stay visible (declined).
    The reference is stable per (payment, key): a retry never refunds twice."""
    amount = payment.amount if amount is None else amount
    return tenders.refund(online.order, payment, amount, f"{payment.merchant_reference}-{key}")


# ---------------------------------------------------------------- the customer's and the store's transitions


def needs_refresh(online: OnlineOrder, now: datetime | None = None) -> bool:
    """Would ``refresh`` change anything: a payment to ask about, or an overdue unpaid order?"""
    pending = online.order.has_pending_payment
    if online.status != OnlineStatus.NEW:
        return pending and online.status in (OnlineStatus.CANCELLED, OnlineStatus.EXPIRED)
    overdue = online.expires_at is not None and online.expires_at <= (now or utcnow())
    return overdue or pending


def refresh(online: OnlineOrder, now: datetime | None = None) -> OnlineOrder:
    """The lazy check when an order is looked at: pending payments asked about (money that arrived
    for a closed order goes back), an overdue unpaid order expired."""
    if online.order.has_pending_payment:
        check_payments(online)
    if online.status == OnlineStatus.NEW:
        expire_if_due(online, now)
    return online


def expire_if_due(online: OnlineOrder, now: datetime | None = None) -> bool:
    """An unpaid order past its hold time gives its stock back."""
    now = now or utcnow()
    _hold(online)
    if (online.status != OnlineStatus.NEW or online.is_paid or online.pay_at_pickup
            or online.expires_at is None or online.expires_at > now):
        return False
    _give_back_payments(online)  # stored value and points applied to it, frozen until now
    _close(online, OnlineStatus.EXPIRED)
    notify(online, NotificationKind.EXPIRED)
    db.session.flush()
    return True


def expire_unpaid(now: datetime | None = None) -> int:
    """Sweep: every overdue unpaid order expires (the `flask shop sweep` command)."""
    now = now or utcnow()
    overdue = db.session.scalars(
        select(OnlineOrder).where(OnlineOrder.status == OnlineStatus.NEW.value,
                                  OnlineOrder.expires_at.is_not(None), OnlineOrder.expires_at <= now)
        .order_by(OnlineOrder.id)).all()
    count = 0
    for online in overdue:
        refresh(online, now)
        count += online.status == OnlineStatus.EXPIRED
    # A payment still unconfirmed when its order closed: asked again, and given back if it went through.
    late = db.session.scalars(
        select(OnlineOrder).join(Payment, Payment.order_id == OnlineOrder.order_id)
        .where(OnlineOrder.status.in_([OnlineStatus.CANCELLED.value, OnlineStatus.EXPIRED.value]),
               Payment.status == PaymentStatus.PENDING.value)
        .order_by(OnlineOrder.id).distinct()).all()
    for online in late:
        check_payments(online)
    return count


def cancel(online: OnlineOrder, *, by_customer: bool, reason: str = "") -> None:
    """A customer cancels while the order is new; the store until it is handed over or dispatched.
    The stock goes back on sale and what was paid is refunded."""
    _hold(online)
    refresh(online)
    allowed = (OnlineStatus.NEW,) if by_customer else HOLDING
    if online.status not in allowed:
        if by_customer and online.status in HOLDING:
            raise NotCancellable(number=online.order.number)
        raise StatusRefused(number=online.order.number, status=STATUS_LABELS[online.status])
    _give_back_payments(online)
    online.cancel_reason = reason.strip()[:200]
    _close(online, OnlineStatus.CANCELLED)
    notify(online, NotificationKind.CANCELLED)
    db.session.flush()


def _give_back_payments(online: OnlineOrder) -> None:
    """What was paid and not given back yet goes back through its provider: a wallet's money, and the
    stored value and points applied (frozen) on an order not paid yet, exactly as they were taken."""
    for payment in [p for p in online.order.payments if p.status == PaymentStatus.SUCCEEDED and p.amount > 0]:
        rest = tenders.unrefunded(online.order, payment)
        if rest > 0:
            _refund(online, payment, rest, "R" if rest == payment.amount else "RR")


def start_picking(online: OnlineOrder, user: User) -> None:
    """The store begins to pick: the customer can no longer cancel."""
    refresh(online)
    _move(online, (OnlineStatus.NEW,), OnlineStatus.PICKING)


def mark_ready(online: OnlineOrder, user: User) -> None:
    """Picked and packed; a pickup order tells the customer to come."""
    _move(online, (OnlineStatus.PICKING,), OnlineStatus.READY)
    if online.is_pickup:
        notify(online, NotificationKind.READY)
    db.session.flush()


def mark_paid(online: OnlineOrder) -> None:
    """The till took the amount due at pickup (its Payment rows are on the order): the order is paid."""
    if online.is_paid:
        raise AlreadyPaid(number=online.order.number)
    _require_covered(online)
    _paid(online)


def hand_over(online: OnlineOrder, user: User) -> None:
    """The customer collects a paid pickup order: the reservation is consumed and the sale completed."""
    if not online.is_pickup:
        raise StatusRefused(number=online.order.number, status=STATUS_LABELS[online.status])
    _require_paid(online)
    _move(online, (OnlineStatus.READY,), OnlineStatus.HANDED_OVER)
    _complete(online, user)


def dispatch(online: OnlineOrder, user: User) -> None:
    """A paid delivery order leaves the store: the reservation is consumed, the customer told."""
    if online.is_pickup:
        raise StatusRefused(number=online.order.number, status=STATUS_LABELS[online.status])
    _require_paid(online)
    _move(online, (OnlineStatus.READY,), OnlineStatus.OUT_FOR_DELIVERY)
    _complete(online, user)
    notify(online, NotificationKind.OUT_FOR_DELIVERY)
    db.session.flush()


def refund_part(online: OnlineOrder, amount: Decimal, key: str) -> list[Payment]:
    """Give back part of what was paid online (an item the store could not find), through the provider.

    ``key`` names the cause (one per refund, e.g. the line): a retry refunds nothing twice.
    Raises ``RefundRefused`` when the provider refuses (roll back: nothing is recorded as given back).
    """
    left, made = money(amount), []
    for payment in [p for p in online.order.payments if p.status == PaymentStatus.SUCCEEDED and p.amount > 0]:
        part = min(left, tenders.unrefunded(online.order, payment))
        if part <= 0 or payment.method == PaymentMethod.CASH:
            continue
        refund = _refund(online, payment, part, key)
        if refund.status != PaymentStatus.SUCCEEDED:
            raise RefundRefused(amount=part, reason=refund.message)
        made.append(refund)
        left -= part
    if left > 0:
        raise RefundRefused(amount=left, reason="")
    return made


def hand_over_at_till(online: OnlineOrder, payments: list[Tender], *, user: User, client_uuid: str,
                      register=None, shift=None) -> OnlineOrder:
    """The cashier hands a ready pickup order over, first taking what is due when it is paid at pickup.

    The tenders go through the one payment path (``tenders``: exact amounts, change only for cash,
    charges given back if one fails, a charge that cannot be given back kept on the order); the
    order then counts in the till's shift. The same ``client_uuid`` again (a double tap) answers
    with the order already handed over.
    """
    order = online.order
    if order.client_uuid == client_uuid and online.status == OnlineStatus.HANDED_OVER:
        return online
    if not online.is_pickup or online.status != OnlineStatus.READY:
        raise StatusRefused(number=order.number, status=STATUS_LABELS[online.status])
    paying = not online.is_paid
    if paying and (not online.pay_at_pickup or not payments):
        raise NotPaid(number=order.number, due=order.due)
    try:
        if not paying:  # paid online: nothing to take, so no savepoint for a charge to be given back in
            _claim_and_hand_over(online, user, client_uuid)
            return online
        with tenders.taking(order, tenders.plan(order, payments, at=TakenAt.PICKUP)) as take:
            if not checkout.claim(order, client_uuid):
                raise _Taken()
            take()
            order.register_id = register.id if register else None
            order.shift_id = shift.id if shift else None
            db.session.flush()
            mark_paid(online)
            hand_over(online, user)
    except _Taken:
        db.session.refresh(order)
        db.session.refresh(online)
        if order.client_uuid == client_uuid and online.status == OnlineStatus.HANDED_OVER:
            return online
        raise StatusRefused(number=order.number, status=STATUS_LABELS[online.status]) from None
    return online


def _claim_and_hand_over(online: OnlineOrder, user: User, client_uuid: str) -> None:
    if not checkout.claim(online.order, client_uuid):
        raise _Taken()
    hand_over(online, user)


class _Taken(Exception):
    """Another tap handed this order over first."""


def mark_delivered(online: OnlineOrder, user: User) -> None:
    _move(online, (OnlineStatus.OUT_FOR_DELIVERY,), OnlineStatus.DELIVERED)
    notify(online, NotificationKind.DELIVERED)
    db.session.flush()


# ---------------------------------------------------------------- finding orders


def by_checkout_key(key: str) -> OnlineOrder | None:
    return db.session.scalar(select(OnlineOrder).where(OnlineOrder.checkout_key == key[:64])) if key else None


def by_access_token(token: str, *, whole: bool = False) -> OnlineOrder | None:
    """The order of this link, with what every look at it reads — its order, the order's store, payments and
    customer — in one statement; ``whole``: its lines (with their SKUs and products) and messages too, in
    one more each (the order page)."""
    if not token:
        return None
    sale = joinedload(OnlineOrder.order, innerjoin=True)
    options = [sale.joinedload(Order.store, innerjoin=True), sale.joinedload(Order.payments),
               joinedload(OnlineOrder.customer, innerjoin=True)]
    if whole:
        options += [sale.selectinload(Order.lines).joinedload(OrderLine.sku, innerjoin=True)
                    .joinedload(SKU.product, innerjoin=True), selectinload(OnlineOrder.notifications)]
    found = db.session.scalars(select(OnlineOrder).where(OnlineOrder.access_token == token).options(*options)
                               ).unique().first()
    if found is not None:
        set_committed_value(found.order, "online", found)  # the way back: no query to find what is at hand
    return found


def by_pickup_token(token: str, *, whole: bool = False) -> OnlineOrder | None:
    """The order a scanned pickup QR code names (``whole``: read as the till's pickup panel shows it, in
    the same statement: its order, payments, customer, lines with their SKUs and products)."""
    if not token:
        return None
    return _found(select(OnlineOrder).where(OnlineOrder.pickup_token == token), whole)


def by_pickup_code(store: Store, code: str, *, whole: bool = False) -> OnlineOrder | None:
    """The store's open order with this six-digit pickup code (``whole``: as ``by_pickup_token``)."""
    return _found(select(OnlineOrder).join(Order).where(
        Order.store_id == store.id, OnlineOrder.pickup_code == code.strip(),
        OnlineOrder.status.in_([s.value for s in HOLDING])), whole)


def _found(query, whole: bool) -> OnlineOrder | None:
    if not whole:
        return db.session.scalar(query)
    found = db.session.scalars(query.options(*_whole(lines=True))).unique().first()
    if found is not None:
        set_committed_value(found.order, "online", found)  # the way back: no query to find what is at hand
    return found


def reservations(online: OnlineOrder, status: ReservationStatus | None = ReservationStatus.ACTIVE) -> list[Reservation]:
    query = select(Reservation).where(Reservation.document_type == "order",
                                      Reservation.document_id == online.order.number)
    if status is not None:
        query = query.where(Reservation.status == status.value)
    return list(db.session.scalars(query.order_by(Reservation.id)))


# ---------------------------------------------------------------- helpers


def _hold(online: OnlineOrder) -> None:
    """The order's row is ours until the transaction ends (PostgreSQL; SQLite has one writer), and
    what another request changed before is read again: a payment, a cancel, the sweep and the
    store's next step never act on a status that is no longer true.

    Two statements: the lock, then the online order, its order and the order's payments read again. Not
    one: a ``SELECT … FOR UPDATE`` that waited for the lock sees the locked row as it is now but the
    rows it joins as they were when it began — the payments the other request has just written would
    be missed (two taps on "apply" would both apply). Once per transaction: an order this transaction
    holds already (``held``, or an earlier ``_hold``) is neither locked nor read again — nobody else can
    change it until the transaction ends, and this one's own changes are in the session."""
    if _holds(online.id):
        return
    db.session.execute(select(OnlineOrder.id).where(OnlineOrder.id == online.id).with_for_update())
    db.session.scalars(
        select(OnlineOrder).where(OnlineOrder.id == online.id)
        .options(joinedload(OnlineOrder.order, innerjoin=True).joinedload(Order.payments))
        .execution_options(populate_existing=True)).unique().all()
    set_committed_value(online.order, "online", online)  # the way back (``Order.amount_due``): no query
    _now_held(online.id)


_HELD = "online_orders_held"  # session.info: {online order id: the transaction that locked and read it}


def _holds(online_id: int) -> bool:
    """Whether the transaction in progress holds this order (locked, then read): its lock lasts until it ends.
    A savepoint's hold counts only while the savepoint is open (rolled back, its lock is gone)."""
    transaction = db.session.info.get(_HELD, {}).get(online_id)
    return transaction is not None and transaction.is_active


def _now_held(online_id: int) -> None:
    session = db.session()
    session.info.setdefault(_HELD, {})[online_id] = session.get_nested_transaction() or session.get_transaction()


def held(online_id: int, store_id: int, *, lines: bool = False) -> OnlineOrder | None:
    """The store's online order, its row locked until the transaction ends and then read whole — its order,
    the order's payments and the customer (``lines``: the order's lines with their SKUs and products too) —
    or None when the store has no such order. Two statements; the transitions that follow in the same
    transaction (``_hold``) neither lock nor read it again."""
    if not db.session.scalar(select(OnlineOrder.id).join(Order, Order.id == OnlineOrder.order_id)
                             .where(OnlineOrder.id == online_id, Order.store_id == store_id)
                             .with_for_update(of=OnlineOrder)):
        return None
    found = db.session.scalars(
        select(OnlineOrder).where(OnlineOrder.id == online_id).options(*_whole(lines))
        .execution_options(populate_existing=True)).unique().one()
    set_committed_value(found.order, "online", found)  # the way back (``Order.amount_due``): no query
    _now_held(online_id)
    return found


def _whole(lines: bool) -> list:
    """What the store's screens and steps read of an online order, in the same statement: its order, the
    order's payments and the customer; ``lines``: the order's lines with their SKUs and products."""
    sale = joinedload(OnlineOrder.order, innerjoin=True)
    options = [sale.joinedload(Order.payments), joinedload(OnlineOrder.customer, innerjoin=True)]
    if lines:
        options.append(sale.joinedload(Order.lines).joinedload(OrderLine.sku, innerjoin=True)
                       .joinedload(SKU.product, innerjoin=True))
    return options


def _move(online: OnlineOrder, allowed: tuple, to: OnlineStatus) -> None:
    _hold(online)
    if online.status not in allowed:
        raise StatusRefused(number=online.order.number, status=STATUS_LABELS[online.status])
    online.status, online.status_changed_at = to.value, utcnow()
    db.session.flush()


def _close(online: OnlineOrder, to: OnlineStatus) -> None:
    """Cancelled or expired: the reservations released, the order voided."""
    for reservation in reservations(online):
        stock.release(reservation)
    online.status, online.status_changed_at, online.expires_at = to.value, utcnow(), None
    online.order.status = OrderStatus.VOIDED.value
    coupons.give_back_all(online.order)  # a coupon it held or redeemed may be used again
    db.session.flush()


def _complete(online: OnlineOrder, user: User) -> None:
    """The goods leave: the order's reservations used up at once through the ledger (``stock.use_up``: a few
    statements whatever the number of lines), each line keeps its SKU's cost, the sale completed."""
    order = online.order
    cost: dict[int, Decimal] = {}
    units: dict[int, Decimal] = {}
    for used in stock.use_up(("order", order.number), user=user):
        cost[used.sku_id] = cost.get(used.sku_id, ZERO) + used.unit_cost * used.quantity
        units[used.sku_id] = units.get(used.sku_id, ZERO) + used.quantity
    for line in order.lines:
        if line.sku_id in cost:
            line.unit_cost = round_money(cost[line.sku_id] / units[line.sku_id])
    order.status, order.completed_at = OrderStatus.COMPLETED.value, utcnow()
    order.cashier_id = user.id if user else None
    db.session.flush()
    if order.customer_id is not None:  # the member earns points when the goods are theirs
        from webapp.members.points import earn_for_sale
        earn_for_sale(order)


def _require_paid(online: OnlineOrder) -> None:
    if not online.is_paid:
        raise NotPaid(number=online.order.number, due=online.amount_due - online.paid)


def _require_covered(online: OnlineOrder) -> None:
    if online.paid < online.amount_due:
        raise NotPaid(number=online.order.number, due=online.amount_due - online.paid)


CODE_DAYS = 90  # a pickup code is the store's alone among its orders of this many days
CODES_A_DAY = 10_000  # orders a store takes in a day up to which its codes need no look-up


def _pickup_code(store: Store, number: str) -> str:
    """Six digits, not shared with another open order of the store, that nobody can work out from their own.

    The order's place in the store's days — (day mod 90) × 10,000 + its number of the day — is enciphered
    with the app's secret key (a keyed permutation of the 900,000 six-digit codes: a four-round Feistel
    network over 20 bits, walking the cycle back into range), so no two of the store's orders of the last
    90 days share a code and no read is needed. Past 10,000 orders of a store in a day: a random code, checked.
    """
    day, sequence = number.rsplit("-", 2)[1:]
    if int(sequence) >= CODES_A_DAY:
        while True:
            code = f"{secrets.randbelow(900000) + 100000}"
            if by_pickup_code(store, code) is None:
                return code
    place = (date.fromisoformat(f"{day[:4]}-{day[4:6]}-{day[6:]}").toordinal() % CODE_DAYS) * CODES_A_DAY
    return f"{_enciphered(place + int(sequence), store.id) + 100000}"


def _enciphered(value: int, store_id: int) -> int:
    """A keyed permutation of 0 … 899,999 (per store)."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    while True:
        left, right = value >> 10, value & 0x3FF
        for step in range(4):
            mac = hmac.new(key, f"pickup:{store_id}:{step}:{right}".encode(), hashlib.sha256).digest()
            left, right = right, left ^ (int.from_bytes(mac[:2], "big") & 0x3FF)
        value = (left << 10) | right
        if value < 900_000:
            return value

