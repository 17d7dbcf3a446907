"""A count (盘点), the entries people make while counting, and the lines frozen at approval."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.catalog.models import SKU, Category
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money, Quantity
from webapp.stock.models import Lot
from webapp.stores.models import Store

if TYPE_CHECKING:
    from webapp.auth.models import User


class Scope(StrEnum):
    STORE = "store"  # a full count: everything the store stocks
    CATEGORY = "category"  # a cycle count: one category and those below it


class CountStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"


class StockCount(db.Model):
    __tablename__ = "stock_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    scope: Mapped[str] = mapped_column(String(10), default=Scope.STORE)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    # Blind: the people counting do not see what the system expects.
    blind: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(10), default=CountStatus.OPEN)
    # Chosen at approval: in-scope stock nobody counted is set to zero (True) or left as it is.
    zero_uncounted: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]

    store: Mapped[Store] = relationship()
    category: Mapped[Category | None] = relationship()
    created_by: Mapped["User | None"] = relationship("User", foreign_keys=[created_by_id])
    approved_by: Mapped["User | None"] = relationship("User", foreign_keys=[approved_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == CountStatus.OPEN


class CountEntry(db.Model):
    """One person's count of one SKU (and lot) in one place: a scan is an entry of 1.

    ``expected`` is the shelf's on hand in the ledger when the entry was made:
    the snapshot the counted quantity is compared with (see services).
    """

    __tablename__ = "count_entries"
    __table_args__ = (Index("ix_count_entries_count_sku", "count_id", "sku_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("stock_counts.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    expected: Mapped[Decimal] = mapped_column(Quantity)
    place: Mapped[str] = mapped_column(String(40), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sku: Mapped[SKU] = relationship()
    lot: Mapped[Lot | None] = relationship()
    user: Mapped["User | None"] = relationship("User")


class CountLine(db.Model):
    """The variance of one SKU (and lot), frozen when the count is approved."""

    __tablename__ = "count_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("stock_counts.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    expected: Mapped[Decimal] = mapped_column(Quantity)
    counted: Mapped[Decimal] = mapped_column(Quantity)
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    # Nobody counted it: it was set to zero (the manager chose so) or left alone.
    uncounted: Mapped[bool] = mapped_column(default=False)

    sku: Mapped[SKU] = relationship()
    lot: Mapped[Lot | None] = relationship()
