"""Ringing up a sale: open it, add and change lines, suspend, resume, void.

Every change reprices the whole order through the one pricing seam
(``webapp.promotions.services.price_cart``), then spreads the order discount
over the lines so that the line amounts add up to the total to the fen.
"""
from decimal import Decimal

from flask_babel import format_date
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from webapp.auth.models import User
from webapp.catalog.models import SKU, Tracking
from webapp.clock import local_time
from webapp.errors import InvalidQuantity
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.promotions.services import Channel, price_order
from webapp.sales.allocation import allocate
from webapp.sales.errors import (
    LinesPaidFor,
    OrderNotOpen,
    OrderNotSuspended,
    PaymentTaken,
    SerialAlreadyInSale,
    SerialNotHere,
    SerialRequired,
    SerialSold,
    ShiftClosed,
    UnknownSerial,
    WholeUnitsOnly,
    WrongTill,
)
from webapp.sales.models import ZERO, Order, OrderKind, OrderLine, OrderStatus, PaymentStatus
from webapp.sales.numbering import next_order_number
from webapp.stock import queries as stock_queries
from webapp.stock.models import Lot, StockLevel
from webapp.stores.models import Store


def open_sale(store: Store, register=None, shift=None, cashier: User | None = None, *,
              channel: Channel = Channel.POS, flush: bool = True, number: str | None = None) -> Order:
    """A new, empty sale with its number (``number``: one taken already); a till sale belongs to a register's
    open shift.

    ``flush=False``: the order goes in with the caller's next flush (with its lines: one round trip).
    """
    check_till(store, register, shift)
    order = Order(number=number or next_order_number(store), channel=Channel(channel).value, kind=OrderKind.SALE.value,
                  status=OrderStatus.OPEN.value, store=store, register_id=register.id if register else None,
                  shift_id=shift.id if shift else None, cashier_id=cashier.id if cashier else None)
    db.session.add(order)
    if flush:
        db.session.flush()
        for empty in ("lines", "payments"):  # a new sale has none: no query to find out
            set_committed_value(order, empty, [])
    return order


def add_item(order: Order, sku: SKU, qty=1, *, serial: str | None = None) -> OrderLine:
    """Add a scanned item: the same SKU again adds to its line; weighed goods and serials get their own.

    A missing serial number (``SerialRequired``: the till asks for it) is refused before anything changes.
    """
    require_changeable(order)
    qty = _valid_quantity(sku, qty)
    lot = _lot_for(order, sku, qty, serial)
    line = None
    if not sku.product.weighed and sku.product.tracking != Tracking.SERIAL:
        line = next((ln for ln in order.lines if ln.sku_id == sku.id and ln.lot_id == (lot and lot.id)), None)
    with db.session.no_autoflush:  # the line goes in priced, with the order's totals: one flush (reprice's)
        if line is None:
            line = OrderLine(sku=sku, quantity=qty, lot=lot, serial=lot.code if lot else None, unit_price=ZERO,
                             unit_cost=sku.cost,  # the completion writes it again only if the cost changed since
                             regular_price=ZERO, priced_amount=ZERO, line_discount=ZERO,
                             order_discount_share=ZERO, amount=ZERO)
            order.lines.append(line)
        else:
            _keep_priced_quantity(line)
            line.quantity += qty
        reprice(order)
    return line


def set_quantity(order: Order, line: OrderLine, qty) -> OrderLine:
    require_changeable(order)
    check_line(order, line)
    qty = _valid_quantity(line.sku, qty)
    if line.sku.product.tracking == Tracking.SERIAL and qty != 1:
        raise WholeUnitsOnly(name=line.sku.display_name, quantity=qty)
    _keep_priced_quantity(line)
    line.quantity = qty
    reprice(order)
    return line


def remove_line(order: Order, line: OrderLine) -> None:
    require_changeable(order)
    check_line(order, line)
    order.lines.remove(line)
    reprice(order)


def suspend(order: Order) -> None:
    require_open(order)
    order.status = OrderStatus.SUSPENDED.value
    db.session.flush()


def resume(order: Order, *, register=None, shift=None) -> None:
    """Back to the till; given a shift, the sale moves to it (its own shift may have closed)."""
    if order.status != OrderStatus.SUSPENDED:
        raise OrderNotSuspended(number=order.number)
    if shift is not None:
        check_till(order.store, register, shift)
        order.register, order.shift = register, shift
    elif order.shift is not None and not order.shift.is_open:
        raise ShiftClosed()
    order.status = OrderStatus.OPEN.value
    db.session.flush()


def name_member(order: Order, customer: User | None) -> None:
    """The member buying this sale (None: nobody): their prices, promotions and budgets apply from now on."""
    require_changeable(order)
    order.customer = customer
    order.customer_id = customer.id if customer is not None else None
    reprice(order)


def void(order: Order) -> None:
    """Cancel a sale before payment."""
    if order.status not in (OrderStatus.OPEN, OrderStatus.SUSPENDED):
        raise OrderNotOpen(number=order.number)
    if any(p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PENDING) for p in order.payments):
        raise PaymentTaken(number=order.number)
    order.status = OrderStatus.VOIDED.value
    db.session.flush()


# ---------------------------------------------------------------- shared rules


