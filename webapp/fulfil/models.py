"""What the store could not find for an online order: one row per dropped line, kept for the record."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money, Quantity
from webapp.sales.online.models import OnlineOrder


class Shortage(db.Model):
    """A line dropped while picking: its reservation released, its amount off the order (refunded if paid)."""

    __tablename__ = "fulfil_shortages"

    id: Mapped[int] = mapped_column(primary_key=True)
    online_order_id: Mapped[int] = mapped_column(ForeignKey("online_orders.id"), index=True)
    line_id: Mapped[int]  # the order line dropped (gone from the order; kept here by its number)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    amount: Mapped[Decimal] = mapped_column(Money)  # the line's amount, taken off the order
    refunded: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))  # given back through the provider
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    online_order: Mapped[OnlineOrder] = relationship()
    sku: Mapped[SKU] = relationship()
    user: Mapped[User | None] = relationship()
