"""The stock ledger: locations, append-only moves, levels, lots, reservations."""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money, Quantity
from webapp.stores.models import Store

if TYPE_CHECKING:
    from webapp.auth.models import User


class Usage(StrEnum):
    INTERNAL = "internal"  # a store's shelf, the HQ warehouse
    TRANSIT = "transit"  # on its way between two places
    SUPPLIER = "supplier"  # virtual: where bought goods come from
    CUSTOMER = "customer"  # virtual: where sold goods go
    LOSS = "loss"  # virtual: write-offs, count shrinkage
    ADJUSTMENT = "adjustment"  # virtual: count gains, corrections


# Places whose stock is real and kept as levels; virtual places only have moves.
TRACKED = {Usage.INTERNAL, Usage.TRANSIT}


class Reason(StrEnum):
    RECEIPT = "receipt"
    SALE = "sale"
    RETURN = "return"
    TRANSFER = "transfer"
    COUNT = "count"
    WRITE_OFF = "write_off"
    HANDOVER = "handover"  # an online order handed over or dispatched


class Location(db.Model):
    __tablename__ = "locations"
    __table_args__ = (
        UniqueConstraint("store_id", "usage"),
        Index(
            "uq_locations_virtual", "usage", unique=True,
            sqlite_where=text("store_id IS NULL"), postgresql_where=text("store_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    usage: Mapped[str] = mapped_column(String(20))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))

    store: Mapped[Store | None] = relationship()


class Lot(db.Model):
    """A batch with its expiry date, or, for serial-tracked goods, one serial number."""

    __tablename__ = "lots"
    __table_args__ = (UniqueConstraint("sku_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    code: Mapped[str] = mapped_column(String(60))
    expiry_date: Mapped[date | None]

    sku: Mapped[SKU] = relationship()


class StockMove(db.Model):
    """One append-only ledger row. A correction is a reversing move, never an edit."""

    __tablename__ = "stock_moves"
    __table_args__ = (
        Index("ix_stock_moves_sku_created", "sku_id", "created_at"),
        Index("ix_stock_moves_document", "document_type", "document_id"),
        # What left a place lately (a shelf's sales of the last 30 days, for replenishment).
        Index("ix_stock_moves_from_created", "from_location_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    from_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    to_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(String(20))
    document_type: Mapped[str] = mapped_column(String(30))
    document_id: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sku: Mapped[SKU] = relationship()
    lot: Mapped[Lot | None] = relationship()
    from_location: Mapped[Location] = relationship(foreign_keys=[from_location_id])
    to_location: Mapped[Location] = relationship(foreign_keys=[to_location_id])
    user: Mapped["User | None"] = relationship("User")


@event.listens_for(StockMove, "before_update")
@event.listens_for(StockMove, "before_delete")
def _ledger_is_append_only(_mapper, _connection, move):
    raise PermissionError("stock moves are append-only: post a reversing move instead")


class StockLevel(db.Model):
    """On hand and reserved per (location, SKU, lot), written with each move."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        Index(
            "uq_stock_levels_no_lot", "location_id", "sku_id", unique=True,
            sqlite_where=text("lot_id IS NULL"), postgresql_where=text("lot_id IS NULL"),
        ),
        Index(
            "uq_stock_levels_lot", "location_id", "sku_id", "lot_id", unique=True,
            sqlite_where=text("lot_id IS NOT NULL"), postgresql_where=text("lot_id IS NOT NULL"),
        ),
        # A store's levels, all lots (the stock overview, alerts): the partial indexes above cannot
        # serve it; with on hand and reserved in it, a store's figures are read from the index alone.
        Index("ix_stock_levels_location_sku", "location_id", "sku_id", "on_hand", "reserved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    on_hand: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    reserved: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))

    location: Mapped[Location] = relationship()
    sku: Mapped[SKU] = relationship()
    lot: Mapped[Lot | None] = relationship()

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class ReservationStatus(StrEnum):
    ACTIVE = "active"
    CONSUMED = "consumed"
    RELEASED = "released"


class Reservation(db.Model):
    """Stock held for an order: consumed on hand-over or released, exactly once."""

    __tablename__ = "reservations"
    __table_args__ = (Index("ix_reservations_document", "document_type", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("stock_levels.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    status: Mapped[str] = mapped_column(String(10), default=ReservationStatus.ACTIVE)
    document_type: Mapped[str] = mapped_column(String(30))
    document_id: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    level: Mapped[StockLevel] = relationship()


class StockRule(db.Model):
    """A store's warning line for a SKU: below it, reorder."""

    __tablename__ = "stock_rules"
    __table_args__ = (UniqueConstraint("store_id", "sku_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    warning_qty: Mapped[Decimal] = mapped_column(Quantity)
