"""The promotion engine: one pure function prices a basket against the live rules.

No database, no request: ``price(items, rules, context)`` takes plain snapshots
(``Item``, ``Rule``) and returns what each rule took off each line. The till,
the shop, returns and the margin simulation all call it (through
``webapp.promotions.services``), so a basket costs the same everywhere.

Stacking, in the order a person would predict it:

1. Item level first (折扣, 特价, 第N件X折, 买N送M, 套餐价), on the lines' prices.
   Each line gets the one best item promotion; a promotion over several lines
   (a bundle, buy 2 get 1) takes its lines when it saves more than the best
   single-line promotions on them would. Then every *stackable* item promotion
   comes off what is left, highest priority first.
2. Order level (满减) on the reduced amounts: the one best, then the stackable
   ones, highest priority first. Each order saving is shared over the lines it
   covers in proportion to their amounts, largest remainder, exact to the fen.
3. An *exclusive* promotion never combines: the customer gets whichever is
   better, it alone or all the others together.

A margin floor (lowest gross margin %) is never crossed: a rule takes off a
line at most what keeps the line's amount at ``cost × qty ÷ (1 − floor)``.
A budget (total saving) caps what a rule still gives. Equal savings go to the
higher priority, then the older rule.

Arithmetic: Decimals at the edges only. Each item's figures are turned into
whole fen (and its quantity and cost into exact fractions) once per pricing;
every saving, floor and share inside is integer arithmetic, rounded exactly as
the Decimal rules say (half-up to the fen; a floor rounds up); the lines come
back as Decimals. What a rule applies to (SKU, product, category …) is read in
one place, ``SCOPES``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cached_property
from math import lcm
from operator import attrgetter

from webapp.numbers import FEN

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
UNREACHABLE = 1 << 62  # the floor of a 100 % margin floor, in fen: no amount is high enough

# What a rule can apply to, one line per kind of target: (the Rule's set of ids, the Item's id). The rule book's
# index, ``Rule.covers`` and ``Rule.may_meet`` read only this, so a new kind of target (brand, tag) is one line
# here, beside its field on Rule and on Item.
SCOPES = (("skus", "sku_id"), ("products", "product_id"), ("categories", "category_id"), ("brands", "brand_id"))


@dataclass(frozen=True)
class Item:
    """A basket line as the engine sees it."""

    sku_id: int
    product_id: int
    category_id: int | None
    quantity: Decimal
    unit_price: Decimal  # before promotions: the store's price, or the member price
    cost: Decimal = ZERO  # per unit, for margin floors
    brand_id: int | None = None

    @cached_property
    def whole_units(self) -> int:
        """Units that count for 第N件 / 买N送M / bundles (weighed goods do not)."""
        return int(self.quantity) if self.quantity == self.quantity.to_integral_value() else 0


@dataclass(frozen=True)
class Tier:
    threshold: Decimal
    saving: Decimal


@dataclass(frozen=True)
class Rule:
    """A promotion as the engine sees it; ``categories`` already includes the children."""

    id: int
    name: str
    kind: str
    everything: bool = False
    skus: frozenset = frozenset()
    products: frozenset = frozenset()
    categories: frozenset = frozenset()
    brands: frozenset = frozenset()
    stores: frozenset = frozenset()
    channels: frozenset = frozenset()
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    weekdays: frozenset = frozenset()
    hour_from: int | None = None
    hour_to: int | None = None
    members_only: bool = False
    member_tiers: frozenset = frozenset()  # only for members of these tiers (webapp.members.models.Tier)
    max_uses: int | None = None
    per_customer: int | None = None
    max_discount: Decimal | None = None
    exclusive: bool = False
    stackable: bool = False
    priority: int = 0
    margin_floor: Decimal | None = None
    needs_coupon: bool = False
    points_multiplier: Decimal = Decimal(1)  # 积分 ×2 on the lines it applies to (see Result.points_multipliers)
    # figures of the kind
    tiers: tuple[Tier, ...] = ()
    repeat: bool = False
    percent: Decimal = ZERO  # percent off (折扣, 第N件X折)
    price: Decimal = ZERO  # 特价
    nth: int = 0  # 第N件
    buy: int = 0  # 买N送M
    free: int = 0
    bundle: tuple[tuple[int, int], ...] = ()  # (sku_id, quantity)
    bundle_price: Decimal = ZERO

    @property
    def order_level(self) -> bool:
        return self.kind == "threshold"

    @cached_property
    def rank(self) -> tuple[int, int]:
        """Who goes first: the higher priority, then the older rule."""
        return (-self.priority, self.id)

    @cached_property
    def share(self) -> Decimal:
        """The percent as a fraction (0.15 for 15 %), worked out once."""
        return self.percent / HUNDRED

    def covers(self, item: Item) -> bool:
        if self.kind == "bundle":
            return any(sku_id == item.sku_id for sku_id, _ in self.bundle)
        return self.everything or any(getattr(item, key) in getattr(self, scope) for scope, key in SCOPES)

    def may_meet(self, other: Rule) -> bool:
        """Whether both rules may apply to one same item (the running promotions a new one could meet)."""
        return (self.everything or other.everything or self.kind == "bundle" or other.kind == "bundle"
                or any(getattr(self, scope) & getattr(other, scope) for scope, _ in SCOPES))

    @cached_property
    def unconditional(self) -> bool:
        """No store, channel, time, member, coupon or budget condition: live for every basket."""
        return not (self.stores or self.channels or self.starts_at or self.ends_at or self.weekdays
                    or self.hour_from is not None or self.members_only or self.member_tiers or self.needs_coupon
                    or self.max_uses is not None or self.per_customer is not None or self.max_discount is not None)

    def live(self, context: Context) -> bool:
        """Whether the rule applies to this basket's store, channel, moment and customer."""
        if self.unconditional:
            return True
        if self.stores and context.store_id not in self.stores:
            return False
        if self.channels and context.channel not in self.channels:
            return False
        if self.starts_at is not None and context.at < self.starts_at:
            return False
        if self.ends_at is not None and context.at >= self.ends_at:
            return False
        local = context.local or context.at
        if self.weekdays and local.weekday() not in self.weekdays:
            return False
        if self.hour_from is not None and self.hour_to is not None and not (
                self.hour_from <= local.hour < self.hour_to):
            return False
        if self.members_only and not (context.customer and context.customer.member):
            return False
        if self.member_tiers and not (context.customer and context.customer.tier in self.member_tiers):
            return False
        if self.needs_coupon and self.id not in context.coupons:
            return False
        used = context.usage.get(self.id)
        if used is not None:
            if self.max_uses is not None and used.uses >= self.max_uses:
                return False
            if self.per_customer is not None and used.customer_uses >= self.per_customer:
                return False
            if self.max_discount is not None and used.discount >= self.max_discount:
                return False
        return True

    def budget_left(self, context: Context) -> Decimal | None:
        if self.max_discount is None:
            return None
        used = context.usage.get(self.id)
        return self.max_discount - (used.discount if used else ZERO)

    # ---- the rule's figures in whole numbers, worked out once per rule

    @cached_property
    def whole(self) -> _Whole:
        return _Whole(self)