def check_till(store: Store, register, shift) -> None:
    """The register is the store's, the shift the register's, and still open."""
    if register is not None and register.store_id != store.id:
        raise WrongTill()
    if shift is not None:
        if register is None or shift.register_id != register.id:
            raise WrongTill()
        if not shift.is_open:
            raise ShiftClosed()


def require_changeable(order: Order) -> None:
    """Open, and nothing paid or waiting to be confirmed: what is paid for stays as it was."""
    require_open(order)
    if any(p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PENDING) for p in order.payments):
        raise LinesPaidFor(number=order.number)


def require_open(order: Order) -> None:
    if order.status != OrderStatus.OPEN:
        raise OrderNotOpen(number=order.number)
    if order.shift is not None and not order.shift.is_open:
        raise ShiftClosed()


def reprice(order: Order, member=None, *, priced=None) -> None:
    """Prices from the seam (for a ``member``: their prices), discounts kept within the amounts, the
    order discount spread exactly. ``priced``: the lines already priced by the seam for this store
    and member (the shop's checkout page), used when nothing about the order could change them."""
    lines = order.lines
    if member is None and order.customer_id is not None and order.channel == Channel.POS:
        member = order.customer  # the member named at the till pays member prices
    cart = price_order(order, member=member, priced=priced)  # promotions included, allocation stored
    for line, priced in zip(lines, cart.lines, strict=True):
        line.unit_price, line.regular_price, line.priced_amount = (
            priced.unit_price, priced.regular_price, priced.amount)
        line.line_discount = min(line.line_discount, priced.amount)
        if not line.line_discount:
            line.discount_approved_by_id = None
    nets = [ln.priced_amount - ln.line_discount for ln in lines]
    order.order_discount = min(order.order_discount or ZERO, sum(nets, ZERO))
    if not order.order_discount:
        order.order_discount_approved_by_id = None
    for line, net, share in zip(lines, nets, allocate(order.order_discount, nets), strict=True):
        line.order_discount_share, line.amount = share, net - share
    order.subtotal = sum((ln.priced_amount for ln in lines), ZERO)
    order.discount = sum((ln.line_discount for ln in lines), ZERO) + order.order_discount
    order.total = sum((ln.amount for ln in lines), ZERO)
    db.session.flush()


# ---------------------------------------------------------------- helpers


def _keep_priced_quantity(line: OrderLine) -> None:
    """Before a line's quantity changes: the quantity its stored amounts were priced at (what tells
    ``promotions.services.record`` whether it holds promotion rows to replace)."""
    if line.priced_quantity is None:
        line.priced_quantity = line.quantity


def _valid_quantity(sku: SKU, qty) -> Decimal:
    qty = quantity(qty)
    if qty <= 0:
        raise InvalidQuantity(quantity=qty)
    if not sku.product.weighed and qty != qty.to_integral_value():
        raise WholeUnitsOnly(name=sku.display_name, quantity=qty)
    return qty


def _lot_for(order: Order, sku: SKU, qty: Decimal, serial: str | None) -> Lot | None:
    """The serial number (or lot code) scanned with the item, if the SKU is tracked."""
    tracking = sku.product.tracking
    code = (serial or "").strip()
    if tracking == Tracking.NONE or (tracking == Tracking.LOT and not code):
        return None
    if not code:
        raise SerialRequired(name=sku.display_name)
    if tracking == Tracking.SERIAL and qty != 1:
        raise WholeUnitsOnly(name=sku.display_name, quantity=qty)
    lot = db.session.scalar(select(Lot).where(Lot.sku_id == sku.id, Lot.code == code))
    if lot is None:
        raise UnknownSerial(serial=code, name=sku.display_name)
    if tracking == Tracking.SERIAL and any(ln.lot_id == lot.id for ln in order.lines):
        raise SerialAlreadyInSale(serial=code)
    if tracking == Tracking.SERIAL and order.kind == OrderKind.SALE:
        _check_serial_on_shelf(order.store, lot)
    return lot


def _check_serial_on_shelf(store: Store, lot: Lot) -> None:
    """A serial number is one item: refused at the scan when it is not on this store's shelf, saying
    where it went (sold on a date with a receipt number), never later at payment."""
    shelf = stock_queries.shelf_of(store)
    on_hand = db.session.scalar(select(StockLevel.on_hand).where(
        StockLevel.location_id == shelf.id, StockLevel.sku_id == lot.sku_id, StockLevel.lot_id == lot.id)) \
        if shelf is not None else None
    if on_hand is not None and on_hand > 0:
        return
    sold = db.session.execute(
        select(Order.number, Order.completed_at).join(OrderLine, OrderLine.order_id == Order.id)
        .where(OrderLine.lot_id == lot.id, Order.kind == OrderKind.SALE.value,
               Order.status == OrderStatus.COMPLETED.value)
        .order_by(Order.completed_at.desc()).limit(1)).first()
    if sold is not None:
        raise SerialSold(serial=lot.code, number=sold.number, day=format_date(local_time(sold.completed_at)))
    raise SerialNotHere(serial=lot.code, store=store.name)


def check_line(order: Order, line: OrderLine) -> None:
    if line not in order.lines:
        raise ValueError(f"line {line.id} is not on order {order.number}")
