"""Messages to members, through this room's outbox (``MemberMessage``), sent by the same pluggable
senders as the order notifications (``webapp.sales.notify``: ``NOTIFICATION_SENDER`` names one; "log"
in development; ``webapp.outreach.senders`` adds Aliyun SMS and WeChat subscribe messages).

Every marketing message honours the member's opt-out and the chain's frequency cap (at most
``cap_messages`` in ``cap_days``), carries an unsubscribe link, and is written once per member per
``once_key`` (a campaign, a birthday year, a win-back after a given last visit, a product back in stock on
a given day): running a journey twice sends nothing twice. A coupon named in a message is issued to the
member in the same transaction (one code each, kept in ``MemberCoupon``).

Journeys (``flask outreach journeys``, daily): the birthday coupon on the birthday; win-back when the last
visit is ``win_back_days`` old (once per last visit, within 30 days after); "your favourite is back" when a
member's favourite product (tag ``product:N``) was out of stock online at the last run and is in stock now.
"""
import re
from datetime import date, datetime, timedelta

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, delete, exists, func, insert, select

from webapp.auth.models import Role, User
from webapp.catalog.models import SKU, Product
from webapp.clock import business_day, utcnow
from webapp.extensions import db
from webapp.outreach import settings as chain
from webapp.outreach.errors import (
    CouponNeeded,
    EmptySegment,
    MessageInvalid,
    MissingPlaceholder,
    PromotionNotACoupon,
    UnknownPlaceholder,
)
from webapp.outreach.models import (
    MARKETING,
    Campaign,
    MemberCoupon,
    MemberFigures,
    MemberMessage,
    MemberProfile,
    MemberTag,
    MessageKind,
    Segment,
    StockSeen,
)
from webapp.outreach.segments import Rule, members
from webapp.promotions import coupons
from webapp.promotions.models import Promotion, Status
from webapp.sales.notify import get_sender
from webapp.stock.models import Location, StockLevel, Usage

BODY_LIMIT = 300
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
KNOWN = {"name", "coupon"}
WIN_BACK_WINDOW = 30
SALT = "outreach-unsubscribe"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"  # the shop's address in messages sent by a command (config PUBLIC_URL)


# ------------------------------------------------------------------ the text

def checked_body(body: str, promotion: Promotion | None) -> str:
    body = (body or "").replace("\x00", "").strip()
    if not body or len(body) > BODY_LIMIT:
        raise MessageInvalid(limit=BODY_LIMIT)
    used = set(PLACEHOLDER.findall(body))
    for name in sorted(used - KNOWN):
        raise UnknownPlaceholder(name=name[:20])
    if promotion is not None and "coupon" not in used:
        raise MissingPlaceholder()
    if promotion is None and "coupon" in used:
        raise CouponNeeded()
    if promotion is not None and (promotion.status != Status.ACTIVE or not promotion.needs_coupon):
        raise PromotionNotACoupon(name=promotion.name)
    return body


def fill(body: str, member: User, code: str | None) -> str:
    return PLACEHOLDER.sub(lambda m: {"name": member.display_name or _("member"), "coupon": code or ""}[m[1]], body)


def unsubscribe_token(customer_id: int) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT).dumps(customer_id)


def customer_of_token(token: str) -> int | None:
    try:
        value = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT).loads(token[:200])
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe_url(customer_id: int) -> str:
    """The link in every marketing message: this request's host, or ``PUBLIC_URL`` for the nightly run."""
    token = unsubscribe_token(customer_id)
    if has_request_context() and not current_app.config.get("PUBLIC_URL"):
        return url_for("outreach.unsubscribe", token=token, _external=True)
    return current_app.config.get("PUBLIC_URL", DEFAULT_PUBLIC_URL).rstrip("/") + f"/shop/unsubscribe/{token}"


def _with_footer(text: str, member: User) -> str:
    locale = member.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")
    with force_locale(locale):
        return text + " " + _("Unsubscribe: %(url)s", url=unsubscribe_url(member.id))


# ------------------------------------------------------------------ who may get a marketing message

def reachable(query, now: datetime):
    """Narrow a SELECT of customer ids (``User.id``) to members who take messages and are under the cap."""
    row = chain.current()
    since = now - timedelta(days=row.cap_days)
    recent = (select(func.count(MemberMessage.id)).where(
        MemberMessage.customer_id == User.id, MemberMessage.kind.in_([k.value for k in MARKETING]),
        MemberMessage.created_at >= since).scalar_subquery())
    return (query.where(~exists().where(and_(MemberProfile.customer_id == User.id, MemberProfile.opted_out.is_(True))))
            .where(recent < row.cap_messages), row)