class _Whole:
    """A rule's figures for integer arithmetic: fractions of whole numbers, amounts in fen."""

    __slots__ = ("share_n", "share_d", "price_n", "price_d", "floor_n", "floor_d", "tiers", "bundle_price")

    def __init__(self, rule: Rule):
        self.share_n, self.share_d = rule.share.as_integer_ratio()  # saving = amount × n ÷ d
        self.price_n, self.price_d = rule.price.as_integer_ratio()
        self.price_n *= 100  # in fen
        if rule.margin_floor is None:
            self.floor_n = self.floor_d = None
        else:  # the lowest amount is cost × qty × n ÷ d, where n ÷ d = 1 ÷ (1 − floor ÷ 100)
            top, bottom = rule.margin_floor.as_integer_ratio()
            self.floor_n, self.floor_d = 100 * bottom, 100 * bottom - top
        # (threshold in fen as a fraction n ÷ d, saving in fen)
        self.tiers = [(*_fen_fraction(tier.threshold), _to_fen(tier.saving)) for tier in rule.tiers]
        self.bundle_price = _fen_fraction(rule.bundle_price)


@dataclass(frozen=True)
class Customer:
    """The member hook: who is buying, as a predicate needs it (members arrive in their own issue)."""

    id: int | None = None
    member: bool = False
    tier: str | None = None  # the member's tier, when a rule asks for it


@dataclass(frozen=True)
class Usage:
    uses: int = 0
    customer_uses: int = 0
    discount: Decimal = ZERO


@dataclass(frozen=True)
class Context:
    store_id: int
    channel: str
    at: datetime  # naive UTC
    local: datetime | None = None  # the store's wall clock, for weekdays and hours
    customer: Customer | None = None
    coupons: frozenset = frozenset()  # ids of coupon promotions whose code the customer gave
    usage: dict = field(default_factory=dict)  # rule id → Usage, for rules with budgets


class Line:
    """A priced line: its regular amount, what each rule took off (rule id → saving), what is left."""

    __slots__ = ("item", "regular", "amount", "savings")

    def __init__(self, item: Item, regular: Decimal, amount: Decimal, savings: dict[int, Decimal]):
        self.item = item
        self.regular = regular  # unit price × quantity, rounded once
        self.amount = amount  # the regular amount less every saving
        self.savings = savings

    @property
    def saving(self) -> Decimal:
        return self.regular - self.amount

    def __repr__(self) -> str:
        return f"Line({self.item!r}, regular={self.regular}, savings={self.savings})"


@dataclass(frozen=True)
class Hint:
    """A threshold not reached yet: spend ``missing`` more to save ``saving`` (再买 ¥12 可减 ¥10)."""

    rule: Rule
    missing: Decimal
    saving: Decimal


@dataclass
class Result:
    lines: list[Line]
    rules: dict[int, Rule]  # every rule that saved something, by id
    hints: list[Hint]
    cover: dict[int, list[int]] = field(default_factory=dict, repr=False)  # rule id → indexes of its lines

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def saving(self) -> Decimal:
        return sum((line.saving for line in self.lines), ZERO)

    def applied(self) -> list[tuple[Rule, Decimal]]:
        """(rule, its saving over the basket), in the order the rules were applied."""
        totals: dict[int, Decimal] = {}
        for line in self.lines:
            for rule_id, amount in line.savings.items():
                totals[rule_id] = totals.get(rule_id, ZERO) + amount
        return [(self.rules[rule_id], amount) for rule_id, amount in totals.items() if amount]

    def points_multipliers(self) -> list[Decimal]:
        """Per line: what its points are multiplied by, the highest 积分 ×N of the rules that took something
        off it (1 when none did); earning multiplies it with the member's tier multiplier."""
        return [max((self.rules[rule_id].points_multiplier for rule_id, amount in line.savings.items() if amount),
                    default=Decimal(1)) for line in self.lines]


# ---------------------------------------------------------------- the one function


def price(items: Sequence[Item], rules: Iterable[Rule], context: Context, book: RuleBook | None = None, *,
          hints: bool = True) -> Result:
    """Price the basket: every live rule, stacked as the module says.

    The lines are priced in a canonical order (ties between equal lines are broken by what the lines are,
    never by where they are), so the order the items were added in changes nothing. ``book``: an index
    holding every rule given (the cached one), else one is built for these rules. ``hints=False``: no
    "再买 ¥12 可减 ¥10" (a replay does not show them).
    """
    if not items:
        return Result([], {}, [])
    live = [rule for rule in rules if rule.unconditional or rule.live(context)]
    order = sorted(range(len(items)), key=lambda i: _canonical(items[i]))
    basket = [items[i] for i in order]
    cover = (book or RuleBook(live)).coverage(basket)
    best = _best([_figures_of(item) for item in basket], live, context, cover)
    found = _hints(best, [r for r in live if r.order_level]) if hints else []
    lines: list[Line] = [None] * len(items)  # type: ignore[list-item]
    for position, index in enumerate(order):
        line = best.lines[position]
        lines[index] = Line(basket[position], _yuan(line.figures.regular), _yuan(line.amount),
                            {rule_id: _yuan(saving) for rule_id, saving in line.savings.items()})
    return Result(lines, best.rules, found, cover)


def before_and_after(items: Sequence[Item], new: Rule, context: Context, book: RuleBook) -> list[tuple[int, int, int]]:
    """Each line's (regular amount, amount with the book's other live rules, amount with ``new`` too), in fen,
    in the items' order: what ``price`` gives without and with ``new`` (``book`` holds the running rules and
    ``new``), for a replay of past baskets. When ``new`` is order level and no exclusive rule is in play, the
    item step is the same both times, so it is done once and only the order step twice."""
    if not items:
        return []
    order = sorted(range(len(items)), key=lambda i: _canonical(items[i]))
    basket = [items[i] for i in order]
    cover = book.coverage(basket)
    figures = [_figures_of(item) for item in basket]
    if not cover:  # no rule touches the basket
        return _untouched(order, figures)
    by_id = book.by_id
    live = [by_id[rule_id] for rule_id in cover if rule_id != new.id]
    live = [rule for rule in live if rule.unconditional or rule.live(context)]
    return _priced_twice(order, figures, live, new, context, cover)


