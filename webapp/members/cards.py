"""Who the member is: the card, enrolment by phone, the chain's settings, and the member code.

The member code is what the member page shows as a QR for the till to scan: ``M<id>-<minute>-<mac>``,
the minute (unix minutes, base 36) and an HMAC of the customer id and that minute under the app's secret.
The till accepts the current and the previous minute; an older code (a screenshot) is refused as
expired, a code whose HMAC does not match as unknown.
"""
import hashlib
import hmac
import re
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from webapp.auth.customers import account_for_order, customer_by_phone, normal_phone
from webapp.auth.models import Role, User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.members.errors import MemberCodeExpired, NotAMember, UnknownMemberCode
from webapp.members.models import MemberCard, MemberSettings
from webapp.stores.models import Store

CODE = re.compile(r"^M(\d{1,12})-([0-9a-z]{1,8})-([0-9a-f]{12})$")
VALID_MINUTES = 2  # this minute's code and the last one's


def settings() -> MemberSettings:
    """The chain's member settings (one row, made with the defaults on first use).

    Two first uses at once (two tills handing over on a new chain's first day) both find no row: the one
    whose insert loses finds the other's row instead of failing its sale."""
    found = db.session.get(MemberSettings, 1)
    if found is None:
        try:
            with db.session.begin_nested():
                db.session.add(MemberSettings(id=1))
        except IntegrityError:
            pass  # another request made it a moment ago
        found = db.session.get(MemberSettings, 1)
    return keep(found)


def keep(row):
    """Hold a row for the session's life: the identity map holds rows weakly, and a sale asks for the
    settings and the member's card several times (bench/bench_members.py counts its statements)."""
    if row is not None:
        db.session.info.setdefault("members_kept", {})[(type(row), db.inspect(row).identity)] = row
    return row


def open_tab(customer_id: int):
    """The till sale's tab on this member's card, while one is open (``members.till_card``): the member
    tenders and the earning of that sale go on it and are written once."""
    return db.session.info.get("member_tabs", {}).get(customer_id)


def card_of(customer: User, store: Store | None = None) -> MemberCard:
    """The customer's member card, made on first need (a first order, a first visit to the till)."""
    card = db.session.get(MemberCard, customer.id)
    if card is None:
        try:
            with db.session.begin_nested():
                card = MemberCard(customer_id=customer.id, enrolled_store_id=store.id if store else None,
                                  enrolled_at=utcnow())
                db.session.add(card)
                db.session.flush()
        except IntegrityError:  # enrolled at the same moment elsewhere
            card = db.session.get(MemberCard, customer.id)
    return card


def enrolled(customer: User, store: Store | None = None) -> None:
    """The customer is a member from now on: their card is made unless they have one, with one
    ``INSERT … ON CONFLICT DO NOTHING`` (no read first, no savepoint) — how an online order enrols its
    customer without slowing the checkout. ``card_of`` when the card itself is needed."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(MemberCard).values(customer_id=customer.id, enrolled_at=utcnow(),
                                                 enrolled_store_id=store.id if store else None)
                       .on_conflict_do_nothing(index_elements=[MemberCard.customer_id]))


def enrol(phone: str, name: str = "", *, store: Store | None = None) -> tuple[User, bool]:
    """The member of this mobile number, enrolled now if the number has no customer yet (True when made).

    The account made here has no password: the member signs in to the shop once they sign up — which
    the shop refuses for a number with an account, made here or by a guest's order, until the number
    can be checked by a text message (``webapp.auth.customers.sign_up``)."""
    known = customer_by_phone(phone)
    if known is not None:
        card_of(known, store)
        return known, False
    customer, made = account_for_order(normal_phone(phone), name)
    card_of(customer, store)
    return customer, made


def member_by_phone(phone: str) -> User:
    found = customer_by_phone(phone)
    if found is None:
        raise NotAMember(phone=normal_phone(phone))
    return found


def member_by_code(code: str, now: datetime | None = None) -> User:
    """The member whose current member code this is; an old one is refused as expired."""
    match = CODE.match(code.strip())
    if match is None:
        raise UnknownMemberCode()
    customer_id, minute = int(match[1]), int(match[2], 36)
    if not hmac.compare_digest(_mac(customer_id, minute), match[3]):
        raise UnknownMemberCode()
    if not 0 <= _minute(now) - minute < VALID_MINUTES:
        raise MemberCodeExpired()
    found = db.session.get(User, customer_id)
    if found is None or found.role != Role.CUSTOMER or not found.active:
        raise UnknownMemberCode()
    return found


def find_member(text: str) -> User:
    """A scanned member code or a typed mobile number."""
    text = (text or "").strip()[:40]
    return member_by_code(text) if text.upper().startswith("M") else member_by_phone(text)


def member_code(customer: User, now: datetime | None = None) -> str:
    minute = _minute(now)
    return f"M{customer.id}-{_base36(minute)}-{_mac(customer.id, minute)}"


def seconds_left(now: datetime | None = None) -> int:
    """Seconds until the member page should show a new code."""
    return 60 - (now or utcnow()).second


def _minute(now: datetime | None) -> int:
    """Unix minutes of a stored (naive UTC) time."""
    return int((now or utcnow()).replace(tzinfo=UTC).timestamp() // 60)


def _mac(customer_id: int, minute: int) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"member:{customer_id}:{minute}".encode(), hashlib.sha256).hexdigest()[:12]


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


def customers_with_cards(ids: list[int]) -> dict[int, MemberCard]:
    return {c.customer_id: c for c in db.session.scalars(select(MemberCard).where(MemberCard.customer_id.in_(ids)))}
