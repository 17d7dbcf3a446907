"""The till: registers, shifts with their cash, and managers' PINs."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money
from webapp.stores.models import Store

RECEIPT_WIDTHS = (58, 80)


class ShiftStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CashKind(StrEnum):
    IN = "in"
    OUT = "out"


class Register(db.Model):
    """A till in a store, with its receipt paper width."""

    __tablename__ = "pos_registers"
    __table_args__ = (UniqueConstraint("store_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    name: Mapped[str] = mapped_column(String(50))
    receipt_width: Mapped[int] = mapped_column(default=80)  # mm: 58 or 80
    active: Mapped[bool] = mapped_column(default=True)

    store: Mapped[Store] = relationship()


class Shift(db.Model):
    """A cashier's turn at a register, from opening float to counted cash."""

    __tablename__ = "pos_shifts"
    __table_args__ = (
        Index("uq_pos_shifts_open", "register_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("pos_registers.id"), index=True)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default=ShiftStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opening_float: Mapped[Decimal] = mapped_column(Money)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # {"100": 3, "50": 1, "0.5": 2}: denomination in yuan → count of notes or coins.
    denominations: Mapped[dict | None] = mapped_column(JSON)
    counted_cash: Mapped[Decimal | None] = mapped_column(Money)
    expected_cash: Mapped[Decimal | None] = mapped_column(Money)
    variance: Mapped[Decimal | None] = mapped_column(Money)  # counted − expected

    register: Mapped[Register] = relationship()
    cashier: Mapped[User] = relationship(foreign_keys=[cashier_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == ShiftStatus.OPEN


class CashMovement(db.Model):
    """Cash put into or taken out of the drawer during a shift, with the reason."""

    __tablename__ = "pos_cash_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("pos_shifts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(5))
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class ManagerPin(db.Model):
    """A manager's PIN for approving discounts at the till, hashed."""

    __tablename__ = "pos_pins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
