"""The conflict preview shown when a promotion is saved: a few sample baskets priced by the real engine
with the promotions running now, and again with this one added, so the manager sees which promotion wins,
which stack and which no longer apply, before anything reaches a till."""
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import or_, select

from webapp.catalog.models import SKU, Product
from webapp.extensions import db
from webapp.promotions import rules
from webapp.promotions.engine import Rule
from webapp.promotions.models import Promotion
from webapp.promotions.services import Applied, Channel, PricedCart, price_cart
from webapp.stores.models import Store


@dataclass(frozen=True)
class Sample:
    lines: list[tuple[SKU, Decimal]]
    before: PricedCart
    after: PricedCart

    @property
    def gained(self) -> Decimal:
        return self.before.total - self.after.total

    @property
    def lost(self) -> list[Applied]:
        """Promotions running now that this basket no longer gets with the new one."""
        kept = {applied.id for applied in self.after.promotions}
        return [applied for applied in self.before.promotions if applied.id not in kept]


def preview(promotion: Promotion, store: Store, channel: Channel = Channel.POS) -> list[Sample]:
    rule = _as_running(promotion)
    samples = []
    for lines in sample_baskets(promotion):
        before = price_cart(store, channel, lines, adjust=lambda found: [r for r in found if r.id != rule.id])
        after = price_cart(store, channel, lines,
                           adjust=lambda found: sorted([r for r in found if r.id != rule.id] + [rule],
                                                       key=lambda r: r.id))
        samples.append(Sample(lines, before, after))
    return samples


def others_touching(promotion: Promotion) -> list[Rule]:
    """The running promotions that could meet this one on the same items (the conflicts to read)."""
    mine = _as_running(promotion)
    book = rules.active_book()
    found = []
    for other in book.rules:
        if other.id == mine.id:
            continue
        if mine.may_meet(other):
            found.append(other)
    return found


def sample_baskets(promotion: Promotion) -> list[list[tuple[SKU, Decimal]]]:
    """A few baskets a shop would see: one item, enough to earn the promotion, two different items."""
    params = promotion.params or {}
    skus = _skus_in_scope(promotion)
    if not skus:
        return []
    first = skus[0]
    baskets = [[(first, Decimal(1))]]
    if promotion.kind == "nth_item":
        baskets.append([(first, Decimal(int(params.get("nth", 2))))])
    if promotion.kind == "buy_get":
        baskets.append([(first, Decimal(int(params.get("buy", 1)) + int(params.get("free", 1))))])
    if promotion.kind == "bundle":
        by_id = {sku.id: sku for sku in skus}
        baskets = [[(by_id[sku_id], Decimal(qty)) for sku_id, qty in params.get("bundle", []) if sku_id in by_id]]
    if promotion.kind == "threshold" and params.get("tiers"):
        spend = Decimal(params["tiers"][0][0])
        baskets.append([(first, max(Decimal(1), -(-spend // first.list_price)))])
    if len(skus) > 1 and promotion.kind != "bundle":
        baskets.append([(first, Decimal(1)), (skus[1], Decimal(2))])
    return baskets[:4]


def _as_running(promotion: Promotion) -> Rule:
    """The promotion as if it were running now, wherever and whenever it is set to run."""
    rule = rules.to_rule(promotion, rules.children(), rules.chain_floor())
    return replace(rule, starts_at=None, ends_at=None, weekdays=frozenset(), hour_from=None, hour_to=None,
                   stores=frozenset(), channels=frozenset(), members_only=False, needs_coupon=False)


def _skus_in_scope(promotion: Promotion, limit: int = 2) -> list[SKU]:
    if promotion.kind == "bundle":
        ids = [sku_id for sku_id, _ in (promotion.params or {}).get("bundle", [])]
        return list(db.session.scalars(select(SKU).where(SKU.id.in_(ids))))
    query = select(SKU).where(SKU.active).order_by(SKU.id).limit(limit)
    if not promotion.everything:
        categories = rules.with_children(promotion.category_ids, rules.children())
        query = query.where(or_(SKU.id.in_(promotion.sku_ids), SKU.product_id.in_(promotion.product_ids),
                                SKU.product_id.in_(select(Product.id).where(Product.category_id.in_(categories))),
                                SKU.product_id.in_(select(Product.id).where(
                                    Product.brand_id.in_(promotion.brand_ids or [])))))
    return list(db.session.scalars(query))
