"""A transfer: its lines (what is asked for and what arrived) and its discrepancies."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Quantity
from webapp.stock.models import Lot
from webapp.stores.models import Store

if TYPE_CHECKING:
    from webapp.auth.models import User


class TransferStatus(StrEnum):
    DRAFT = "draft"  # lines being added at the sending store
    SENT = "sent"  # left the sender's shelf; in the receiver's transit place
    RECEIVED = "received"  # counted in at the receiver; discrepancies may still be open


class DiscrepancyKind(StrEnum):
    SHORT = "short"  # sent, never arrived
    DAMAGED = "damaged"  # arrived broken
    OVER = "over"  # arrived, never sent (by the books)


class Resolution(StrEnum):
    BACK_TO_SENDER = "back_to_sender"  # short or damaged: the goods go back on the sender's shelf
    LOST = "lost"  # short: lost in transit, written off
    WRITTEN_OFF = "written_off"  # damaged: written off at the receiver
    KEPT = "kept"  # over: the receiver keeps them, the sender's books give them
    RETURNED = "returned"  # over: handed back to the sender, the books never had them moved


# Which resolutions fit which kind of discrepancy.
RESOLUTIONS = {
    DiscrepancyKind.SHORT: (Resolution.BACK_TO_SENDER, Resolution.LOST),
    DiscrepancyKind.DAMAGED: (Resolution.WRITTEN_OFF, Resolution.BACK_TO_SENDER),
    DiscrepancyKind.OVER: (Resolution.KEPT, Resolution.RETURNED),
}


class Transfer(db.Model):
    __tablename__ = "transfers"
    __table_args__ = (
        Index("ix_transfers_source_status", "source_store_id", "status"),
        Index("ix_transfers_destination_status", "destination_store_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    source_store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    destination_store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    status: Mapped[str] = mapped_column(String(10), default=TransferStatus.DRAFT)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime | None]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime | None]

    source: Mapped[Store] = relationship(foreign_keys=[source_store_id])
    destination: Mapped[Store] = relationship(foreign_keys=[destination_store_id])
    created_by: Mapped["User | None"] = relationship("User", foreign_keys=[created_by_id])
    sent_by: Mapped["User | None"] = relationship("User", foreign_keys=[sent_by_id])
    received_by: Mapped["User | None"] = relationship("User", foreign_keys=[received_by_id])
    lines: Mapped[list["TransferLine"]] = relationship(
        back_populates="transfer", order_by="TransferLine.id", cascade="all, delete-orphan")
    discrepancies: Mapped[list["Discrepancy"]] = relationship(
        back_populates="transfer", order_by="Discrepancy.id", cascade="all, delete-orphan")

    @property
    def document(self) -> tuple[str, str]:
        return ("transfer", self.number)

    @property
    def open_discrepancies(self) -> list["Discrepancy"]:
        return [d for d in self.discrepancies if d.resolution is None]


class TransferLine(db.Model):
    """One SKU (and, for serial goods or a chosen lot, one lot) on a transfer."""

    __tablename__ = "transfer_lines"
    __table_args__ = (UniqueConstraint("transfer_id", "sku_id", "lot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)  # asked for, and sent
    received: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))  # counted in, good
    damaged: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))  # counted in, broken

    transfer: Mapped[Transfer] = relationship(back_populates="lines")
    sku: Mapped[SKU] = relationship()
    lot: Mapped[Lot | None] = relationship()


class Discrepancy(db.Model):
    """What did not arrive as sent, and how a manager settled it."""

    __tablename__ = "transfer_discrepancies"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("transfer_lines.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    resolution: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(200), default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]

    transfer: Mapped[Transfer] = relationship(back_populates="discrepancies")
    line: Mapped[TransferLine] = relationship()
    resolved_by: Mapped["User | None"] = relationship("User")
