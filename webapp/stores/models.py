"""Stores: the HQ warehouse, direct stores and franchise stores."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money


class StoreKind(StrEnum):
    HQ_WAREHOUSE = "hq_warehouse"
    DIRECT = "direct"
    FRANCHISE = "franchise"


class Store(db.Model):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default=StoreKind.DIRECT)
    address: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(50), default="")
    district: Mapped[str] = mapped_column(String(50), default="")
    # Coordinates are positions, not money or stock: floats are fine here.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    phone: Mapped[str] = mapped_column(String(30), default="")
    opening_hours: Mapped[str] = mapped_column(String(100), default="")
    # May a till sale drive on hand below zero? The goods are in the customer's hand.
    allow_negative_stock: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    # The online shop: pickup here when on; delivery within the radius (0: no delivery).
    online_pickup: Mapped[bool] = mapped_column(default=False)
    delivery_radius_m: Mapped[int] = mapped_column(default=0)
    delivery_fee: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    minimum_order: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    pay_at_pickup: Mapped[bool] = mapped_column(default=False)
    unpaid_hold_minutes: Mapped[int] = mapped_column(default=15)  # an unpaid order's stock is held this long
    # The till: a refund above this needs a manager's PIN (0.00: every refund does).
    refund_approval_above: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    typed_weights: Mapped[bool] = mapped_column(default=True)  # the till may take a weight typed by hand
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_warehouse(self) -> bool:
        return self.kind == StoreKind.HQ_WAREHOUSE

    def __repr__(self) -> str:
        return f"<Store {self.code}>"