def dry_run(rule: Rule, now: datetime | None = None) -> dict[str, int]:
    """How many the segment has, how many opted out, how many the cap holds back, how many would get it."""
    now = now or utcnow()
    total = _count(members(rule))
    opted_out = _count(members(rule).where(exists().where(and_(MemberProfile.customer_id == User.id,
                                                               MemberProfile.opted_out.is_(True)))))
    query, _row = reachable(members(rule), now)
    receiving = _count(query)
    return {"members": total, "opted_out": opted_out, "capped": total - opted_out - receiving,
            "receiving": receiving}


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


# ------------------------------------------------------------------ sending to a segment

def send_to_segment(segment: Segment, body: str, promotion: Promotion | None, *, user: User | None,
                    now: datetime | None = None) -> Campaign:
    """Queue the message for everyone in the segment who takes messages and is under the cap (a coupon each)."""
    now = now or utcnow()
    body = checked_body(body, promotion)
    rule = Rule.of(segment)
    counts = dry_run(rule, now)
    if counts["members"] == 0:
        raise EmptySegment(name=segment.name)
    campaign = Campaign(segment=segment, body=body, promotion=promotion, created_by_id=user.id if user else None,
                        skipped_opted_out=counts["opted_out"])
    db.session.add(campaign)
    db.session.flush()
    query, _row = reachable(members(rule), now)
    recipients = list(db.session.scalars(select(User).where(User.id.in_(query)).order_by(User.id)))
    queued = queue(recipients, MessageKind.CAMPAIGN, f"campaign:{campaign.id}", body, promotion,
                   campaign_id=campaign.id, now=now)
    campaign.queued, campaign.skipped_capped = queued, counts["members"] - counts["opted_out"] - queued
    db.session.flush()
    return campaign


def queue(recipients: list[User], kind: MessageKind, once_key: str | dict[int, str], body: str,
          promotion: Promotion | None, *, campaign_id: int | None = None, now: datetime | None = None,
          footer: bool = True) -> int:
    """Write the messages (and issue their coupons) for these members, skipping any who had their
    ``once_key`` (one for all, or one per member id) already; returns how many were written."""
    if not recipients:
        return 0
    keys = once_key if isinstance(once_key, dict) else {m.id: once_key for m in recipients}
    had = set()
    for start in range(0, len(recipients), 500):
        ids = [m.id for m in recipients[start:start + 500]]
        had |= set(db.session.execute(select(MemberMessage.customer_id, MemberMessage.once_key).where(
            MemberMessage.customer_id.in_(ids), MemberMessage.once_key.in_({keys[i] for i in ids}))).all())
    recipients = [m for m in recipients if (m.id, keys[m.id]) not in had]
    if not recipients:
        return 0
    codes: list = []
    if promotion is not None:
        for start in range(0, len(recipients), coupons.MOST_AT_ONCE):
            batch = recipients[start:start + coupons.MOST_AT_ONCE]
            codes += coupons.issue(promotion, len(batch), owners=[m.id for m in batch])
        db.session.execute(insert(MemberCoupon), [
            {"customer_id": m.id, "coupon_id": c.id, "reason": kind.value, "created_at": now or utcnow()}
            for m, c in zip(recipients, codes, strict=True)])
    rows = []
    for i, member in enumerate(recipients):
        coupon = codes[i] if codes else None
        text = fill(body, member, coupon.code if coupon else None)
        rows.append({"customer_id": member.id, "kind": kind.value, "once_key": keys[member.id], "campaign_id": campaign_id,
                     "phone": member.phone, "body": _with_footer(text, member) if footer else text,
                     "coupon_id": coupon.id if coupon else None, "created_at": now or utcnow(), "attempts": 0,
                     "error": ""})
    if rows:
        db.session.execute(insert(MemberMessage), rows)
    return len(rows)


def send_pending(limit: int = 500) -> int:
    """Hand unsent messages to the configured sender; a failure stays for the next run."""
    sender = get_sender()
    sent = 0
    for message in db.session.scalars(select(MemberMessage).where(MemberMessage.sent_at.is_(None))
                                      .order_by(MemberMessage.id).limit(limit)):
        message.attempts += 1
        try:
            sender.send(message.phone, message.body)
        except Exception as e:  # one sender failure must not stop the others
            message.error = str(e)[:200]
            continue
        message.sent_at, message.error = utcnow(), ""
        sent += 1
    db.session.flush()
    return sent


