"""A product's photo: one per product for every colour (``colour`` empty) and one per colour of a
variant product; the files are named by the content's hash (see ``services``)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.catalog.models import Product
from webapp.clock import utcnow
from webapp.extensions import db


class ProductPhoto(db.Model):
    __tablename__ = "product_photos"
    __table_args__ = (UniqueConstraint("product_id", "colour", name="uq_product_photos_product_colour"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    colour: Mapped[str] = mapped_column(String(40), default="")  # the SKUs' 颜色 value; "" for every colour
    digest: Mapped[str] = mapped_column(String(64))  # the file names' stem: a hash of the uploaded content
    width: Mapped[int]  # of the large picture
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship()
