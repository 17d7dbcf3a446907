"""Referral (老带新): a member shares their link; a friend who signs up by it is recorded as referred; when
the friend's first order has completed and is past the return window (a chain setting, 7 days by default),
both get the reward coupon (¥10 each by default) — ``flask outreach referrals`` (daily) settles them.

Refused: one's own link (the same account or the same mobile number), an unknown code, a friend who had
bought before, and at reward time a first order placed with the referrer's phone number, or **paid by a
wallet account that paid for the referrer** (the same person ordering for themselves under a second number):
the friend's first order has a succeeded WeChat Pay / Alipay payment whose payer (the openid or buyer id the
provider reported, ``Payment.payer_account``) also made a succeeded payment on any order of the referrer's —
a purchase or a top-up, at the till or online, before or after. A first order given back in full earns
nothing. The referrer reads why on their invites list.
"""
import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from webapp.auth.models import Role, User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.outreach import settings as chain
from webapp.outreach.errors import NotANewCustomer, SelfReferral, UnknownReferralCode
from webapp.outreach.messages import queue
from webapp.outreach.models import MemberCoupon, MessageKind, Referral, ReferralState
from webapp.promotions.coupons import ALPHABET
from webapp.promotions.models import Coupon, CouponState, CouponUse
from webapp.sales.models import Order, OrderKind, OrderStatus, Payment, PaymentStatus
from webapp.sales.online.models import OnlineOrder
from webapp.web import LARGEST_ID

SIGNATURE = 5
SAME_PHONE = "first order placed with the referrer's phone"
SAME_PAYER = "first order paid by an account that paid for the referrer"


def code_of(member: User) -> str:
    """The member's invitation code: their id in letters and digits, and a signature (no row needed, and
    nobody can guess another member's code)."""
    return _encode(member.id) + _signature(member.id)


def _encode(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, len(ALPHABET))
        digits = ALPHABET[rest] + digits
        if not number:
            return digits


def _signature(number: int) -> str:
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"invite:{number}".encode(), hashlib.sha256).digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:SIGNATURE])


def referrer_of_code(code: str) -> User:
    code = (code or "").replace("\x00", "").strip().upper()[:16]
    owner = None
    if len(code) > SIGNATURE and all(c in ALPHABET for c in code):
        number = 0
        for c in code[:-SIGNATURE]:
            number = number * len(ALPHABET) + ALPHABET.index(c)
        if number <= LARGEST_ID and hmac.compare_digest(code[-SIGNATURE:], _signature(number)):
            owner = db.session.get(User, number)
    if owner is None or not owner.active or owner.role != Role.CUSTOMER:
        raise UnknownReferralCode(code=code or "—")
    return owner


def check_invitee(referrer: User, friend: User | None) -> None:
    """Refuse one's own invitation (the same account or number)."""
    if friend is not None and (friend.id == referrer.id or (friend.phone and friend.phone == referrer.phone)):
        raise SelfReferral()


def record(friend: User, code: str) -> Referral:
    """The friend signed up by ``code``: record who invited them (once; the first invitation counts)."""
    referrer = referrer_of_code(code)
    check_invitee(referrer, friend)
    known = db.session.scalar(select(Referral).where(Referral.friend_id == friend.id))
    if known is not None:
        return known
    bought = db.session.scalar(select(func.count(Order.id)).where(
        Order.customer_id == friend.id, Order.kind == OrderKind.SALE.value, Order.status == OrderStatus.COMPLETED.value))
    if bought:
        raise NotANewCustomer()
    referral = Referral(referrer_id=referrer.id, friend_id=friend.id)
    db.session.add(referral)
    db.session.flush()
    return referral


