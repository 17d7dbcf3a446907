"""The active promotions as engine rules, loaded once and kept until a promotion or category changes.

Every pricing asks one small question ("has anything changed?": a count and the
latest change of the promotions and categories); only when the answer changes
are the rules loaded again and indexed (``RuleBook``). So a process serving
the till prices from memory, and a rule saved in another process is seen at
that process's next pricing. The answer is asked once per transaction (a request
prices several times: the page's amount, then the order), and again after this
transaction itself saves a promotion or a category.
"""
from dataclasses import replace
from decimal import Decimal
from itertools import chain
from threading import Lock

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from webapp.catalog.models import Category
from webapp.extensions import db
from webapp.promotions.engine import Rule, RuleBook, Tier
from webapp.promotions.models import Promotion, PromotionSettings, Status

_cache: dict = {}
_lock = Lock()


def active_book() -> RuleBook:
    """The active promotions' rules, from memory unless a promotion, a category or the chain's floor changed."""
    return _loaded()[1]


def active_book_and_lots() -> tuple[RuleBook, dict[int, int]]:
    """The book, and promotion id → the lot an active near-expiry markdown prices (it ends when the lot is
    gone), from one look at whether anything changed."""
    _, book, lots = _loaded()
    return book, lots


def _loaded() -> tuple:
    info = db.session.info
    if STAMP not in info:
        info[STAMP] = _stamp()
    stamp = info[STAMP]
    key = id(db.engine)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached
    with _lock:
        promotions = list(db.session.scalars(select(Promotion).where(Promotion.status == Status.ACTIVE.value)))
        tree, floor = children(), chain_floor()
        book = RuleBook(to_rule(p, tree, floor) for p in promotions)
        lots = {p.id: int(p.params["lot_id"]) for p in promotions if (p.params or {}).get("lot_id")}
        _cache[key] = cached = (stamp, book, lots)
    return cached


def chain_floor() -> Decimal | None:
    """The chain's default margin floor (%), for promotions without one of their own."""
    return db.session.scalar(select(PromotionSettings.margin_floor).order_by(PromotionSettings.id).limit(1))


def forget() -> None:
    """Drop the cached rules (a promotion changed in this process)."""
    _cache.clear()
    db.session.info.pop(STAMP, None)


STAMP = "promotions_stamp"  # in the session's info: the transaction's answer to "has anything changed?"


@event.listens_for(Session, "after_flush")
def _ask_again_after_saving(session, _context):
    if any(isinstance(o, (Promotion, Category, PromotionSettings)) for o in chain(session.new, session.dirty, session.deleted)):
        session.info.pop(STAMP, None)


@event.listens_for(Session, "after_transaction_end")
def _ask_again_next_transaction(session, transaction):
    if transaction.parent is None:
        session.info.pop(STAMP, None)


def rules_for(promotion_ids) -> list[Rule]:
    """The given promotions as rules that always apply (to re-price a past sale): no dates, budgets, codes."""
    if not promotion_ids:
        return []
    tree, floor = children(), chain_floor()
    promotions = db.session.scalars(select(Promotion).where(Promotion.id.in_(sorted(promotion_ids))))
    return [replace(to_rule(p, tree, floor), stores=frozenset(), channels=frozenset(), starts_at=None, ends_at=None,
                    weekdays=frozenset(), hour_from=None, hour_to=None, members_only=False, member_tiers=frozenset(),
                    max_uses=None,
                    per_customer=None, max_discount=None, needs_coupon=False) for p in promotions]


def to_rule(promotion: Promotion, tree: dict[int, list[int]], chain_floor: Decimal | None = None) -> Rule:
    """The promotion as the engine sees it; without a margin floor of its own, the chain's applies."""
    params = promotion.params or {}
    return Rule(
        id=promotion.id, name=promotion.name, kind=promotion.kind, everything=promotion.everything,
        skus=frozenset(promotion.sku_ids or ()), products=frozenset(promotion.product_ids or ()),
        categories=frozenset(with_children(promotion.category_ids or (), tree)),
        brands=frozenset(promotion.brand_ids or ()),
        stores=frozenset(promotion.store_ids or ()), channels=frozenset(promotion.channels or ()),
        starts_at=promotion.starts_at, ends_at=promotion.ends_at, weekdays=frozenset(promotion.weekdays or ()),
        hour_from=promotion.hour_from, hour_to=promotion.hour_to, members_only=promotion.members_only,
        member_tiers=frozenset(params.get("member_tiers", ())),
        max_uses=promotion.max_uses, per_customer=promotion.per_customer, max_discount=promotion.max_discount,
        exclusive=promotion.exclusive, stackable=promotion.stackable, priority=promotion.priority,
        margin_floor=promotion.margin_floor if promotion.margin_floor is not None else chain_floor,
        needs_coupon=promotion.needs_coupon, points_multiplier=promotion.points_multiplier or Decimal(1),
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
        select(func.sum(Category.parent_id)).scalar_subquery(),
        select(func.max(PromotionSettings.updated_at)).scalar_subquery())).one()
    return tuple(row)
