"""The shop's cart: server-side, keyed by a long-lived cookie, and a customer's once they sign in.

A cart also remembers the customer's fulfilment choice (pickup at a store, or
delivery to an address) and where they are (a district, or the coordinates
the browser gave), so checkout is a plain form over what the cart holds.
"""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Quantity
from webapp.stores.models import Store


class Cart(db.Model):
    __tablename__ = "shop_carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the cookie's value
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    fulfilment: Mapped[str] = mapped_column(String(10), default="pickup")
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))  # the chosen pickup store
    district: Mapped[str] = mapped_column(String(50), default="")
    # Positions, not money or stock: floats are fine here.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    address: Mapped[str] = mapped_column(String(200), default="")
    coupon_code: Mapped[str] = mapped_column(String(32), default="")  # a code typed in the cart, checked there
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer: Mapped[User | None] = relationship()
    store: Mapped[Store | None] = relationship()
    lines: Mapped[list["CartLine"]] = relationship(
        back_populates="cart", order_by="CartLine.id", cascade="all, delete-orphan")


class CartLine(db.Model):
    __tablename__ = "shop_cart_lines"
    __table_args__ = (UniqueConstraint("cart_id", "sku_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("shop_carts.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)

    cart: Mapped[Cart] = relationship(back_populates="lines")
    sku: Mapped[SKU] = relationship()
