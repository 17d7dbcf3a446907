"""The "favourite brand" member tag (``brand:<id>``): the brand a member spent most on, bought at least twice
(a single purchase is not a habit). One set-based ``INSERT … SELECT … GROUP BY`` over the completed sales
with a customer (through the recompute's per-member-and-product scratch table), run by ``tags.recompute``
with the other families; products without a brand count for no brand. The segment editor lists it like every tag in use ("最爱品牌:农夫山泉")."""
from flask_babel import gettext as _
from sqlalchemy import select, text

from webapp.catalog.models import Brand
from webapp.extensions import db

FAMILY = "brand"
MINIMUM_ORDERS = 2


def favourite_brands(bought: str | None = None) -> int:
    """Tag each member with their favourite brand; returns how many were tagged.

    ``bought``: a table of what each member bought per product (``customer_id, product_id, amount, orders``:
    the recompute's scratch table ``member_bought``), read instead of every order line — five times
    faster; a purchase is then an order's product (two products of the brand in one order count twice).
    Without it the orders are read and a purchase is an order."""
    if bought is None:
        source = """SELECT o.customer_id AS customer_id, p.brand_id AS brand_id, SUM(l.amount) AS amount,
                           COUNT(DISTINCT o.id) AS purchases
                    FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN skus s ON s.id = l.sku_id
                         JOIN products p ON p.id = s.product_id
                    WHERE o.kind = 'sale' AND o.status = 'completed' AND o.customer_id IS NOT NULL
                          AND p.brand_id IS NOT NULL
                    GROUP BY o.customer_id, p.brand_id"""
    else:
        source = f"""SELECT b.customer_id AS customer_id, p.brand_id AS brand_id, SUM(b.amount) AS amount,
                            SUM(b.orders) AS purchases
                     FROM {bought} b JOIN products p ON p.id = b.product_id
                     WHERE p.brand_id IS NOT NULL
                     GROUP BY b.customer_id, p.brand_id"""
    return db.session.execute(text(f"""
        INSERT INTO member_tags (customer_id, tag)
        SELECT customer_id, '{FAMILY}:' || brand_id FROM (
          SELECT customer_id, brand_id,
                 ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY amount DESC, brand_id) AS place
          FROM ({source}) AS spent WHERE purchases >= {MINIMUM_ORDERS}) AS ranked
        WHERE place = 1""")).rowcount


def labels(tags) -> dict[str, str]:
    """What a shop owner reads for the brand tags among ``tags`` (the brands' names looked up once)."""
    ids = {tag: int(value) for tag in tags
           if tag.startswith(FAMILY + ":") and (value := tag.split(":", 1)[1]).isdigit()}
    if not ids:
        return {}
    names = dict(db.session.execute(select(Brand.id, Brand.name).where(Brand.id.in_(set(ids.values())))).all())
    return {tag: _("Favourite brand: %(brand)s", brand=names.get(brand_id, brand_id)) for tag, brand_id in ids.items()}
