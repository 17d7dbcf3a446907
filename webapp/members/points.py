"""Points (积分): earned on what a member pays, kept in dated lots, spent nearest expiry first.

The rules, as the member page shows them:

- Earned at the completion of a sale with a member: ``points_per_yuan_earned`` per yuan of the lines
  paid for (after every discount), times the tier's multiplier, rounded down. A promotion may multiply
  the points of the lines it applies to (积分 ×2, the highest on a line); the multipliers **multiply**:
  points = ⌊Σ(line amount × the line's promotion multiplier) × the part not paid with points (to the fen,
  down) × points per yuan × the tier's multiplier⌋ — a gold member (×1.5) buying a ×2 line earns ×3 on
  it. The lines carry their multiplier from pricing (``OrderLine.points_multiplier``). Goods of excluded
  categories earn none; the part of a sale paid with points earns none (points never earn points);
  the part paid with stored value earns them (a top-up itself earns none: the money earns once, when
  it is spent). The growth value grows by the yuan paid (not with points), and drives the tier.
- A lot expires ``points_months`` after it was earned; spending takes the lot that expires first.
- Spent as a tender: ``points_per_yuan_spent`` points pay ¥1 (100 by default, so a point is a fen).
- A refund takes back the points the refunded part earned: of the points the sale earned, the share of
  its earning weight refunded so far (each returned amount × its line's promotion multiplier; excluded
  goods weigh nothing), rounded half up, less what earlier refunds of it took (so all its
  refunds together take back exactly what it earned). They come out of the sale's own lot first, then
  the lots expiring first; points already spent are owed, and the next points earned pay that first.
  Points spent on a refunded sale come back (the payment path refunds the points tender) to the lots
  they were taken from.
"""
import calendar
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.members.cards import card_of, keep, open_tab, settings
from webapp.members.errors import InsufficientPoints, MemberRequired, PointsNotWhole
from webapp.members.models import ZERO, MemberCard, MemberSettings, PointsEntry, PointsKind, PointsLot, Tier
from webapp.sales.models import Order, OrderKind, OrderLine, OrderStatus, PaymentMethod, PaymentStatus
from webapp.sales.providers import PaymentResult

_lots = PointsLot.__table__


# ---------------------------------------------------------------- reading


def balance(customer_id: int, now: datetime | None = None) -> int:
    """Points the member can spend now: their lots not expired, less what they owe."""
    held = db.session.scalar(select(func.coalesce(func.sum(PointsLot.left), 0)).where(
        PointsLot.customer_id == customer_id, PointsLot.left > 0, PointsLot.expires_at > (now or utcnow())))
    owed = db.session.scalar(select(MemberCard.points_owed).where(MemberCard.customer_id == customer_id)) or 0
    return int(held) - owed


def expiring(customer_id: int, now: datetime | None = None) -> list[tuple[datetime, int]]:
    """What expires when: (expiry, points) of the lots with points left, first to expire first."""
    rows = db.session.execute(
        select(PointsLot.expires_at, func.sum(PointsLot.left))
        .where(PointsLot.customer_id == customer_id, PointsLot.left > 0, PointsLot.expires_at > (now or utcnow()))
        .group_by(PointsLot.expires_at).order_by(PointsLot.expires_at))
    return [(at, int(points)) for at, points in rows]


def earned_by(order: Order) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(PointsLot.points), 0))
                             .where(PointsLot.order_id == order.id)) or 0


def ledger(customer_id: int, limit: int = 50) -> list[PointsEntry]:
    return list(db.session.scalars(select(PointsEntry).where(PointsEntry.customer_id == customer_id)
                                   .order_by(PointsEntry.id.desc()).limit(limit)))


def points_for(amount: Decimal) -> int:
    """The points that pay ``amount``; refused when that is not a whole number of points."""
    rate = settings().points_per_yuan_spent
    points = amount * rate
    if points != points.to_integral_value():
        raise PointsNotWhole(amount=amount, rate=rate)
    return int(points)


def value_of(points: int) -> Decimal:
    """What ``points`` pay, in yuan (down to the fen)."""
    return (Decimal(points) / settings().points_per_yuan_spent).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


# ---------------------------------------------------------------- earning and taking back


