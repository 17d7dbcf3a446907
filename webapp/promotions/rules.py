"""The active promotions as engine rules, loaded once and kept until a promotion or category changes.

"Has anything changed?" (a count and the latest change of the promotions, categories and the chain's
floor: ``_stamp``) costs the hot path no statement of its own: each process asks it at most once every
``CHECK_SECONDS`` (``PROMOTIONS_CHECK_SECONDS``, 1 s), whichever request comes first, and prices from
memory in between. So a promotion started, stopped or edited in another process is seen everywhere
within that bound (plus the length of a request already under way); the process that saves it sees it
at once — the saving transaction loads the rules it has just written, and its commit drops this
process's book (``forget``, the session events below). A promotion's own dates and hours are checked by
the engine at each pricing, not by this cache.

A request never mixes two versions: the first pricing of a transaction pins the book it used to the
session (``session.info``) and every later pricing in that transaction uses the same one.
"""
import time
import weakref
from dataclasses import replace
from decimal import Decimal
from itertools import chain
from threading import Lock

from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from webapp.catalog.models import Category
from webapp.extensions import db
from webapp.promotions.engine import Rule, RuleBook, Tier
from webapp.promotions.models import Promotion, PromotionSettings, Status

CHECK_SECONDS = 1.0  # the default bound on how long another process's change may go unseen

_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # engine → Loaded, per database
_lock = Lock()

PINNED = "promotions_book"  # in the session's info: the book this transaction prices with
SAVED = "promotions_saved"  # in the session's info: this transaction changed a promotion or category


class Loaded:
    """A loaded book, with the stamp it was loaded at and when the stamp was last asked (monotonic)."""

    __slots__ = ("stamp", "book", "lots", "checked")

    def __init__(self, stamp, book, lots, checked: float):
        self.stamp, self.book, self.lots, self.checked = stamp, book, lots, checked


def active_book() -> RuleBook:
    """The active promotions' rules, from memory unless a promotion, a category or the chain's floor changed."""
    return _loaded().book


def active_book_and_lots() -> tuple[RuleBook, dict[int, int]]:
    """The book, and promotion id → the lot an active near-expiry markdown prices (it ends when the lot is
    gone), from one look at whether anything changed."""
    loaded = _loaded()
    return loaded.book, loaded.lots


def _loaded() -> Loaded:
    info = db.session.info
    pinned = info.get(PINNED)
    if pinned is not None:
        return pinned
    if info.get(SAVED):  # this transaction changed the rules: its own view, kept from the other requests
        info[PINNED] = loaded = _load(None, time.monotonic())
        return loaded
    engine = db.engine
    cached = _cache.get(engine)
    now = time.monotonic()
    if cached is None or now - cached.checked >= current_app.config.get("PROMOTIONS_CHECK_SECONDS", CHECK_SECONDS):
        stamp = _stamp()
        if cached is not None and cached.stamp == stamp:
            cached.checked = now
        else:
            with _lock:
                cached = _load(stamp, now)
                _cache[engine] = cached
    info[PINNED] = cached
    return cached


def _load(stamp, now: float) -> Loaded:
    promotions = list(db.session.scalars(select(Promotion).where(Promotion.status == Status.ACTIVE.value)))
    tree, floor = children(), chain_floor()
    book = RuleBook(to_rule(p, tree, floor) for p in promotions)
    lots = {p.id: int(p.params["lot_id"]) for p in promotions if (p.params or {}).get("lot_id")}
    return Loaded(stamp, book, lots, now)


def chain_floor() -> Decimal | None:
    """The chain's default margin floor (%), for promotions without one of their own."""
    return db.session.scalar(select(PromotionSettings.margin_floor).order_by(PromotionSettings.id).limit(1))


def forget() -> None:
    """A promotion, category or the floor changed in this process: this transaction prices with what it
    wrote, and the process's book is dropped now and again when the change commits."""
    drop_cached()
    db.session.info.pop(PINNED, None)
    db.session.info[SAVED] = True


def drop_cached() -> None:
    """Every process-wide book goes (the next pricing loads the rules again)."""
    _cache.clear()


RULE_TABLES = frozenset({Promotion.__tablename__, Category.__tablename__, PromotionSettings.__tablename__})


@event.listens_for(Session, "after_flush")
def _ask_again_after_saving(session, _context):
    if any(isinstance(o, (Promotion, Category, PromotionSettings)) for o in chain(session.new, session.dirty, session.deleted)):
        session.info.pop(PINNED, None)
        session.info[SAVED] = True


@event.listens_for(Session, "do_orm_execute")
def _saved_by_statement(state):
    """An INSERT, UPDATE or DELETE of promotions or categories sent as a statement (no flush to see it)."""
    if (state.is_insert or state.is_update or state.is_delete) and \
            getattr(state.statement, "table", None) is not None and state.statement.table.name in RULE_TABLES:
        state.session.info.pop(PINNED, None)
        state.session.info[SAVED] = True


@event.listens_for(Session, "after_commit")
def _drop_after_saving(session):
    if session.info.pop(SAVED, None):
        drop_cached()  # this process sees the change at once (the others within CHECK_SECONDS)


@event.listens_for(Session, "after_transaction_end")
def _ask_again_next_transaction(session, transaction):
    if transaction.parent is None:
        session.info.pop(PINNED, None)
        session.info.pop(SAVED, None)


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
