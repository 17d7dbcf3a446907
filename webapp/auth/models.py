"""Users, their role and the stores they work in."""
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.stores.models import Store


class Role(StrEnum):
    HQ_ADMIN = "hq_admin"
    STORE_MANAGER = "store_manager"
    CASHIER = "cashier"
    FRANCHISEE = "franchisee"
    CUSTOMER = "customer"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


# Roles that work in stores and so are bound to the stores they belong to.
STORE_ROLES = {Role.STORE_MANAGER, Role.CASHIER, Role.FRANCHISEE}
# The store roles that run a store: approve discounts and refunds, start counts, order stock, read reports.
# (HQ admins may do all of it too: see ``User.is_manager`` and ``require_role``.)
MANAGERS = (Role.STORE_MANAGER, Role.FRANCHISEE)

ROLE_LABELS = {
    Role.HQ_ADMIN: _l("HQ admin"),
    Role.STORE_MANAGER: _l("Store manager"),
    Role.CASHIER: _l("Cashier"),
    Role.FRANCHISEE: _l("Franchisee"),
    Role.CUSTOMER: _l("Customer"),
}

staff_stores = Table(
    "staff_stores",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("store_id", ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(30), default="", index=True)  # a customer is found by it
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    stores: Mapped[list[Store]] = relationship(secondary=staff_stores, order_by=Store.code)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_hq(self) -> bool:
        return self.role == Role.HQ_ADMIN

    @property
    def is_manager(self) -> bool:
        """Runs a store (or the chain): approves, counts, orders, reads reports."""
        return self.is_hq or self.role in MANAGERS

    @property
    def name(self) -> str:
        """What screens and receipts call this person."""
        return self.display_name or self.username

    def can_access_store(self, store_id: int) -> bool:
        return self.is_hq or any(store.id == store_id for store in self.stores)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