@dataclass(frozen=True)
class Earning:
    """What a sale earns, worked out once (see the module's rules)."""

    points: int
    base: Decimal  # what was paid that earns: after discounts, without excluded goods or what points paid
    growth: int  # growth value: the whole yuan paid (not with points)
    tier_multiplier: Decimal  # the member's tier's, as it was at the sale


def earning(order: Order, tier: str, chain: MemberSettings, by_points: Decimal) -> Earning:
    """The points and growth ``order`` earns for a member of ``tier`` when ``by_points`` of it was paid with
    points; each line's promotion multiplier is the one it was priced with (no second pricing)."""
    paid = order.total - by_points
    if not order.total:
        return Earning(0, ZERO, int(paid.to_integral_value(ROUND_DOWN)), chain.multiplier(tier))
    excluded = chain.excluded
    lines = [ln for ln in order.lines if ln.sku.product.category_id not in excluded] if excluded else order.lines
    eligible = sum((ln.amount for ln in lines), ZERO)
    weighted = sum((ln.amount * _multiplier(ln) for ln in lines), ZERO)
    base = (eligible * paid / order.total).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    weighted_base = (weighted * paid / order.total).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    multiplier = chain.multiplier(tier)
    points = int((weighted_base * chain.points_per_yuan_earned * multiplier).to_integral_value(ROUND_DOWN))
    return Earning(max(points, 0), base, int(paid.to_integral_value(ROUND_DOWN)), multiplier)


def _multiplier(line: OrderLine) -> Decimal:
    return line.points_multiplier if line.points_multiplier is not None else Decimal(1)


def earn_for_sale(order: Order, card: MemberCard | None = None, by_points: Decimal | None = None) -> int:
    """The points and growth a completed sale with a member earns (see the module's rules); ``by_points``:
    what points paid of it, when the caller knows (else read from its payments). A till sale's earning
    goes on its open tab (``members.till_card``), written with the sale's other card changes."""
    if order.customer_id is None or order.kind != OrderKind.SALE:
        return 0
    if by_points is None:
        by_points = sum((p.amount for p in order.payments
                         if p.method == PaymentMethod.POINTS and p.status == PaymentStatus.SUCCEEDED), ZERO)
    tab = open_tab(order.customer_id)
    if tab is not None:
        return tab.earn(order, by_points)
    chain = settings()
    card = card or db.session.get(MemberCard, order.customer_id) or card_of(order.customer, order.store)
    earned = earning(order, card.tier, chain, by_points)
    points, base = earned.points, earned.base
    card.growth += earned.growth
    card.tier = tier_for(card.growth)
    if points <= 0:
        db.session.flush()
        return 0
    owed = min(card.points_owed, points)
    card.points_owed -= owed
    now = utcnow()
    lot = PointsLot(customer_id=order.customer_id, points=points, left=points - owed, order_id=order.id, base=base,
                    tier_multiplier=earned.tier_multiplier, earned_at=now,
                    expires_at=add_months(now, chain.points_months))
    db.session.add(lot)
    db.session.add(PointsEntry(customer_id=order.customer_id, lot=lot, kind=PointsKind.EARN.value, points=points,
                               reference=f"E-{order.number}", order_id=order.id, created_at=now))
    db.session.flush()
    return points


