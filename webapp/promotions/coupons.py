"""Coupons: codes of a promotion that needs one, held by an order, redeemed when it is paid, given back
by a full refund.

A code given to a member (a message's coupon, a referral reward) is theirs (``Coupon.customer_id``): the
till lists the named member's usable codes and the shop's cart the signed-in member's, each applied in one
tap through the same path as a scanned or typed code. The code stays a bearer code: whoever shows it may
use it, as on paper.

A code's state on an order is one ``CouponUse`` row, unique per (code, order): entering the same code
again on the same order (a retried request, a second scan) changes nothing, so a code is never used twice
by one order. A single-use code held or redeemed by one order is refused on any other.
"""
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select, update

from webapp.extensions import db
from webapp.promotions import errors, rules
from webapp.promotions.models import Coupon, CouponState, CouponUse, Promotion, Status
from webapp.sales.models import Order, OrderStatus

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed without mistakes
CODE = re.compile(r"^[A-Z0-9]{4,32}$")
MOST_AT_ONCE = 5000


def normal(code: str) -> str:
    return (code or "").replace("\x00", "").strip().upper()[:40]


def issue(promotion: Promotion, count, *, uses=1, prefix: str = "", owners: list[int] | None = None) -> list[Coupon]:
    """Make ``count`` new random codes for the promotion, each usable ``uses`` times; ``owners``: the members
    (ids, one per code, in the order of the codes returned) they are given to."""
    try:
        count, uses = int(count), int(uses)
    except (TypeError, ValueError):
        raise errors.CouponCountInvalid(limit=MOST_AT_ONCE, count=str(count)[:10]) from None
    if not 1 <= count <= MOST_AT_ONCE:
        raise errors.CouponCountInvalid(limit=MOST_AT_ONCE, count=count)
    if not 1 <= uses <= 1_000_000:
        raise errors.BudgetInvalid(value=uses)
    prefix = normal(prefix)[:8]
    if prefix and not CODE.match(prefix + "0000"):
        raise errors.CouponCodeInvalid(code=prefix)
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {prefix + "".join(secrets.choice(ALPHABET) for _ in range(10)) for _ in range(count - len(codes))}
        taken = set(db.session.scalars(select(Coupon.code).where(Coupon.code.in_(wanted))))
        codes |= wanted - taken
    return _add(promotion, sorted(codes), uses, owners)


def add_codes(promotion: Promotion, codes: list[str], *, uses=1) -> list[Coupon]:
    """Add codes of the merchant's own (printed elsewhere); one already used in any campaign is refused."""
    wanted = []
    for code in (normal(c) for c in codes):
        if not code:
            continue
        if not CODE.match(code):
            raise errors.CouponCodeInvalid(code=code[:32])
        if code in wanted:
            raise errors.DuplicateCouponCode(code=code)
        wanted.append(code)
    if not wanted:
        raise errors.CouponCountInvalid(limit=MOST_AT_ONCE, count=0)
    taken = db.session.scalar(select(Coupon.code).where(Coupon.code.in_(wanted)).limit(1))
    if taken:
        raise errors.DuplicateCouponCode(code=taken)
    return _add(promotion, wanted, int(uses))


def _add(promotion: Promotion, codes: list[str], uses: int, owners: list[int] | None = None) -> list[Coupon]:
    if owners is not None and len(owners) != len(codes):
        raise ValueError("one owner per code")
    made = [Coupon(code=code, promotion=promotion, uses=uses, customer_id=owners[i] if owners else None)
            for i, code in enumerate(codes)]
    db.session.add_all(made)
    if not promotion.needs_coupon:
        promotion.needs_coupon = True
    db.session.flush()
    rules.forget()
    return made


def typed_promotions(code: str) -> frozenset:
    """The promotion of a code kept in a cart, to price the cart with (the engine applies it or not)."""
    code = normal(code)
    if not code:
        return frozenset()
    found = db.session.scalar(select(Coupon.promotion_id).where(Coupon.code == code))
    return frozenset({found}) if found is not None else frozenset()


