"""The active promotions as engine rules, loaded once and kept until a promotion or category changes.

Every pricing asks one small question ("has anything changed?": a count and the
latest change of the promotions and categories); only when the answer changes
are the rules loaded again and indexed (``RuleBook``). So a process serving
the till prices from memory, and a rule saved in another process is seen at
that process's next pricing.
"""
from dataclasses import replace
from decimal import Decimal
from threading import Lock

from sqlalchemy import func, select

from webapp.catalog.models import Category
from webapp.extensions import db
from webapp.promotions.engine import Rule, RuleBook, Tier
from webapp.promotions.models import Promotion, Status

_cache: dict = {}
_lock = Lock()


def active_book() -> RuleBook:
    """The active promotions' rules, from memory unless a promotion or category changed."""
    stamp = _stamp()
    key = id(db.engine)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        promotions = db.session.scalars(select(Promotion).where(Promotion.status == Status.ACTIVE.value))
        book = RuleBook(to_rule(p, children()) for p in promotions)
        _cache[key] = (stamp, book)
    return book


def forget() -> None:
    """Drop the cached rules (a promotion changed in this process)."""
    _cache.clear()


def rules_for(promotion_ids) -> list[Rule]:
    """The given promotions as rules that always apply (to re-price a past sale): no dates, budgets, codes."""
    if not promotion_ids:
        return []
    tree = children()
    promotions = db.session.scalars(select(Promotion).where(Promotion.id.in_(sorted(promotion_ids))))
    return [replace(to_rule(p, tree), stores=frozenset(), channels=frozenset(), starts_at=None, ends_at=None,
                    weekdays=frozenset(), hour_from=None, hour_to=None, members_only=False, member_tiers=frozenset(),
                    max_uses=None,
                    per_customer=None, max_discount=None, needs_coupon=False) for p in promotions]


def to_rule(promotion: Promotion, tree: dict[int, list[int]]) -> Rule:
    params = promotion.params or {}
    return Rule(
        id=promotion.id, name=promotion.name, kind=promotion.kind, everything=promotion.everything,
        skus=frozenset(promotion.sku_ids or ()), products=frozenset(promotion.product_ids or ()),
        categories=frozenset(with_children(promotion.category_ids or (), tree)),
        stores=frozenset(promotion.store_ids or ()), channels=frozenset(promotion.channels or ()),
        starts_at=promotion.starts_at, ends_at=promotion.ends_at, weekdays=frozenset(promotion.weekdays or ()),
        hour_from=promotion.hour_from, hour_to=promotion.hour_to, members_only=promotion.members_only,
        member_tiers=frozenset(params.get("member_tiers", ())),
        max_uses=promotion.max_uses, per_customer=promotion.per_customer, max_discount=promotion.max_discount,
        exclusive=promotion.exclusive, stackable=promotion.stackable, priority=promotion.priority,
        margin_floor=promotion.margin_floor, needs_coupon=promotion.needs_coupon,
        tiers=tuple(sorted((Tier(Decimal(t), Decimal(s)) for t, s in params.get("tiers", ())),
                           key=lambda tier: tier.threshold)),
        repeat=bool(params.get("repeat")), percent=Decimal(params.get("percent", "0")),
        price=Decimal(params.get("price", "0")), nth=int(params.get("nth", 0)), buy=int(params.get("buy", 0)),
        free=int(params.get("free", 0)),
        bundle=tuple((int(sku_id), int(quantity)) for sku_id, quantity in params.get("bundle", ())),
        bundle_price=Decimal(params.get("bundle_price", "0")),
    )


def with_children(category_ids, tree: dict[int, list[int]]) -> set[int]:
    found, todo = set(), list(category_ids)
    while todo:
        category_id = todo.pop()
        if category_id not in found:
            found.add(category_id)
            todo.extend(tree.get(category_id, ()))
    return found


def children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for category_id, parent_id in db.session.execute(select(Category.id, Category.parent_id)):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(category_id)
    return children


def _stamp() -> tuple:
    row = db.session.execute(select(
        func.count(Promotion.id), func.max(Promotion.updated_at), func.max(Promotion.id),
        select(func.count(Category.id)).scalar_subquery(),
        select(func.sum(Category.parent_id)).scalar_subquery())).one()
    return tuple(row)