def take_back_for_return(sale: Order, refund: Order) -> int:
    """Take back the points (and growth) the part of ``sale`` refunded by ``refund`` had earned."""
    if sale.customer_id is None:
        return 0
    card = db.session.get(MemberCard, sale.customer_id)
    if card is None:
        return 0
    earlier = db.session.execute(select(OrderLine.original_line_id, OrderLine.amount).join(
        Order, Order.id == OrderLine.order_id).where(
        Order.original_order_id == sale.id, Order.kind == OrderKind.RETURN.value,
        Order.status == OrderStatus.COMPLETED.value, Order.id != refund.id)).all()
    before = sum((amount for _, amount in earlier), ZERO)
    after = before + refund.total
    card.growth = max(0, card.growth - int(after.to_integral_value(ROUND_DOWN))
                      + int(before.to_integral_value(ROUND_DOWN)))
    card.tier = tier_for(card.growth)
    earned = earned_by(sale)
    if not earned or not sale.total:
        db.session.flush()
        return 0
    weight = _earning_weights(sale)
    whole = sum(weight.values(), ZERO)
    returned = [*earlier, *((ln.original_line_id, ln.amount) for ln in refund.lines)]
    refunded = sum((amount * weight.get(line_id, ZERO) / ln_amount
                    for line_id, amount in returned
                    if (ln_amount := _amount_of(sale, line_id))), ZERO)
    share = min(Decimal(1), refunded / whole) if whole else min(Decimal(1), after / sale.total)
    due = int((earned * share).to_integral_value(ROUND_HALF_UP))
    taken = -(db.session.scalar(select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
        PointsEntry.order_id == sale.id, PointsEntry.kind == PointsKind.TAKE_BACK.value)) or 0)
    points = due - taken
    if points <= 0:
        db.session.flush()
        return 0
    own = db.session.scalars(select(PointsLot.id).where(PointsLot.order_id == sale.id)).all()
    short = _take(card, points, PointsKind.TAKE_BACK, f"B-{refund.number}", order_id=sale.id, first=own,
                  owe=True)
    card.points_owed += short
    if short:
        db.session.add(PointsEntry(customer_id=card.customer_id, kind=PointsKind.TAKE_BACK.value, points=-short,
                                   reference=f"B-{refund.number}", order_id=sale.id))
    db.session.flush()
    return points


def _earning_weights(sale: Order) -> dict[int, Decimal]:
    """Per line of the sale: what it weighed in its earning (amount × promotion multiplier; excluded: 0)."""
    excluded = settings().excluded
    return {ln.id: ZERO if ln.sku.product.category_id in excluded else ln.amount * _multiplier(ln)
            for ln in sale.lines}


