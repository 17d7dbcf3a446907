"""Users: creating them, changing them, checking who they are."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from webapp.auth.models import STORE_ROLES, Role, User
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.stores.models import Store


class UsernameTaken(DomainError):
    message = _l("The username %(username)s is already taken.")


class StoreRequired(DomainError):
    message = _l("Store staff must belong to at least one store.")


class CustomerPhoneTaken(DomainError):
    message = _l("%(phone)s already has a customer account: one account per mobile number.")


class PasswordTooShort(DomainError):
    message = _l("A password needs at least %(length)s characters.")


MIN_PASSWORD = 8


def authenticate(username: str, password: str) -> User | None:
    """By username; a customer may also give their mobile number, as in the shop."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None and username.strip().isdigit():
        user = db.session.scalar(select(User).where(User.phone == username.strip(),
                                                    User.role == Role.CUSTOMER.value).order_by(User.id).limit(1))
    if user and user.active and user.check_password(password):
        return user
    return None


def save_user(user: User | None, *, username: str, display_name: str, role: Role,
              stores: list[Store], password: str | None = None, phone: str = "",
              active: bool = True) -> User:
    """Create a user (user=None) or change one; a new user needs a password."""
    username = username.strip()
    clash = db.session.scalar(select(User).where(User.username == username))
    if clash and clash is not user:
        raise UsernameTaken(username=username)
    if Role(role) in STORE_ROLES and not stores:
        raise StoreRequired()
    if Role(role) == Role.CUSTOMER and phone.strip():
        _check_customer_phone(user, phone.strip())
    if user is None or password:
        if not password or len(password) < MIN_PASSWORD:
            raise PasswordTooShort(length=MIN_PASSWORD)
    if user is None:
        user = User(username=username, role=role)
        db.session.add(user)
    user.username, user.display_name, user.role = username, display_name.strip(), Role(role).value
    user.phone, user.active = phone.strip(), active
    user.stores = list(stores) if Role(role) in STORE_ROLES else []
    if password:
        user.set_password(password)
    db.session.flush()
    return user


def _check_customer_phone(user: User | None, phone: str) -> None:
    """One customer account per mobile number: the shop finds an account by its phone."""
    other = db.session.scalar(select(User.id).where(
        User.role == Role.CUSTOMER.value, or_(User.phone == phone, User.username == f"c{phone}"),
        User.id != (user.id if user is not None and user.id else -1)).limit(1))
    if other is not None:
        raise CustomerPhoneTaken(phone=phone)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()
