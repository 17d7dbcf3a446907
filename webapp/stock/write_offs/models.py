"""A write-off (报损) document and its lines; the stock moves are in the ledger."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money, Quantity, round_money
from webapp.stock.models import Lot
from webapp.stores.models import Store

if TYPE_CHECKING:
    from webapp.auth.models import User


class WriteOffReason(StrEnum):
    DAMAGED = "damaged"
    EXPIRED = "expired"
    STOLEN = "stolen"
    USED_IN_STORE = "used"


class WriteOffStatus(StrEnum):
    DRAFT = "draft"  # lines being scanned; no stock has moved
    POSTED = "posted"  # the goods went to the loss place


class WriteOff(db.Model):
    __tablename__ = "write_offs"
    __table_args__ = (Index("ix_write_offs_store_posted", "store_id", "posted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    number: Mapped[str] = mapped_column(String(30), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=WriteOffStatus.DRAFT)
    reason: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    # The photo's file name under instance/write_off_photos, if one was uploaded.
    photo: Mapped[str | None] = mapped_column(String(60))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    posted_at: Mapped[datetime | None]

    store: Mapped[Store] = relationship()
    created_by: Mapped["User | None"] = relationship("User")
    lines: Mapped[list["WriteOffLine"]] = relationship(back_populates="write_off", order_by="WriteOffLine.id",
                                                       cascade="all, delete-orphan")

    @property
    def is_draft(self) -> bool:
        return self.status == WriteOffStatus.DRAFT


class WriteOffLine(db.Model):
    __tablename__ = "write_off_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    write_off_id: Mapped[int] = mapped_column(ForeignKey("write_offs.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    # The average cost when posted: what the loss was worth.
    unit_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))

    write_off: Mapped[WriteOff] = relationship(back_populates="lines")
    sku: Mapped[SKU] = relationship()
    lot: Mapped[Lot | None] = relationship()

    @property
    def value(self) -> Decimal:
        return round_money(self.quantity * self.unit_cost)