def _untouched(order: list[int], figures: list[_Figures]) -> list[tuple[int, int, int]]:
    found: list[tuple[int, int, int]] = [None] * len(order)  # type: ignore[list-item]
    for position, index in enumerate(order):
        found[index] = (figures[position].regular,) * 3
    return found


def _priced_twice(order: list[int], figures: list[_Figures], live: list[Rule], new: Rule, context: Context,
                  cover: dict[int, list[int]]) -> list[tuple[int, int, int]]:
    """``before_and_after`` from the lines in canonical order, the live running rules and their cover."""
    found: list[tuple[int, int, int]] = [None] * len(order)  # type: ignore[list-item]
    if not cover.get(new.id) or not new.live(context):
        before = after = _best(figures, live, context, cover)
    elif new.order_level and not new.exclusive and not any(rule.exclusive for rule in live):
        before, after = _both_order_steps(figures, live, new, context, cover)
    else:
        before = _best(figures, live, context, cover)
        after = _best(figures, [*live, new], context, cover)
    for position, index in enumerate(order):
        found[index] = (figures[position].regular, before.lines[position].amount, after.lines[position].amount)
    return found


SEVERAL_LINES = frozenset({"nth_item", "buy_get", "bundle"})  # item kinds whose saving on a line may weigh others


