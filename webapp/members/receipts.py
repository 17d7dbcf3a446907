"""What a receipt says about the member: the points the order earned or took back, the bonus a top-up
got, and the member's points and stored value after it."""
from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.members import points
from webapp.members.models import MemberCard, PointsEntry, PointsKind, StoredValueEntry, ValueKind
from webapp.members.queries import masked
from webapp.numbers import FEN
from webapp.sales.models import Order, OrderKind


def receipt_lines(order: Order) -> list[str]:
    customer = order.customer
    card = db.session.get(MemberCard, order.customer_id)
    if customer is None or card is None:
        return []
    lines = [_("Member: %(name)s (%(tier)s)", name=customer.display_name or masked(customer.phone),
               tier=_tier_label(card.tier))]
    if order.kind == OrderKind.SALE:
        lines.append(_("Points earned: %(points)s", points=points.earned_by(order)))
    elif order.kind == OrderKind.RETURN:
        taken = db.session.scalar(select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
            PointsEntry.reference == f"B-{order.number}", PointsEntry.kind == PointsKind.TAKE_BACK.value)) or 0
        lines.append(_("Points taken back: %(points)s", points=-taken))
    elif order.kind == OrderKind.TOPUP and order.original_order_id is None:
        bonus = db.session.scalar(select(StoredValueEntry.bonus).where(
            StoredValueEntry.order_id == order.id, StoredValueEntry.kind == ValueKind.TOP_UP.value))
        if bonus:
            lines.append(_("Bonus: %(bonus)s", bonus=_yuan(bonus)))
    lines.append(_("Points: %(points)s", points=points.balance(order.customer_id)))
    lines.append(_("Stored value: %(balance)s", balance=_yuan(card.balance)))
    return lines


def _yuan(amount) -> str:
    return f"¥{amount.quantize(FEN)}"


def _tier_label(tier: str) -> str:
    from webapp.members.models import Tier

    return Tier(tier).label