def check_typed(code: str, store, lines, *, member=None, customer_id: int | None = None) -> Coupon:
    """A code a customer types in the shop's cart, checked against that cart at its store: refused, with the
    reason, when unknown, expired or withdrawn, not started, used up, not for this store or not online, or
    when it gives nothing on the cart (its minimum spend, what it applies to)."""
    from webapp.clock import utcnow
    from webapp.promotions.services import Channel, price_cart

    code = normal(code)
    coupon = db.session.scalar(select(Coupon).where(Coupon.code == code)) if CODE.match(code) else None
    if coupon is None:
        raise errors.UnknownCoupon(code=code[:32] or "—")
    promotion, now = coupon.promotion, utcnow()
    if promotion.status != Status.ACTIVE or (promotion.ends_at is not None and now >= promotion.ends_at):
        raise errors.CouponExpired(code=code)
    if promotion.starts_at is not None and now < promotion.starts_at:
        from webapp.promotions.forms import local

        raise errors.CouponNotYet(code=code, starts=local(promotion.starts_at))
    if uses_taken(coupon) >= coupon.uses:
        raise errors.CouponUsedUp(code=code)
    if promotion.store_ids and store.id not in promotion.store_ids:
        raise errors.CouponNotAtStore(code=code, store=store.name)
    if promotion.channels and Channel.SHOP.value not in promotion.channels:
        raise errors.CouponNotOnline(code=code)
    priced = price_cart(store, Channel.SHOP, lines, member=member, customer_id=customer_id,
                        coupons=frozenset({promotion.id}))
    if not any(applied.id == promotion.id for applied in priced.promotions):
        raise errors.CouponGivesNothing(code=code)
    return coupon


def hold(order: Order, code: str, *, customer_id: int | None = None, member=None) -> CouponUse:
    """The order takes the code: it is re-priced with the coupon's promotion. Refused when the code is
    unknown, used up, or gives nothing on this order (dates, stores, minimum spend)."""
    from webapp.sales.cart import reprice, require_changeable

    require_changeable(order)
    code = normal(code)
    coupon = db.session.scalar(select(Coupon).where(Coupon.code == code)) if code else None
    if coupon is None:
        raise errors.UnknownCoupon(code=code[:32] or "—")
    use = db.session.scalar(select(CouponUse).where(CouponUse.coupon_id == coupon.id,
                                                    CouponUse.order_id == order.id))
    if use is not None and use.state != CouponState.RETURNED:
        return use  # the same code again on the same order: nothing changes
    if coupon.promotion.status != Status.ACTIVE:
        raise errors.CouponNotValid(code=code)
    if uses_taken(coupon) >= coupon.uses:
        raise errors.CouponUsedUp(code=code)
    try:
        with db.session.begin_nested():
            if use is None:
                use = CouponUse(coupon=coupon, order_id=order.id, customer_id=customer_id)
                db.session.add(use)
            use.state = CouponState.HELD.value
            db.session.flush()
            reprice(order, member=member)
            if not any(coupon.promotion_id in line.savings for line in order.pricing.lines):
                raise errors.CouponNotValid(code=code)
    except errors.CouponNotValid:
        reprice(order, member=member)  # as it was before the code
        raise
    return use


def uses_taken(coupon: Coupon) -> int:
    """Orders holding or having redeemed the code (voided orders give it back)."""
    return db.session.scalar(
        select(func.count(CouponUse.id)).join(Order, Order.id == CouponUse.order_id)
        .where(CouponUse.coupon_id == coupon.id, CouponUse.state != CouponState.RETURNED.value,
               Order.status != OrderStatus.VOIDED.value)) or 0


def redeem_held(order: Order) -> None:
    """The order is paid: the codes it holds are redeemed (once; a repeat finds them redeemed)."""
    db.session.execute(update(CouponUse).where(CouponUse.order_id == order.id,
                                               CouponUse.state == CouponState.HELD.value)
                       .values(state=CouponState.REDEEMED.value))


def holds_any(order_id):
    """SQL asking whether the order (an id or an orders.id column) holds a code, for another statement to
    answer with it (the till's completion asks in its claim)."""
    return exists().where(CouponUse.order_id == order_id, CouponUse.state == CouponState.HELD.value)


def give_back(order: Order) -> None:
    """A full refund of the order: its redeemed codes may be used again (once per refund)."""
    for use in db.session.scalars(select(CouponUse).where(CouponUse.order_id == order.id,
                                                          CouponUse.state == CouponState.REDEEMED.value)):
        use.state = CouponState.RETURNED.value
    db.session.flush()


