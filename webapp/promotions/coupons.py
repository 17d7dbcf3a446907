"""Coupons: codes of a promotion that needs one, held by an order, redeemed when it is paid, given back
by a full refund.

A code's state on an order is one ``CouponUse`` row, unique per (code, order): entering the same code
again on the same order (a retried request, a second scan) changes nothing, so a code is never used twice
by one order. A single-use code held or redeemed by one order is refused on any other.
"""
import re
import secrets

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


def issue(promotion: Promotion, count, *, uses=1, prefix: str = "") -> list[Coupon]:
    """Make ``count`` new random codes for the promotion, each usable ``uses`` times."""
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
    return _add(promotion, sorted(codes), uses)


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


def _add(promotion: Promotion, codes: list[str], uses: int) -> list[Coupon]:
    made = [Coupon(code=code, promotion=promotion, uses=uses) for code in codes]
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


def qr_svg(code: str) -> str:
    """The code as a QR (SVG markup), for the screen and for printing."""
    import segno

    return segno.make(code, error="m").svg_inline(scale=4)
