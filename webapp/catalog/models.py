"""The catalogue: categories, brands, products, their SKUs, barcodes and prices."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money


class Unit(StrEnum):
    PIECE = "piece"
    KG = "kg"
    BOX = "box"
    BOTTLE = "bottle"
    PACK = "pack"


class Tracking(StrEnum):
    NONE = "none"
    LOT = "lot"
    SERIAL = "serial"


class Symbology(StrEnum):
    EAN13 = "ean13"
    EAN8 = "ean8"
    UPCA = "upca"
    CODE128 = "code128"


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped["Category | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Category"]] = relationship(back_populates="parent", order_by="Category.position")

    @property
    def path(self) -> str:
        return f"{self.parent.path} / {self.name}" if self.parent else self.name


class Brand(db.Model):
    """A brand (农夫山泉, 康师傅): one name per chain; promotions and member tags may name it."""

    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class Supplier(db.Model):
    """Who a product is bought from. Purchasing adds orders and terms on top."""

    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    contact: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    lead_time_days: Mapped[int] = mapped_column(default=2)
    # The smallest order the supplier delivers, in yuan (0: any).
    minimum_order: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))


class Product(db.Model):
    __tablename__ = "products"
    # The shop's home page lists the newest products in stock: walked newest first, it stops at the
    # eighth in stock (without it, every visit joined all the chain's stock levels: 156 ms on 240,000).
    __table_args__ = (Index("ix_products_newest", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    # Initials of the name's pinyin ("kkkl" for 可口可乐), for search at the till.
    initials: Mapped[str] = mapped_column(String(100), default="", index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"), index=True)
    unit: Mapped[str] = mapped_column(String(10), default=Unit.PIECE)
    weighed: Mapped[bool] = mapped_column(default=False)
    tracking: Mapped[str] = mapped_column(String(10), default=Tracking.NONE)
    # Price look-up code printed in scale labels (2x EAN-13), for weighed goods.
    plu: Mapped[str | None] = mapped_column(String(5), unique=True)
    # The style number on a garment's tag (款号): scanning it asks which size and colour.
    style_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    preferred_supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    category: Mapped[Category | None] = relationship()
    brand: Mapped[Brand | None] = relationship()
    preferred_supplier: Mapped[Supplier | None] = relationship()
    skus: Mapped[list["SKU"]] = relationship(
        back_populates="product", order_by="SKU.id", cascade="all, delete-orphan"
    )


class SKU(db.Model):
    """One sellable variant of a product (size, colour...); a product has at least one."""

    __tablename__ = "skus"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    list_price: Mapped[Decimal] = mapped_column(Money)
    member_price: Mapped[Decimal | None] = mapped_column(Money)
    # Moving-average cost, kept by the stock ledger on each receipt.
    cost: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    active: Mapped[bool] = mapped_column(default=True)

    product: Mapped[Product] = relationship(back_populates="skus")
    barcodes: Mapped[list["Barcode"]] = relationship(
        back_populates="sku", order_by="Barcode.id", cascade="all, delete-orphan"
    )

    @property
    def variant_label(self) -> str:
        return " / ".join(str(v) for v in self.attributes.values())

    @property
    def display_name(self) -> str:
        label = self.variant_label
        return f"{self.product.name} {label}" if label else self.product.name


class Barcode(db.Model):
    __tablename__ = "barcodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    symbology: Mapped[str] = mapped_column(String(10))

    sku: Mapped[SKU] = relationship(back_populates="barcodes")


class StorePrice(db.Model):
    """A store's own price for a SKU, overriding the list price."""

    __tablename__ = "store_prices"
    __table_args__ = (UniqueConstraint("store_id", "sku_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    price: Mapped[Decimal] = mapped_column(Money)
    member_price: Mapped[Decimal | None] = mapped_column(Money)