def settle(now: datetime | None = None) -> dict[str, int]:
    """Reward the referrals whose friend's first order is past the return window; returns counts by outcome."""
    now = now or utcnow()
    window = timedelta(days=chain.current().return_window_days)
    done = {"rewarded": 0, "returned": 0, "refused": 0}
    waiting = db.session.scalars(select(Referral).where(Referral.state == ReferralState.SIGNED_UP.value)
                                 .order_by(Referral.id)).all()
    for referral in waiting:
        first = db.session.scalar(select(Order).where(
            Order.customer_id == referral.friend_id, Order.kind == OrderKind.SALE.value,
            Order.status == OrderStatus.COMPLETED.value).order_by(Order.completed_at, Order.id).limit(1))
        if first is None or first.completed_at + window > now:
            continue
        outcome, reason = _outcome(referral, first)
        moved = db.session.execute(update(Referral).where(Referral.id == referral.id,
                                                          Referral.state == ReferralState.SIGNED_UP.value)
                                   .values(state=outcome, first_order_id=first.id, reason=reason, settled_at=now))
        if moved.rowcount != 1:
            continue  # another run settled it
        if outcome == ReferralState.REWARDED:
            _reward(referral, now)
        done[outcome] += 1
    db.session.flush()
    return done


def _outcome(referral: Referral, first: Order) -> tuple[str, str]:
    returned = db.session.scalar(select(func.coalesce(func.sum(Order.total), 0)).where(
        Order.original_order_id == first.id, Order.kind == OrderKind.RETURN.value,
        Order.status == OrderStatus.COMPLETED.value)) or 0
    if returned >= first.total:
        return ReferralState.RETURNED.value, "first order returned"
    phone = db.session.scalar(select(OnlineOrder.phone).where(OnlineOrder.order_id == first.id))
    referrer = db.session.get(User, referral.referrer_id)
    if phone and phone == referrer.phone:
        return ReferralState.REFUSED.value, SAME_PHONE
    if _paid_by_referrers_account(first, referrer):
        return ReferralState.REFUSED.value, SAME_PAYER
    return ReferralState.REWARDED.value, ""


def _paid_by_referrers_account(first: Order, referrer: User) -> bool:
    """Whether a wallet account that paid the friend's first order ever paid for the referrer."""
    payers = select(Payment.payer_account).where(
        Payment.order_id == first.id, Payment.payer_account.is_not(None), Payment.amount > 0,
        Payment.status == PaymentStatus.SUCCEEDED.value)
    return db.session.scalar(
        select(Payment.id).join(Order, Order.id == Payment.order_id)
        .where(Order.customer_id == referrer.id, Payment.payer_account.in_(payers), Payment.amount > 0,
               Payment.status == PaymentStatus.SUCCEEDED.value).limit(1)) is not None


def _reward(referral: Referral, now: datetime) -> None:
    promotion = chain.reward_promotion("referral")
    referrer, friend = db.session.get(User, referral.referrer_id), db.session.get(User, referral.friend_id)
    amount = chain.current().referral_reward
    queue([referrer], MessageKind.REFERRAL, f"referral:{referral.id}",
          _("{name}, your friend has shopped with us: here is your ¥%(amount)s coupon {coupon}. Thank you!",
            amount=amount), promotion, now=now, footer=False)
    queue([friend], MessageKind.REFERRAL, f"referral:{referral.id}",
          _("{name}, welcome! Your ¥%(amount)s coupon for joining by invitation: {coupon}.", amount=amount),
          promotion, now=now, footer=False)


def invites_of(member: User) -> list[Referral]:
    return list(db.session.scalars(select(Referral).where(Referral.referrer_id == member.id)
                                   .order_by(Referral.id.desc())))


def coupons_of(member: User) -> list[tuple[MemberCoupon, Coupon, str]]:
    """The coupons given to the member, each with its state: usable, held by an order, or used."""
    rows = db.session.execute(select(MemberCoupon, Coupon).join(Coupon, Coupon.id == MemberCoupon.coupon_id)
                              .where(MemberCoupon.customer_id == member.id).order_by(MemberCoupon.id.desc())).all()
    states = dict(db.session.execute(
        select(CouponUse.coupon_id, CouponUse.state).where(
            CouponUse.coupon_id.in_([c.id for _m, c in rows]), CouponUse.state != CouponState.RETURNED.value)).all())
    return [(given, coupon, states.get(coupon.id, "usable")) for given, coupon in rows]


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "—"