def _amount_of(sale: Order, line_id: int | None) -> Decimal:
    return next((ln.amount for ln in sale.lines if ln.id == line_id), ZERO)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later (the month's last day when it has fewer)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def tier_for(growth: int) -> str:
    chain = settings()
    if growth >= chain.gold_growth:
        return Tier.GOLD.value
    if growth >= chain.silver_growth:
        return Tier.SILVER.value
    return Tier.REGULAR.value


def next_tier(card: MemberCard) -> tuple[str, int] | None:
    """The next tier and the growth still needed for it; None at the top."""
    chain = settings()
    for tier, needed in ((Tier.SILVER, chain.silver_growth), (Tier.GOLD, chain.gold_growth)):
        if card.growth < needed:
            return tier.value, needed - card.growth
    return None


def expire(now: datetime | None = None) -> int:
    """Write off the points left in expired lots (a ledger row each); returns the points expired."""
    now = now or utcnow()
    total = 0
    for lot in db.session.scalars(select(PointsLot).where(PointsLot.left > 0, PointsLot.expires_at <= now)
                                  .with_for_update()):
        db.session.add(PointsEntry(customer_id=lot.customer_id, lot_id=lot.id, kind=PointsKind.EXPIRE.value,
                                   points=-lot.left, reference=f"X-{lot.id}", created_at=now))
        total += lot.left
        lot.left = 0
    db.session.flush()
    return total


# ---------------------------------------------------------------- spending (the provider's side)


def spend(customer_id: int, points: int, reference: str, *, order_id: int | None = None) -> None:
    """Spend ``points`` from the lots expiring first; refused, nothing changed, when the member has fewer."""
    card = keep(db.session.scalar(select(MemberCard).where(MemberCard.customer_id == customer_id)
                                  .with_for_update()))
    if card is None:
        raise MemberRequired()
    lots = _lots_of(customer_id)
    have = sum(left for _, left in lots) - card.points_owed
    if have < points:
        raise InsufficientPoints(points=have, wanted=points)
    if _take(card, points, PointsKind.SPEND, reference, order_id=order_id, lots=lots):
        raise InsufficientPoints(points=balance(customer_id), wanted=points)


def give_back(spend_reference: str, points: int, reference: str) -> bool:
    """Give back ``points`` of a spend to the lots it took them from (the last taken first); the same
    ``reference`` again gives nothing more. False: no such spend (it was rolled back)."""
    if db.session.scalar(select(PointsEntry.id).where(PointsEntry.reference == reference).limit(1)):
        return True
    spent = db.session.scalars(select(PointsEntry).where(PointsEntry.reference == spend_reference,
                                                         PointsEntry.kind == PointsKind.SPEND.value)
                               .order_by(PointsEntry.id.desc())).all()
    if not spent:
        return False
    back = dict(db.session.execute(select(PointsEntry.lot_id, func.sum(PointsEntry.points)).where(
        PointsEntry.undoes == spend_reference).group_by(PointsEntry.lot_id)).all())
    left = points
    for entry in spent:
        room = -entry.points - int(back.get(entry.lot_id, 0))
        part = min(room, left)
        if part <= 0:
            continue
        db.session.execute(update(_lots).where(_lots.c.id == entry.lot_id).values(left=_lots.c.left + part))
        db.session.add(PointsEntry(customer_id=entry.customer_id, lot_id=entry.lot_id, kind=PointsKind.GIVE_BACK.value,
                                   points=part, reference=reference[:64], undoes=spend_reference,
                                   order_id=entry.order_id))
        left -= part
    if left:
        raise InsufficientPoints(points=points - left, wanted=points)
    db.session.flush()
    return True


def _lots_of(customer_id: int) -> list:
    """(id, left) of the member's lots with points left, not expired, first to expire first (row-locked)."""
    return db.session.execute(
        select(PointsLot.id, PointsLot.left).where(PointsLot.customer_id == customer_id, PointsLot.left > 0,
                                                   PointsLot.expires_at > utcnow())
        .order_by(PointsLot.expires_at, PointsLot.id).with_for_update()).all()


def _take(card: MemberCard, points: int, kind: PointsKind, reference: str, *, order_id=None, first=(),
          owe=False, lots=None) -> int:
    """Take ``points`` from the member's lots (``first`` ones first, then those expiring first), each with a
    guarded UPDATE and a ledger row; returns what could not be taken."""
    lots = list(_lots_of(card.customer_id) if lots is None else lots)
    lots.sort(key=lambda lot: lot.id not in first)
    left = points
    for lot_id, lot_left in lots:
        if not left:
            break
        part = min(lot_left, left)
        done = db.session.execute(update(_lots).where(_lots.c.id == lot_id, _lots.c.left >= part)
                                  .values(left=_lots.c.left - part))
        if done.rowcount != 1:
            continue
        db.session.add(PointsEntry(customer_id=card.customer_id, lot_id=lot_id, kind=kind.value, points=-part,
                                   reference=reference[:64], order_id=order_id))
        left -= part
    db.session.flush()
    return left


class PointsProvider:
    """Points behind the providers' interface: ``auth_code`` is the member's customer id, the amount in yuan
    is turned into points at the chain's rate; the transaction id is our own reference."""

    def __init__(self, method: str) -> None:
        self.method = method

    def charge(self, amount: Decimal, auth_code: str, reference: str) -> PaymentResult:
        try:  # refused before anything is written: no savepoint needed
            with db.session.no_autoflush:
                tab = open_tab(int(auth_code))
                if tab is not None:  # a till sale's: taken on its tab, written once with the sale
                    tab.spend(points_for(amount), reference)
                else:
                    spend(int(auth_code), points_for(amount), reference)
        except (InsufficientPoints, PointsNotWhole, MemberRequired, ValueError) as refused:
            return PaymentResult(PaymentStatus.DECLINED, message=str(refused)[:200])
        return PaymentResult(PaymentStatus.SUCCEEDED, reference, _("Points: paid"))

    def refund(self, transaction_id: str, amount: Decimal, reference: str) -> PaymentResult:
        try:
            with db.session.no_autoflush, db.session.begin_nested():
                give_back(transaction_id, points_for(amount), reference)
        except (InsufficientPoints, PointsNotWhole) as refused:
            return PaymentResult(PaymentStatus.DECLINED, message=str(refused)[:200])
        return PaymentResult(PaymentStatus.SUCCEEDED, reference, _("Points: given back"))

    def query(self, reference: str) -> PaymentResult:
        found = db.session.scalar(select(PointsEntry.id).where(PointsEntry.reference == reference).limit(1))
        if found is None:
            return PaymentResult(PaymentStatus.DECLINED, message=_("Points: no such payment"))
        return PaymentResult(PaymentStatus.SUCCEEDED, reference, _("Points: paid"))