def give_back_all(order: Order) -> None:
    """An order cancelled or expired before it was collected: the codes it held or redeemed are free again."""
    for use in db.session.scalars(select(CouponUse).where(CouponUse.order_id == order.id,
                                                          CouponUse.state != CouponState.RETURNED.value)):
        use.state = CouponState.RETURNED.value
    db.session.flush()


def state_on(order: Order) -> list[tuple[str, str]]:
    """(code, state) of the codes an order has held."""
    return list(db.session.execute(
        select(Coupon.code, CouponUse.state).join(CouponUse, CouponUse.coupon_id == Coupon.id)
        .where(CouponUse.order_id == order.id).order_by(CouponUse.id)).all())


@dataclass(frozen=True)
class Offer:
    """A member's own code as the till and the cart offer it."""

    code: str
    name: str  # the promotion's
    ends_at: datetime | None
    applied: bool  # the order (or cart) being looked at holds it already


def usable_by(customer_id: int | None, store, channel: str, *, tier: str | None = None,
              order_id: int | None = None, held_code: str = "", at: datetime | None = None) -> list[Offer]:
    """The member's own codes they can use now at this store and channel: the promotion running (dates,
    weekdays, hours, stores, channels, tier), and uses left (held or redeemed by other orders count; the
    order ``order_id`` or the cart holding ``held_code`` shows it as applied). Whether it gives anything on
    the basket (a minimum spend) is the engine's, asked when tapped. No query when no coupon runs."""
    from webapp.clock import utcnow
    from webapp.promotions.engine import Context, Customer
    from webapp.promotions.services import local_moment

    if customer_id is None:
        return []
    running = {rule.id: rule for rule in rules.active_book().rules if rule.needs_coupon}
    if not running:
        return []
    owned = db.session.scalars(select(Coupon).where(Coupon.customer_id == customer_id,
                                                    Coupon.promotion_id.in_(sorted(running)))
                               .order_by(Coupon.id)).all()
    if not owned:
        return []
    taken: dict[int, int] = {}
    here: set[int] = set()
    for coupon_id, on_order in db.session.execute(
            select(CouponUse.coupon_id, CouponUse.order_id).join(Order, Order.id == CouponUse.order_id)
            .where(CouponUse.coupon_id.in_([c.id for c in owned]), CouponUse.state != CouponState.RETURNED.value,
                   Order.status != OrderStatus.VOIDED.value)):
        if order_id is not None and on_order == order_id:
            here.add(coupon_id)
        else:
            taken[coupon_id] = taken.get(coupon_id, 0) + 1
    if tier is None and any(running[c.promotion_id].member_tiers for c in owned):
        from webapp.members.models import MemberCard  # members sits beside promotions: named only when needed

        tier = db.session.scalar(select(MemberCard.tier).where(MemberCard.customer_id == customer_id))
    now = at or utcnow()
    offers = []
    for coupon in owned:
        rule = running[coupon.promotion_id]
        context = Context(store_id=store.id, channel=str(channel), at=now, local=local_moment(now),
                          customer=Customer(customer_id, True, tier), coupons=frozenset({rule.id}))
        applied = coupon.id in here or (bool(held_code) and normal(held_code) == coupon.code)
        if rule.live(context) and (applied or taken.get(coupon.id, 0) < coupon.uses):
            offers.append(Offer(coupon.code, rule.name, rule.ends_at, applied))
    return offers


def owned_by(customer_id: int) -> list[tuple[Coupon, str]]:
    """Every code given to the member, newest first, with its state: usable, held (on an unpaid order),
    redeemed, or ended (the promotion stopped or past its end)."""
    from webapp.clock import utcnow

    owned = db.session.scalars(select(Coupon).where(Coupon.customer_id == customer_id)
                               .order_by(Coupon.id.desc()).limit(50)).all()
    states = dict(db.session.execute(
        select(CouponUse.coupon_id, CouponUse.state).where(
            CouponUse.coupon_id.in_([c.id for c in owned]), CouponUse.state != CouponState.RETURNED.value)).all())
    now, found = utcnow(), []
    for coupon in owned:
        promotion = coupon.promotion
        ended = promotion.status != Status.ACTIVE or (promotion.ends_at is not None and now >= promotion.ends_at)
        state = states.get(coupon.id) or ("ended" if ended else "usable")
        found.append((coupon, state))
    return found


def qr_svg(code: str) -> str:
    """The code as a QR (SVG markup), for the screen and for printing."""
    import segno

    return segno.make(code, error="m").svg_inline(scale=4)
