""""Often bought together" (买过婴儿奶粉的客户,自动推荐辅食): the products most often in the same orders as
the ones shown, from the co-purchase counts ``flask outreach tags`` keeps (top 4 per product, counted over
the last year's newest 200,000 sales: ``tags.refresh_together``). The shop's product page and cart include
``outreach/_together.html``; it asks ``often_bought_with`` here."""
from sqlalchemy import func, select

from webapp.catalog.models import Product
from webapp.extensions import db
from webapp.outreach.blueprint import bp
from webapp.outreach.models import OftenBoughtTogether

SHOWN = 4


def for_products(product_ids, limit: int = SHOWN) -> list[tuple[Product, int]]:
    """Active products bought with these (not these themselves), most orders together first."""
    product_ids = [i for i in product_ids if i]
    if not product_ids:
        return []
    together = func.sum(OftenBoughtTogether.orders).label("together")
    rows = db.session.execute(
        select(Product, together).join(OftenBoughtTogether, OftenBoughtTogether.other_id == Product.id)
        .where(OftenBoughtTogether.product_id.in_(product_ids), OftenBoughtTogether.other_id.not_in(product_ids),
               Product.active.is_(True))
        .group_by(Product.id).order_by(together.desc(), Product.id).limit(limit))
    return [(product, n) for product, n in rows]


@bp.app_template_global()
def often_bought_with(*things) -> list[Product]:
    """For templates: a product, a list of products, or a cart (its lines' products)."""
    ids = []
    for thing in things:
        if thing is None:
            continue
        if isinstance(thing, Product):
            ids.append(thing.id)
        elif hasattr(thing, "lines"):
            ids.extend(line.sku.product_id for line in thing.lines)
        else:
            ids.extend(p.id for p in thing)
    return [product for product, _n in for_products(ids)]