class Replay:
    """``before_and_after`` for many past baskets against one book and one new rule (the margin replay): the same
    figures, with what repeats from basket to basket worked out once.

    In most baskets each line's item step is its own: no live item promotion on it reaches another line of the
    basket (第N件, 买N送M and 套餐 covering one line only), none is exclusive (that weighs the whole basket) and
    none has a budget (shared by all its lines). A line's own item step depends only on its figures (regular
    amount, quantity, cost; its SKU when a bundle is in play) and on the item rules on it that are live, so it
    is worked out once per such kind of line and remembered for the whole replay. The order step (满减), which
    weighs the whole basket, is then run on those amounts as ``price`` runs it, leaving out the order rules
    whose lowest threshold the basket's regular amount does not reach (they save nothing, before or after);
    the second time, with ``new``, only when ``new`` saves something on the amounts the item step left (an
    order saving only makes amounts smaller, and a smaller base never saves more); ``new`` alone with no floor
    in play is shared out directly, as ``_take_order`` shares it. Any other basket goes the way of
    ``before_and_after``. ``touched``: the baskets ``new`` applies to (its scope), whether or not it saves
    anything on them. tests/promotions/test_replay_shortcuts.py holds it to pricing each basket in full."""

    def __init__(self, book: RuleBook, new: Rule):
        if new.id not in book.by_id:
            raise ValueError("the book holds the new rule too")
        self.book, self.new = book, new
        self.touched = 0
        rules = book.rules
        self._reach = {rule.id: _reach(rule) for rule in rules if rule.order_level}  # the order-level rules
        # what a running rule is to a basket: it weighs the whole basket (exclusive, budget), may reach several
        # of its lines (第N件, 买N送M, 套餐), is order level; no entry: a plain item rule
        self._class = {rule.id: _WHOLE for rule in rules if rule.exclusive or rule.max_discount is not None}
        for rule in rules:
            self._class.setdefault(rule.id, _SEVERAL if rule.kind in SEVERAL_LINES else
                                   _ORDER if rule.order_level else None)
        self._always = {rule.id for rule in rules if rule.unconditional}
        self._everywhere = tuple(rule.id for rule in book.everywhere)
        self._item_rules: dict[tuple, tuple] = {}  # the ids of the rules naming an item → (its item rules, bundled)
        # id(item) → (item, canonical order, figures, ids of the rules naming it, kind, regular amount)
        self._items: dict[int, tuple] = {}
        self._own: dict = {}  # kind, or (kind, ids of its rules out of play) → (amount, floor) after its item step
        self._own_with_new: dict = {}  # the same with ``new`` (item level) in play

    def __call__(self, items: Sequence[Item], context: Context) -> list[tuple[int, int, int]]:
        if not items:
            return []
        known = self._items
        records = [known.get(id(item)) or self._record(item) for item in items]
        if len(records) > 1:
            order = sorted(range(len(records)), key=lambda i: records[i][1])
            records = [records[i] for i in order]
        else:
            order = [0]
        every = list(range(len(records)))
        cover: dict[int, list[int]] = {rule_id: every for rule_id in self._everywhere}  # as RuleBook.coverage
        for position, record in enumerate(records):
            for rule_id in record[3]:
                found = cover.get(rule_id)
                if found is None:
                    cover[rule_id] = [position]
                else:
                    found.append(position)
        if not cover:  # no rule touches the basket
            return _untouched(order, [record[2] for record in records])
        new = self.new
        new_id, by_id, reach, classes, always = new.id, self.book.by_id, self._reach, self._class, self._always
        mine = cover.get(new_id)
        if mine:
            self.touched += 1
            mine = new.live(context)
        regular = sum([record[5] for record in records])
        dead, order_rules, own = [], [], True
        for rule_id, covered in cover.items():
            if rule_id == new_id:
                continue
            if rule_id not in always and not by_id[rule_id].live(context):
                dead.append(rule_id)
                continue
            kind = classes[rule_id]
            if kind is not None:
                if kind is _WHOLE or kind is _SEVERAL and len(covered) > 1:
                    own = False
                elif kind is _ORDER and regular >= reach[rule_id]:
                    order_rules.append(by_id[rule_id])  # (one the basket cannot reach saves nothing, ever)
        if mine and (classes[new_id] is _WHOLE or classes[new_id] is _SEVERAL and len(cover[new_id]) > 1):
            own = False
        figures = [record[2] for record in records]
        if not own:
            live = [by_id[rule_id] for rule_id in cover if rule_id != new_id and rule_id not in dead]
            return _priced_twice(order, figures, live, new, context, cover)
        if dead:
            before = self._item_steps(records, dead, cover, context)
        else:  # (the common case, inline: each line's own item step as remembered)
            own_steps = self._own
            before = [own_steps.get(record[4]) for record in records]
            if None in before:
                before = self._item_steps(records, dead, cover, context)
        after = self._item_steps(records, dead, cover, context, before) if mine and new_id not in reach else before
        best, stacked = _order_rules(order_rules) if order_rules else ((), ())
        before_amounts = _after_order_step(figures, before, best, stacked, context, cover)
        saving = 0
        if mine and new_id in reach and regular >= reach[new_id]:
            saving = _saving_at(new, sum([before[i][0] for i in cover[new_id]]))
        if saving > 0:
            if not best and not stacked and new.margin_floor is None and not any(floor for _, floor in before):
                after_amounts = _shared_out(saving, before_amounts, cover[new_id])  # ``new`` alone, no floor
            elif new.stackable:
                after_amounts = _after_order_step(figures, before, best, sorted([*stacked, new], key=_rank), context,
                                                  cover)
            else:
                after_amounts = _after_order_step(figures, before, sorted([*best, new], key=_rank), stacked, context,
                                                  cover)
        elif after is before:  # ``new`` saves nothing on the basket
            after_amounts = before_amounts
        else:
            after_amounts = _after_order_step(figures, after, best, stacked, context, cover)
        if len(order) == 1:
            return [(records[0][5], before_amounts[0], after_amounts[0])]
        found: list[tuple[int, int, int]] = [None] * len(order)  # type: ignore[list-item]
        for position, index in enumerate(order):
            found[index] = (records[position][5], before_amounts[position], after_amounts[position])
        return found

    def _record(self, item: Item) -> tuple:
        """What the replay keeps of an item: (the item, its canonical order, its figures, the ids of the rules
        naming it, its kind: what its own item step depends on — the item rules on it, ``new`` aside, and its
        figures, its SKU only when a bundle (counted by SKU) is one of them —, its regular amount)."""
        figures = _figures_of(item)
        named = self.book._named(item)[1]
        on_it = self._item_rules.get(named)
        if on_it is None:
            book, new = self.book, self.new
            ids = tuple(sorted(rule_id for rule_id in {*self._everywhere, *named}
                               if rule_id != new.id and rule_id not in self._reach))
            on_it = self._item_rules[named] = (
                ids, new.kind == "bundle" or any(book.by_id[rule_id].kind == "bundle" for rule_id in ids))
        ids, bundled = on_it
        kind = (ids, figures.sku_id if bundled else None, figures.regular, figures.quantity, figures.cost)
        if len(self._items) >= 200_000:
            self._items.clear()
        record = self._items[id(item)] = (item, _canonical(item), figures, named, kind, figures.regular)
        return record

    def _item_steps(self, records: list[tuple], dead: list[int], cover: dict[int, list[int]], context: Context,
                    before: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
        """Each line's own item step, (amount, floor), remembered by the line's kind and the rules out of play on
        it; given ``before`` (the lines without ``new``), the same with ``new`` (item level) in play."""
        known, new_on = (self._own, ()) if before is None else (self._own_with_new, cover[self.new.id])
        found = []
        for position, record in enumerate(records):
            if before is not None and position not in new_on:
                found.append(before[position])
                continue
            key = (record[4], tuple(sorted(rule_id for rule_id in dead if position in cover[rule_id]))) if dead \
                else record[4]
            stepped = known.get(key)
            if stepped is None:
                by_id = self.book.by_id
                rules = [by_id[rule_id] for rule_id, covered in cover.items() if rule_id != self.new.id
                         and rule_id not in dead and rule_id not in self._reach and position in covered]
                if before is not None:
                    rules.append(self.new)
                if len(known) >= 500_000:
                    known.clear()
                stepped = known[key] = _own_item_step(record[2], rules, context)
            found.append(stepped)
        return found


_WHOLE, _SEVERAL, _ORDER = "whole basket", "several lines", "order level"


def _own_item_step(figures: _Figures, rules: list[Rule], context: Context) -> tuple[int, int]:
    """A line's item step on its own: (its amount, its floor) after the item promotions on it."""
    result = _Priced([_Line(figures)], {}, {rule.id: [0] for rule in rules})
    item_best, item_stacked, _, _ = _steps(rules, result.cover)
    _item_step(result, item_best, item_stacked, context)
    line = result.lines[0]
    return line.amount, line.floor


def _order_rules(rules: list[Rule]) -> tuple[list[Rule], list[Rule]]:
    """Order-level rules as ``_steps`` sorts them: (the best of them wins, the stackable ones), by rank."""
    best, stacked = [], []
    for rule in sorted(rules, key=_rank):
        (stacked if rule.stackable else best).append(rule)
    return best, stacked


def _after_order_step(figures: list[_Figures], stepped: list[tuple[int, int]], best: list[Rule],
                      stacked: list[Rule], context: Context, cover: dict[int, list[int]]) -> list[int]:
    """The lines' amounts after the order step, from (amount, floor) as the item step left them."""
    if not best and not stacked:
        return [amount for amount, _ in stepped]
    lines = []
    for line_figures, (amount, floor) in zip(figures, stepped, strict=True):
        line = _Line(line_figures)
        line.amount, line.floor = amount, floor
        lines.append(line)
    _order_step(_Priced(lines, {}, cover), best, stacked, context)
    return [line.amount for line in lines]


def _shared_out(saving: int, amounts: list[int], covered: list[int]) -> list[int]:
    """The amounts after an order saving that is the only one on the basket (no floor, no budget): as
    ``_take_order`` shares it."""
    covered = [i for i in covered if amounts[i] > 0]
    shares = _allocate(min(saving, sum(amounts[i] for i in covered)), [amounts[i] for i in covered])
    after = list(amounts)
    for i, share in zip(covered, shares, strict=True):
        after[i] -= share
    return after


def _reach(rule: Rule) -> int:
    """An order-level rule's lowest base (in fen) that saves anything: below it, ``_saving_at`` is nothing."""
    tiers = rule.whole.tiers
    if rule.repeat and tiers:
        top, bottom, _ = tiers[0]
        return _ceil(top, bottom) if top > 0 else UNREACHABLE
    return min((_ceil(top, bottom) for top, bottom, _ in tiers), default=UNREACHABLE)


# ---------------------------------------------------------------- inside, in whole fen


class _Figures:
    """An item in whole numbers, once per item: its regular amount in fen, its whole units, its quantity and
    its cost × quantity (in fen) as exact fractions."""

    __slots__ = ("sku_id", "quantity", "cost", "regular", "units", "quantity_n", "quantity_d", "_costs")

    def __init__(self, item: Item):
        # (the item's figures, not the item: no cycle for the garbage collector to break)
        self.sku_id, self.quantity, self.cost = item.sku_id, item.quantity, item.cost
        quantity_n, quantity_d = self.quantity_n, self.quantity_d = item.quantity.as_integer_ratio()
        price_n, price_d = item.unit_price.as_integer_ratio()
        self.regular = _half_up(100 * price_n * quantity_n, price_d * quantity_d)
        self.units = quantity_n if quantity_d == 1 else 0
        self._costs = None

    @property
    def costs(self) -> tuple[int, int]:
        """Cost × quantity in fen as a fraction (n, d), asked only by margin floors."""
        if self._costs is None:
            cost_n, cost_d = Decimal(self.cost).as_integer_ratio()
            self._costs = (100 * cost_n * self.quantity_n, cost_d * self.quantity_d)
        return self._costs


def _figures_of(item: Item) -> _Figures:
    """The item's figures, kept on the item (an item priced again, as a replay does, is not worked out twice)."""
    known = item.__dict__.get("_figures")
    if known is None:
        known = item.__dict__["_figures"] = _Figures(item)
    return known


class _Line:
    """A line as priced so far, in fen: what each rule took off, what is left."""

    __slots__ = ("figures", "amount", "savings", "floor")

    def __init__(self, figures: _Figures):
        self.figures = figures
        self.amount = figures.regular  # the regular amount less every saving so far
        self.savings: dict[int, int] = {}  # rule id → saving on this line
        self.floor = 0  # the highest margin floor of the rules on it: no later rule goes below it


class _Priced:
    __slots__ = ("lines", "rules", "cover")

    def __init__(self, lines: list[_Line], rules: dict[int, Rule], cover: dict[int, list[int]]):
        self.lines, self.rules, self.cover = lines, rules, cover

    @property
    def saving(self) -> int:
        return sum(line.figures.regular - line.amount for line in self.lines)


def _best(basket: list[_Figures], live: list[Rule], context: Context, cover: dict[int, list[int]]) -> _Priced:
    """The basket with the plain rules, or one exclusive rule alone where that saves more."""
    best = _apply(basket, [rule for rule in live if not rule.exclusive], context, cover)
    winner, most = None, best.saving
    for rule in sorted((r for r in live if r.exclusive and cover.get(r.id)), key=_rank):
        covered = cover[rule.id]
        part_lines = [basket[i] for i in covered]
        if _most_it_could_save(rule, part_lines) <= most:
            continue  # cannot beat what the basket saves already: no need to price it
        part = _apply(part_lines, [rule], context, {rule.id: list(range(len(covered)))})
        saving = part.saving
        if saving > most:
            winner, most = (rule, covered, part), saving
    if winner is not None:
        best = _alone(basket, *winner)
    best.cover = cover
    return best


def _most_it_could_save(rule: Rule, figures: list[_Figures]) -> int:
    """An upper bound of what the rule alone saves on these lines (to skip exclusives that cannot win)."""
    regular = sum(f.regular for f in figures)
    whole = rule.whole
    if rule.kind == "threshold":
        if rule.repeat and whole.tiers and whole.tiers[0][0] > 0:
            top, bottom, saving = whole.tiers[0]
            return saving * (regular * bottom // top)
        return max((saving for top, bottom, saving in whole.tiers if regular * bottom >= top), default=0)
    if rule.kind == "percent":  # each line rounds by at most half a fen
        return _ceil(regular * whole.share_n, whole.share_d) + len(figures)
    if rule.kind == "fixed_price":
        return sum(max(0, f.regular - _half_up(whole.price_n * f.quantity_n, whole.price_d * f.quantity_d))
                   for f in figures)
    every, take, share_n, share_d = _cheapest_terms(rule)
    if every and all(f.units >= 0 for f in figures):
        # the cheapest units cost at most their share of all whole units: take ÷ every of them at most
        units_value = sum(f.regular for f in figures if f.units)
        return _ceil(units_value * take * share_n, every * share_d) + len(figures)
    return regular


def _cheapest_terms(rule: Rule) -> tuple[int, int, int, int]:
    """(every, take, share n, share d) of 第N件 / 买N送M: of every ``every`` units, ``take`` get n ÷ d off."""
    if rule.kind == "nth_item" and rule.nth > 0:
        return rule.nth, 1, rule.whole.share_n, rule.whole.share_d
    if rule.kind == "buy_get" and rule.buy > 0 and rule.free > 0:
        return rule.buy + rule.free, rule.free, 1, 1
    return 0, 0, 0, 1


def _alone(basket: list[_Figures], rule: Rule, covered: list[int], part: _Priced) -> _Priced:
    """The basket with only this exclusive rule: its part as priced, the other lines at their regular amount."""
    lines = [_Line(figures) for figures in basket]
    for index, line in zip(covered, part.lines, strict=True):
        lines[index] = line
    return _Priced(lines, part.rules, {rule.id: covered})


def _canonical(item: Item):
    """What sorts the lines (kept on the item, as its figures are)."""
    known = item.__dict__.get("_canonical")
    if known is None:
        known = item.__dict__["_canonical"] = (item.sku_id, item.product_id, item.category_id or 0, item.quantity,
                                               item.unit_price, item.cost)
    return known


_rank = attrgetter("rank")
_by_id = attrgetter("id")


def _steps(rules: list[Rule], cover: dict[int, list[int]]) -> tuple[list, list, list, list]:
    """The rules that cover a line, sorted into the four steps, highest priority first."""
    item_best, item_stacked, order_best, order_stacked = [], [], [], []
    for rule in sorted(rules, key=_rank):
        if cover.get(rule.id):
            if rule.kind == "threshold":
                (order_stacked if rule.stackable else order_best).append(rule)
            else:
                (item_stacked if rule.stackable else item_best).append(rule)
    return item_best, item_stacked, order_best, order_stacked


def _apply(basket: list[_Figures], rules: list[Rule], context: Context, cover: dict[int, list[int]]) -> _Priced:
    result = _Priced([_Line(figures) for figures in basket], {}, cover)
    item_best, item_stacked, order_best, order_stacked = _steps(rules, cover)
    _item_step(result, item_best, item_stacked, context)
    _order_step(result, order_best, order_stacked, context)
    return result


def _item_step(result: _Priced, item_best: list[Rule], item_stacked: list[Rule], context: Context) -> None:
    if item_best:
        _best_item_rules(result, item_best, context)
    for rule in item_stacked:
        _take(result, rule, _item_savings(rule, result), context)


def _order_step(result: _Priced, order_best: list[Rule], order_stacked: list[Rule], context: Context) -> None:
    best, most = None, 0
    for rule in order_best:
        saving = _order_saving(rule, result)
        if saving > most:  # strictly more: of equals, the higher priority (the first) stays
            best, most = rule, saving
    if best is not None:
        _take_order(result, best, most, context)
    for rule in order_stacked:
        _take_order(result, rule, _order_saving(rule, result), context)


def _both_order_steps(basket: list[_Figures], live: list[Rule], new: Rule, context: Context,
                      cover: dict[int, list[int]]) -> tuple[_Priced, _Priced]:
    """The basket priced without and with an order-level rule ``new`` (no exclusive in play): one item step,
    then the order step from where it left, once without and once with ``new``."""
    before = _Priced([_Line(figures) for figures in basket], {}, cover)
    item_best, item_stacked, order_best, order_stacked = _steps(live, cover)
    _item_step(before, item_best, item_stacked, context)
    after = _Priced([], dict(before.rules), cover)
    for line in before.lines:
        copy = _Line(line.figures)
        copy.amount, copy.savings, copy.floor = line.amount, dict(line.savings), line.floor
        after.lines.append(copy)
    _order_step(before, order_best, order_stacked, context)
    with_new = order_stacked if new.stackable else order_best
    with_new = sorted([*with_new, new], key=_rank)
    if new.stackable:
        _order_step(after, order_best, with_new, context)
    else:
        _order_step(after, with_new, order_stacked, context)
    return before, after


def _best_item_rules(result: _Priced, rules: list[Rule], context: Context) -> None:
    """Each line's one best non-stackable item promotion; several-line offers win lines they save more on."""
    lines, cover = result.lines, result.cover
    most = [0] * len(lines)  # per line: the best single-line saving so far, and whose it is
    whose: list[Rule | None] = [None] * len(lines)
    several: list[Rule] = []
    for rule in rules:  # highest priority first (as _apply gives them)
        kind = rule.kind
        if kind != "percent" and kind != "fixed_price":
            several.append(rule)
            continue
        # a saving on a line depends on that line alone: the hot loop of a big basket
        whole = rule.whole
        percent = kind == "percent"
        top, bottom = (2 * whole.share_n, 2 * whole.share_d) if percent else (whole.price_n, whole.price_d)
        half = whole.share_d
        floor_n = whole.floor_n
        for i in cover[rule.id]:
            line = lines[i]
            amount = line.amount
            if amount <= 0:
                continue
            if percent:
                saving = (amount * top + half) // bottom  # half-up
            else:
                figures = line.figures
                saving = amount - _half_up(top * figures.quantity_n, bottom * figures.quantity_d)
            if floor_n is not None or line.floor:
                room = _room(rule, line)
                if room < saving:
                    saving = room
            if saving > most[i]:  # strictly more: of equals, the higher priority (the first) stays
                most[i], whose[i] = saving, rule
    single = {i: (saving, whose[i]) for i, saving in enumerate(most) if saving}
    # An offer over several lines takes its lines (those of whole units) only when it saves more than the best
    # single-line offers on them: one that could not (by an upper bound) is not worked out.
    multi: list[tuple[int, Rule, dict[int, int], set[int]]] = []
    for rule in several:
        taking = [i for i in cover[rule.id] if lines[i].figures.units]
        if not taking:
            continue  # (no set and no 第N件 of weighed goods)
        beaten = sum(single[i][0] for i in taking if i in single)
        if beaten and _most_on_fresh_lines(rule, lines, taking) <= beaten:
            continue
        savings = _capped(rule, _item_savings(rule, result), lines)
        total = sum(savings.values())
        if total > beaten:
            multi.append((total, rule, savings, set(taking)))
    claimed: set[int] = set()
    for _, rule, savings, taking in sorted(multi, key=lambda m: (-m[0], m[1].rank)):
        if taking.isdisjoint(claimed):
            claimed |= taking
            _take(result, rule, savings, context)
    by_rule: dict[int, tuple[Rule, dict[int, int]]] = {}
    for index, (saving, rule) in sorted(single.items()):
        if index not in claimed:
            by_rule.setdefault(rule.id, (rule, {}))[1][index] = saving
    for rule, savings in by_rule.values():
        _take(result, rule, savings, context)  # one take per rule: its budget counts all its lines


def _most_on_fresh_lines(rule: Rule, lines: list[_Line], taking: list[int]) -> int:
    """An upper bound of what an offer over several lines saves on lines no rule has touched yet."""
    value = sum(lines[i].amount for i in taking)
    every, take, share_n, share_d = _cheapest_terms(rule)
    if not every:
        return value  # a bundle saves at most what its lines cost
    units = [lines[i].figures.units for i in taking]
    if min(units) < 0:
        return value
    if not sum(units) // every:
        return 0
    # the cheapest units cost at most their share of all the units: take ÷ every of them at most
    return _ceil(value * take * share_n, every * share_d) + len(taking)


def _take(result: _Priced, rule: Rule, savings: dict[int, int], context: Context) -> None:
    """Record a rule's savings per line, within its margin floor and what is left of its budget."""
    lines = result.lines
    savings = _capped(rule, savings, lines)
    left = _budget_left(rule, context)
    if left is not None and sum(savings.values()) > left:
        indexes = sorted(savings)
        savings = dict(zip(indexes, _allocate(max(left, 0), [savings[i] for i in indexes]), strict=True))
    rule_id, floored = rule.id, rule.margin_floor is not None
    for index, saving in savings.items():
        if saving > 0:
            line = lines[index]
            line.savings[rule_id] = line.savings.get(rule_id, 0) + saving
            line.amount -= saving
            if floored:
                lowest = _lowest(rule, line.figures)
                if lowest > line.floor:
                    line.floor = lowest
            result.rules[rule_id] = rule


def _take_order(result: _Priced, rule: Rule, saving: int, context: Context) -> None:
    """Share an order saving over the lines it covers, in proportion to their amounts, exact to the fen."""
    if saving <= 0:
        return
    lines = result.lines
    covered = [i for i in result.cover[rule.id] if lines[i].amount > 0]
    if not covered:
        return
    amounts = [lines[i].amount for i in covered]
    if rule.margin_floor is None and not any(lines[i].floor for i in covered):
        room = amounts  # no floor: each line can give all it has (and a share never exceeds its weight)
    else:
        room = [_room(rule, lines[i]) for i in covered]
    saving = min(saving, sum(room))
    left = _budget_left(rule, context)
    if left is not None:
        saving = min(saving, max(left, 0))
    if saving <= 0:
        return
    shares = _allocate(saving, amounts)
    if room is not amounts and any(share > r for share, r in zip(shares, room, strict=True)):
        shares = _allocate(saving, room)  # the floor binds: share by what each line can still give
    _take(result, rule, dict(zip(covered, shares, strict=True)), context)


def _budget_left(rule: Rule, context: Context) -> int | None:
    """What the rule's budget still gives, in fen (a part of a fen gives nothing)."""
    if rule.max_discount is None:
        return None
    top, bottom = _fen_fraction(rule.budget_left(context))
    return top // bottom


def _allocate(total: int, weights: list[int]) -> list[int]:
    """``webapp.sales.allocation.allocate`` in fen: ``total`` shared in proportion to ``weights``, largest
    remainder, ties to the earlier weight."""
    if len(weights) == 1 and weights[0] > 0:
        return [total]
    whole = sum(weights)
    if whole == 0:
        if total:
            raise ValueError("nothing to share a non-zero amount over")
        return [0] * len(weights)
    shares = [total * weight // whole for weight in weights]
    remainders = [total * weight % whole for weight in weights]
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:total - sum(shares)]:
        shares[i] += 1
    return shares


# ---------------------------------------------------------------- what each kind saves


def _item_savings(rule: Rule, result: _Priced) -> dict[int, int]:
    """Saving per line index, on the lines' current amounts."""
    lines = result.lines
    covered = [i for i in result.cover[rule.id] if lines[i].amount > 0]
    kind, whole = rule.kind, rule.whole
    if kind == "percent":
        top, half, bottom = 2 * whole.share_n, whole.share_d, 2 * whole.share_d
        return {i: (lines[i].amount * top + half) // bottom for i in covered}
    if kind == "fixed_price":
        found = {}
        for i in covered:
            figures = lines[i].figures
            saving = lines[i].amount - _half_up(whole.price_n * figures.quantity_n, whole.price_d * figures.quantity_d)
            found[i] = saving if saving > 0 else 0
        return found
    if kind == "bundle":
        return _bundle(rule, lines, covered)
    every, take, _, _ = _cheapest_terms(rule)
    if every:
        return _cheapest_units(rule, lines, covered, every, take)
    return {}


def _cheapest_units(rule: Rule, lines: list[_Line], covered: list[int], every: int, take: int) -> dict[int, int]:
    """Of every ``every`` units in scope, ``take`` of the cheapest get the rule's share off (买2送1, 第二件半价).
    Equal prices: the later SKU and line give first (never where a line sits in the basket)."""
    count = sum(lines[i].figures.units for i in covered) // every * take
    if not count:
        return {}
    whole = [i for i in covered if lines[i].figures.units]
    common = lcm(*(lines[i].figures.units for i in whole))  # a unit's price × common is a whole number
    groups = sorted((lines[i].amount * common // lines[i].figures.units, -lines[i].figures.sku_id, -i)
                    for i in whole)
    off: dict[int, int] = {}
    for _, _, index in groups:
        units = lines[-index].figures.units
        taken = min(units, count)
        off[-index] = _unit_saving(rule, lines[-index], taken)
        count -= taken
        if not count:
            break
    return off


def _unit_saving(rule: Rule, line: _Line, taken: int) -> int:
    """What ``taken`` units of the line save at the rule's share: each unit's price × share × taken, half-up to
    the fen (on a half fen exactly, worked out as the Decimal rules round a unit's price to 28 digits)."""
    if rule.kind == "buy_get":
        top, bottom = line.amount * taken, line.figures.units
    else:
        top, bottom = line.amount * taken * rule.whole.share_n, line.figures.units * rule.whole.share_d
    if 2 * top % bottom or not (2 * top // bottom) % 2:
        return _half_up(top, bottom)
    share = Decimal(1) if rule.kind == "buy_get" else rule.share
    each = _yuan(line.amount) / line.figures.quantity
    return _to_fen((each * share * taken).quantize(FEN, rounding=ROUND_HALF_UP))


def _bundle(rule: Rule, lines: list[_Line], covered: list[int]) -> dict[int, int]:
    """套餐价: complete sets at the bundle price; the saving shared over the set's lines by their value."""
    if not rule.bundle:
        return {}
    held: dict[int, int] = {}
    for i in covered:
        sku_id = lines[i].figures.sku_id
        held[sku_id] = held.get(sku_id, 0) + lines[i].figures.units
    sets = min(held.get(sku_id, 0) // quantity for sku_id, quantity in rule.bundle)
    if sets <= 0:
        return {}
    need = {sku_id: quantity * sets for sku_id, quantity in rule.bundle}
    whole = [i for i in covered if lines[i].figures.units]  # weighed goods make no set
    common = lcm(*(lines[i].figures.units for i in whole))
    value: dict[int, int] = {}
    # The dearest units of each SKU go into the sets: the most the customer can save.
    for i in sorted(whole, key=lambda i: (lines[i].figures.sku_id,
                                          -(lines[i].amount * common // lines[i].figures.units), i)):
        figures = lines[i].figures
        used = min(need.get(figures.sku_id, 0), figures.units)
        if used:
            need[figures.sku_id] -= used
            value[i] = _units_value(lines[i], used)
    top, bottom = rule.whole.bundle_price
    saving = sum(value.values()) - _half_up(top * sets, bottom)
    if saving <= 0:
        return {}
    indexes = sorted(value)
    return dict(zip(indexes, _allocate(saving, [value[i] for i in indexes]), strict=True))


def _units_value(line: _Line, used: int) -> int:
    """``used`` units of the line at its price per unit as it stands, half-up to the fen (a half fen: as the
    Decimal rules round a unit's price to 28 digits)."""
    top, bottom = line.amount * used, line.figures.units
    if 2 * top % bottom or not (2 * top // bottom) % 2:
        return _half_up(top, bottom)
    each = _yuan(line.amount) / line.figures.quantity
    return _to_fen((each * used).quantize(FEN, rounding=ROUND_HALF_UP))


def _order_saving(rule: Rule, result: _Priced) -> int:
    lines = result.lines
    return _saving_at(rule, sum(lines[i].amount for i in result.cover.get(rule.id, ())))


def _saving_at(rule: Rule, base: int) -> int:
    """What an order-level rule saves on ``base`` fen of the lines it covers."""
    tiers = rule.whole.tiers
    if rule.repeat and tiers:
        top, bottom, saving = tiers[0]
        return saving * (base * bottom // top) if top > 0 else 0
    return max((saving for top, bottom, saving in tiers if base * bottom >= top), default=0)


# ---------------------------------------------------------------- floors and hints


def floor_amount(rule: Rule, item: Item) -> Decimal:
    """The lowest amount a line may reach under the rule's margin floor (0 without one)."""
    if rule.margin_floor is None:
        return ZERO
    if rule.margin_floor >= HUNDRED:
        return Decimal("Infinity")
    lowest = item.cost * item.quantity / (1 - rule.margin_floor / HUNDRED)
    return lowest.quantize(FEN, rounding=ROUND_CEILING)


def _lowest(rule: Rule, figures: _Figures) -> int:
    """``floor_amount`` in fen: cost × quantity ÷ (1 − floor), rounded up."""
    whole = rule.whole
    if whole.floor_d <= 0:
        return UNREACHABLE
    cost_n, cost_d = figures.costs
    return -(-cost_n * whole.floor_n // (cost_d * whole.floor_d))


def _room(rule: Rule, line: _Line) -> int:
    """What the rule may still take off the line: down to its own floor and those of the rules before it."""
    floor = line.floor
    if rule.margin_floor is not None:
        lowest = _lowest(rule, line.figures)
        if lowest > floor:
            floor = lowest
    room = line.amount - floor
    return room if room > 0 else 0


def _capped(rule: Rule, savings: dict[int, int], lines: list[_Line]) -> dict[int, int]:
    if rule.margin_floor is None and not any(lines[i].floor for i in savings):
        return savings  # no floor: a saving never exceeds its line's amount by how each kind is made
    found = {}
    for i, saving in savings.items():
        room = _room(rule, lines[i])
        found[i] = saving if saving < room else room
    return found


def _hints(result: _Priced, rules: list[Rule]) -> list[Hint]:
    """For each threshold rule, the next step not reached yet on the basket as priced, nearest first."""
    hints = []
    lines = result.lines
    everything = sum(line.amount for line in lines)
    for rule in rules:
        if not rule.tiers or rule.exclusive and rule.id not in result.rules:
            continue
        covered = result.cover.get(rule.id, ())
        base = everything if len(covered) == len(lines) else sum(lines[i].amount for i in covered)
        if rule.id in result.rules:  # before its own saving
            base += sum(lines[i].savings.get(rule.id, 0) for i in covered)
        if rule.repeat:
            tier = rule.tiers[0]
            top, bottom, _ = rule.whole.tiers[0]
            if top <= 0:
                continue
            steps = base * bottom // top + 1
            hints.append(Hint(rule, tier.threshold * steps - _yuan(base), tier.saving * steps))
            continue
        ahead = [tier for tier, (top, bottom, _) in zip(rule.tiers, rule.whole.tiers, strict=True)
                 if base * bottom < top]
        if ahead:
            tier = min(ahead, key=lambda t: t.threshold)
            hints.append(Hint(rule, tier.threshold - _yuan(base), tier.saving))
    hints.sort(key=lambda h: (h.missing, -h.saving))
    return hints


# ---------------------------------------------------------------- whole fen and back


def _half_up(top: int, bottom: int) -> int:
    """top ÷ bottom (bottom > 0) rounded half away from zero, as ROUND_HALF_UP does."""
    if top >= 0:
        return (2 * top + bottom) // (2 * bottom)
    return -((bottom - 2 * top) // (2 * bottom))


def _ceil(top: int, bottom: int) -> int:
    return -(-top // bottom)


def _fen_fraction(value: Decimal) -> tuple[int, int]:
    """A Decimal amount in fen as an exact fraction (n, d), d > 0."""
    top, bottom = value.as_integer_ratio()
    return 100 * top, bottom


def _to_fen(value: Decimal) -> int:
    """A Decimal amount in whole fen (a part of a fen, which money never has, is dropped)."""
    top, bottom = _fen_fraction(value)
    return top // bottom if top >= 0 else -(-top // bottom)


def _yuan(fen: int) -> Decimal:
    """Fen back to a Decimal of yuan (the amounts a shop sees again and again are kept: no new Decimal)."""
    known = _YUAN.get(fen)
    if known is None:
        if len(_YUAN) >= 65536:
            _YUAN.clear()
        known = _YUAN[fen] = Decimal(fen).scaleb(-2)
    return known


_YUAN: dict[int, Decimal] = {}


# ---------------------------------------------------------------- the index


class RuleBook:
    """The live rules indexed by what they apply to (``SCOPES``), so a basket meets only the rules touching it."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules = sorted(rules, key=_by_id)
        self.by_id = {rule.id: rule for rule in self.rules}
        self.everywhere: list[Rule] = []
        self.index: dict[str, dict[int, list[Rule]]] = {scope: {} for scope, _ in SCOPES}
        self.coupons = any(rule.needs_coupon for rule in self.rules)
        self.per_customer = any(rule.per_customer is not None for rule in self.rules)
        self._memo: dict[tuple, tuple[tuple[Rule, ...], tuple[int, ...]]] = {}
        for rule in self.rules:
            if rule.kind == "bundle":  # a bundle applies to its own SKUs, whatever its scope says
                for sku_id, _ in rule.bundle:
                    self.index["skus"].setdefault(sku_id, []).append(rule)
                continue
            if rule.everything:
                self.everywhere.append(rule)
                continue
            for scope, _ in SCOPES:
                for target in getattr(rule, scope):
                    self.index[scope].setdefault(target, []).append(rule)
        self._tables = [self.index[scope] for scope, _ in SCOPES]

    _targets = attrgetter(*(key for _, key in SCOPES))  # an item's (sku id, product id, category id …)

    def __len__(self) -> int:
        return len(self.rules)

    def rules_of(self, item: Item) -> tuple[Rule, ...]:
        """The rules that name one of this item's targets (not the everywhere ones), by id."""
        return self._named(item)[0]

    def _named(self, item: Item) -> tuple[tuple[Rule, ...], tuple[int, ...]]:
        """The rules naming the item and their ids, remembered per item kind (the book lives as long as the
        rules do)."""
        key = self._targets(item)
        found = self._memo.get(key)
        if found is None:
            named = {rule.id: rule for table, target in zip(self._tables, key, strict=True)
                     for rule in table.get(target, ())}
            ids = tuple(sorted(named))
            found = self._memo[key] = (tuple(named[rule_id] for rule_id in ids), ids)
        return found

    def coverage(self, items: Sequence[Item]) -> dict[int, list[int]]:
        """Rule id → the indexes of the items it applies to (each rule's lines, found through the index)."""
        every = list(range(len(items)))
        cover: dict[int, list[int]] = {rule.id: every for rule in self.everywhere}
        for index, item in enumerate(items):
            for rule_id in self._named(item)[1]:
                found = cover.get(rule_id)
                if found is None:
                    cover[rule_id] = [index]
                else:
                    found.append(index)
        return cover

    def touching(self, items: Iterable[Item]) -> list[Rule]:
        found: dict[int, Rule] = {rule.id: rule for rule in self.everywhere}
        for item in items:
            for rule in self.rules_of(item):
                found[rule.id] = rule
        return [found[key] for key in sorted(found)]

    @property
    def needs_categories(self) -> bool:
        return bool(self.index["categories"])

    @property
    def needs_brands(self) -> bool:
        return bool(self.index["brands"])