# ------------------------------------------------------------------ automatic journeys

def birthdays(today: date | None = None, now: datetime | None = None) -> int:
    """Birthday coupons for members whose birthday is today (29 February counts on 28 February)."""
    now, today = now or utcnow(), today or business_day()
    profiles = db.session.scalars(select(MemberProfile).where(MemberProfile.birthday.is_not(None)))
    born_today = [p.customer_id for p in profiles if _same_day(p.birthday, today)]
    if not born_today:
        return 0
    query, _row = reachable(select(User.id).where(User.id.in_(born_today), User.role == Role.CUSTOMER.value,
                                                   User.active.is_(True)), now)
    recipients = list(db.session.scalars(select(User).where(User.id.in_(query))))
    text = _("Happy birthday, {name}! A gift from us: coupon {coupon}, this month at any of our stores.")
    return queue(recipients, MessageKind.BIRTHDAY, f"birthday:{today.year}", text,
                 chain.reward_promotion("birthday") if recipients else None, now=now)


def _same_day(birthday: date, today: date) -> bool:
    if (birthday.month, birthday.day) == (today.month, today.day):
        return True
    leap_day_in_common_year = (birthday.month, birthday.day) == (2, 29) and (today.month, today.day) == (2, 28)
    return leap_day_in_common_year and not _is_leap(today.year)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def win_back(now: datetime | None = None) -> int:
    """A coupon to members whose last visit is ``win_back_days`` old (once per last visit)."""
    now = now or utcnow()
    days = chain.current().win_back_days
    newest, oldest = now - timedelta(days=days), now - timedelta(days=days + WIN_BACK_WINDOW)
    idle = select(MemberFigures.customer_id).where(MemberFigures.last_order_at <= newest,
                                                   MemberFigures.last_order_at > oldest)
    query, _row = reachable(select(User.id).where(User.id.in_(idle), User.active.is_(True)), now)
    last = dict(db.session.execute(select(MemberFigures.customer_id, MemberFigures.last_order_at)
                                   .where(MemberFigures.customer_id.in_(query))).all())
    if not last:
        return 0
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(last))))}
    promotion = chain.reward_promotion("win_back")
    text = _("{name}, we miss you! Here is coupon {coupon} for your next visit.")
    keys = {customer_id: f"win_back:{at:%Y%m%d%H%M%S}" for customer_id, at in last.items()}
    return queue(list(users.values()), MessageKind.WIN_BACK, keys, text, promotion, now=now)


def in_stock_now() -> dict[int, bool]:
    """Per active product: is any of it available (on hand − reserved) on a store's shelf?"""
    available = func.sum(StockLevel.on_hand - StockLevel.reserved)
    stocked = set(db.session.scalars(
        select(SKU.product_id).join(StockLevel, StockLevel.sku_id == SKU.id)
        .join(Location, Location.id == StockLevel.location_id)
        .where(Location.usage == Usage.INTERNAL.value, Location.store_id.is_not(None), SKU.active.is_(True))
        .group_by(SKU.product_id).having(available > 0)))
    return {pid: pid in stocked for pid in db.session.scalars(select(Product.id).where(Product.active.is_(True)))}


def back_in_stock(now: datetime | None = None) -> int:
    """Tell members whose favourite product came back since the last run; then remember what is in stock."""
    now = now or utcnow()
    current = in_stock_now()
    before = dict(db.session.execute(select(StockSeen.product_id, StockSeen.in_stock)).all())
    back = [pid for pid, stocked in current.items() if stocked and before.get(pid) is False]
    sent = 0
    for product_id in back:
        product = db.session.get(Product, product_id)
        fans = select(MemberTag.customer_id).where(MemberTag.tag == f"product:{product_id}")
        query, _row = reachable(select(User.id).where(User.id.in_(fans), User.active.is_(True)), now)
        people = list(db.session.scalars(select(User).where(User.id.in_(query))))
        text = _("{name}, your favourite %(product)s is back in stock.", product=product.name)
        sent += queue(people, MessageKind.BACK_IN_STOCK, f"back:{product_id}:{business_day(now)}", text, None, now=now)
    db.session.execute(delete(StockSeen))
    if current:
        db.session.execute(insert(StockSeen), [{"product_id": p, "in_stock": s} for p, s in current.items()])
    return sent
