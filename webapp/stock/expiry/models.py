"""The chain's near-expiry settings and the markdowns suggested for lots close to their date."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.catalog.models import SKU, Category
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money
from webapp.stock.models import Lot
from webapp.stores.models import Store

if TYPE_CHECKING:
    from webapp.auth.models import User

DEFAULT_EXPIRY_DAYS = 7
DEFAULT_OVERSTOCK_DAYS = 30
DEFAULT_SALES_WINDOW_DAYS = 28


class StockSettings(db.Model):
    """The chain's one row of stock settings, edited by HQ; missing means the defaults."""

    __tablename__ = "stock_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    expiry_days: Mapped[int] = mapped_column(default=DEFAULT_EXPIRY_DAYS)  # categories without their own
    overstock_days: Mapped[int] = mapped_column(default=DEFAULT_OVERSTOCK_DAYS)  # days of cover
    sales_window_days: Mapped[int] = mapped_column(default=DEFAULT_SALES_WINDOW_DAYS)  # "recent sales"


class ExpiryWindow(db.Model):
    """A category's near-expiry warning: lots expiring within ``days`` show on the list."""

    __tablename__ = "expiry_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), unique=True)
    days: Mapped[int]

    category: Mapped[Category] = relationship()


class SuggestionStatus(StrEnum):
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class MarkdownSuggestion(db.Model):
    """A suggested promotion for a lot close to its date; the manager accepts or dismisses it."""

    __tablename__ = "markdown_suggestions"
    __table_args__ = (
        Index("uq_markdown_suggestions_open", "store_id", "lot_id", unique=True,
              sqlite_where=text("status = 'suggested'"), postgresql_where=text("status = 'suggested'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    percent_off: Mapped[int]
    price: Mapped[Decimal] = mapped_column(Money)  # the suggested selling price
    status: Mapped[str] = mapped_column(String(10), default=SuggestionStatus.SUGGESTED)
    suggested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    suggested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    store: Mapped[Store] = relationship()
    sku: Mapped[SKU] = relationship()
    lot: Mapped[Lot] = relationship()
    suggested_by: Mapped["User | None"] = relationship("User", foreign_keys=[suggested_by_id])
    decided_by: Mapped["User | None"] = relationship("User", foreign_keys=[decided_by_id])
