"""Customer accounts of the online shop: one per mobile number, signed in by phone and password.

A customer's username is ``c`` + their phone (an account HQ made by hand, like the
demo's ``customer``, keeps its username and is found by its phone). An account is made by the first
order with that phone (with a password when the customer gives one), or by
signing up. An account made by an order without a password cannot sign in
until someone signs up with its phone; the shop has no SMS check yet, so the
first to sign up with the number sets its password.
"""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from webapp.auth.models import Role, User
from webapp.auth.services import MIN_PASSWORD, PasswordTooShort
from webapp.errors import DomainError
from webapp.extensions import db

PHONE = re.compile(r"^1\d{10}$")
NO_PASSWORD = "!"  # never a valid hash: the account cannot sign in yet


class InvalidPhone(DomainError, ValueError):
    message = _l("%(phone)s is not a mobile number: 11 digits starting with 1.")


class PhoneTaken(DomainError):
    message = _l("%(phone)s already has an account: sign in with its password.")


class SignInToOrder(DomainError):
    message = _l("%(phone)s has an account with a password: sign in to order with this number.")


def normal_phone(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not PHONE.match(phone):
        raise InvalidPhone(phone=phone[:20] or "—")
    return phone


def customer_by_phone(phone: str) -> User | None:
    """The one customer account of this mobile number."""
    phone = normal_phone(phone)
    return db.session.scalar(select(User).where(or_(User.username == f"c{phone}", User.phone == phone),
                                                User.role == Role.CUSTOMER.value).order_by(User.id).limit(1))


def has_password(user: User) -> bool:
    return user.password_hash != NO_PASSWORD


def account_for_order(phone: str, name: str = "", password: str = "") -> tuple[User, bool]:
    """The phone's account, made now if it has none (True when made).

    An account someone set a password on is theirs: a guest's order never joins it (whoever typed
    the number would otherwise put their order, address and pickup code into another's account).
    """
    known = customer_by_phone(phone)
    if known is not None:
        if has_password(known):
            raise SignInToOrder(phone=normal_phone(phone))
        return known, False
    if password and len(password) < MIN_PASSWORD:
        raise PasswordTooShort(length=MIN_PASSWORD)
    made = _create_unless_taken(normal_phone(phone), name, password)
    if made is None:  # the same phone's first order, placed twice at once: the other one made it
        return customer_by_phone(phone), False
    return made, True


def sign_up(phone: str, name: str, password: str) -> User:
    if len(password or "") < MIN_PASSWORD:
        raise PasswordTooShort(length=MIN_PASSWORD)
    if customer_by_phone(phone) is not None:
        # Even one made by a guest's order: without a text message to the phone, setting its password
        # would hand that guest's orders (address, pickup code) to whoever typed the number.
        raise PhoneTaken(phone=normal_phone(phone))
    try:
        with db.session.begin_nested():
            return _create(normal_phone(phone), name, password)
    except IntegrityError:  # the same number signed up twice at the same moment: the other one won
        raise PhoneTaken(phone=normal_phone(phone)) from None


def authenticate_phone(phone: str, password: str) -> User | None:
    try:
        user = customer_by_phone(phone)
    except InvalidPhone:
        return None
    if user and user.active and has_password(user) and user.check_password(password):
        return user
    return None


def _create_unless_taken(phone: str, name: str, password: str) -> User | None:
    """The account, made with one INSERT … ON CONFLICT DO NOTHING RETURNING (no savepoint); None when its
    username was taken meanwhile."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return db.session.scalars(
        insert(User).values(username=f"c{phone}", phone=phone, display_name=name.strip()[:100],
                            role=Role.CUSTOMER.value,
                            password_hash=generate_password_hash(password) if password else NO_PASSWORD)
        .on_conflict_do_nothing(index_elements=[User.username]).returning(User)).first()


def _create(phone: str, name: str, password: str) -> User:
    user = User(username=f"c{phone}", phone=phone, display_name=name.strip()[:100], role=Role.CUSTOMER.value,
                password_hash=NO_PASSWORD)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


