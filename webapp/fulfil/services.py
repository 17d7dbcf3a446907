"""Fulfilment rules above the online-order transitions: an item the store cannot find.

``mark_unavailable`` drops one line of an order being picked: its reservation
goes back on sale through the ledger, the order's totals lose exactly the
line's amount (discount shares included, so nothing else is repriced), a paid
order gets that amount back through the payment provider, the customer is
told, and a ``Shortage`` keeps the record. All or nothing, in the caller's
transaction; never commits.
"""
from decimal import Decimal

from webapp.auth.models import User
from webapp.extensions import db
from webapp.fulfil.errors import LastItem, LineGone, NotPicking, PaymentUnconfirmed
from webapp.fulfil.models import Shortage
from webapp.i18n import format_money
from webapp.sales.models import ZERO, OrderLine, PaymentStatus
from webapp.sales.notify import notify
from webapp.sales.online import services as online
from webapp.sales.online.models import STATUS_LABELS, NotificationKind, OnlineOrder, OnlineStatus
from webapp.stock import services as stock


def mark_unavailable(found: OnlineOrder, line_id: int, user: User,
                     allowed: tuple[OnlineStatus, ...] = (OnlineStatus.PICKING,)) -> Shortage:
    """``allowed``: the statuses it may happen in (picking; any held status for a line sold at the till)."""
    order = found.order
    if found.status not in allowed:
        raise NotPicking(number=order.number, status=STATUS_LABELS[found.status])
    line = next((ln for ln in order.lines if ln.id == line_id), None)
    if line is None:
        raise LineGone(number=order.number)
    if len(order.lines) == 1:
        raise LastItem(name=line.sku.display_name, number=order.number)
    if any(p.status == PaymentStatus.PENDING for p in order.payments):
        raise PaymentUnconfirmed(number=order.number)
    with db.session.begin_nested():
        _release(found, line)
        amount = line.amount
        refunds = online.refund_part(found, amount, f"S{line.id}") if found.is_paid and amount > 0 else []
        shortage = Shortage(online_order=found, line_id=line.id, sku_id=line.sku_id, quantity=line.quantity, amount=amount,
                            refunded=-sum((r.amount for r in refunds), ZERO), user_id=user.id if user else None)
        db.session.add(shortage)
        item = f"{line.sku.display_name} × {line.quantity.normalize():f}"
        _drop(line)
        notify(found, NotificationKind.ITEM_UNAVAILABLE, item=item, amount=format_money(amount))
        db.session.flush()
    return shortage


def shortages(found: OnlineOrder) -> list[Shortage]:
    return list(db.session.scalars(db.select(Shortage).where(Shortage.online_order_id == found.id)
                                   .order_by(Shortage.id)))


def _release(found: OnlineOrder, line: OrderLine) -> None:
    """Exactly the line's quantity of its SKU goes back on sale (the newest holds first)."""
    left = line.quantity
    for reservation in reversed(online.reservations(found)):
        if left <= 0:
            break
        if reservation.level.sku_id == line.sku_id and reservation.quantity <= left:
            stock.release(reservation)
            left -= reservation.quantity
    if left != Decimal(0):
        raise LineGone(number=found.order.number)


def _drop(line: OrderLine) -> None:
    """The line leaves the order and its totals, to the fen."""
    order = line.order
    order.subtotal -= line.priced_amount
    order.discount -= line.line_discount + line.order_discount_share
    order.order_discount -= line.order_discount_share
    order.total -= line.amount
    order.lines.remove(line)
    db.session.flush()
