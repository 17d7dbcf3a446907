"""What a receipt says about the member: the points the order earned or took back, the bonus a top-up
got, and the member's points and stored value after it."""
from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.i18n import format_names
from webapp.members import points
from webapp.members.models import MemberCard, PointsEntry, PointsKind, PointsLot, StoredValueEntry, ValueKind
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
        lines.append(_earned_line(order))
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


def _earned_line(order: Order) -> str:
    """The points the sale earned, with what multiplied them: the tier's and the promotions' (multiplied)."""
    earned, tier_multiplier = db.session.execute(
        select(func.coalesce(func.sum(PointsLot.points), 0), func.max(PointsLot.tier_multiplier))
        .where(PointsLot.order_id == order.id)).one()
    parts = []
    if tier_multiplier is not None and tier_multiplier != 1:
        parts.append(_("tier ×%(multiplier)s", multiplier=_times(tier_multiplier)))
    for multiplier in sorted({ln.points_multiplier for ln in order.lines if ln.points_multiplier
                              and ln.points_multiplier != 1}):
        parts.append(_("×%(multiplier)s on promoted items", multiplier=_times(multiplier)))
    if not parts or not earned:
        return _("Points earned: %(points)s", points=earned)
    return _("Points earned: %(points)s (%(multipliers)s)", points=earned, multipliers=format_names(parts))


def _times(multiplier) -> str:
    return f"{multiplier.normalize():f}"


def _yuan(amount) -> str:
    return f"¥{amount.quantize(FEN)}"


def _tier_label(tier: str) -> str:
    from webapp.members.models import Tier

    return Tier(tier).label
