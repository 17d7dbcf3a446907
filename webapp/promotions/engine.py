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
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import cached_property

from webapp.numbers import FEN
from webapp.sales.allocation import allocate

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Item:
    """A basket line as the engine sees it."""

    sku_id: int
    product_id: int
    category_id: int | None
    quantity: Decimal
    unit_price: Decimal  # before promotions: the store's price, or the member price
    cost: Decimal = ZERO  # per unit, for margin floors

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

    def covers(self, item: Item) -> bool:
        if self.kind == "bundle":
            return any(sku_id == item.sku_id for sku_id, _ in self.bundle)
        return (self.everything or item.sku_id in self.skus or item.product_id in self.products
                or (item.category_id is not None and item.category_id in self.categories))

    def live(self, context: Context) -> bool:
        """Whether the rule applies to this basket's store, channel, moment and customer."""
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
    """A line as priced so far: its regular amount, what each rule took off, what is left."""

    __slots__ = ("item", "regular", "amount", "savings", "floor")

    def __init__(self, item: Item, regular: Decimal):
        self.item = item
        self.regular = regular  # unit price × quantity, rounded once
        self.amount = regular  # the regular amount less every saving so far
        self.savings: dict[int, Decimal] = {}  # rule id → saving on this line
        self.floor = ZERO  # the highest margin floor of the rules on it: no later rule goes below it

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


# ---------------------------------------------------------------- the one function


def price(items: Sequence[Item], rules: Iterable[Rule], context: Context, book: RuleBook | None = None) -> Result:
    """Price the basket: every live rule, stacked as the module says.

    The lines are priced in a canonical order (ties between equal lines are broken by what the lines are,
    never by where they are), so the order the items were added in changes nothing. ``book``: an index
    holding every rule given (the cached one), else one is built for these rules.
    """
    live = [rule for rule in rules if rule.live(context)]
    order = sorted(range(len(items)), key=lambda i: _canonical(items[i]))
    basket = [items[i] for i in order]
    cover = (book or RuleBook(live)).coverage(basket)
    plain = [rule for rule in live if not rule.exclusive]
    best = _apply(basket, plain, context, cover)
    winner, most = None, best.saving
    for rule in sorted((r for r in live if r.exclusive and cover.get(r.id)), key=_rank):
        covered = cover[rule.id]
        part = _apply([basket[i] for i in covered], [rule], context, {rule.id: list(range(len(covered)))})
        saving = sum((line.saving for line in part.lines), ZERO)
        if saving > most:
            winner, most = (rule, covered, part), saving
    if winner is not None:
        best = _alone(basket, *winner)
    best.cover = cover
    best.hints = _hints(best, [r for r in live if r.order_level], context)
    lines: list[Line] = [best.lines[0]] * len(items)
    for position, index in enumerate(order):
        lines[index] = best.lines[position]
    best.lines = lines
    return best


def _alone(basket: list[Item], rule: Rule, covered: list[int], part: Result) -> Result:
    """The basket with only this exclusive rule: its part as priced, the other lines at their regular amount."""
    lines = [Line(item, _fen(item.unit_price * item.quantity)) for item in basket]
    for index, line in zip(covered, part.lines, strict=True):
        lines[index] = line
    return Result(lines, part.rules, [], {rule.id: covered})


def _canonical(item: Item):
    return (item.sku_id, item.product_id, item.category_id or 0, item.quantity, item.unit_price, item.cost)


def _fen(value: Decimal) -> Decimal:
    """Half-up to the fen (the engine's figures are Decimals already: no parsing)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _rank(rule: Rule):
    return (-rule.priority, rule.id)


def _apply(items: Sequence[Item], rules: list[Rule], context: Context, cover: dict[int, list[int]]) -> Result:
    lines = [Line(item, _fen(item.unit_price * item.quantity)) for item in items]
    result = Result(lines, {}, [], cover)
    rules = [rule for rule in rules if cover.get(rule.id)]
    item_rules = [rule for rule in rules if not rule.order_level]
    _best_item_rules(result, [r for r in item_rules if not r.stackable], context)
    for rule in sorted((r for r in item_rules if r.stackable), key=_rank):
        _take(result, rule, _item_savings(rule, result), context)
    order_rules = [rule for rule in rules if rule.order_level]
    plain = [(rule, _order_saving(rule, result)) for rule in sorted(order_rules, key=_rank) if not rule.stackable]
    plain = [(rule, saving) for rule, saving in plain if saving > 0]
    if plain:
        rule, saving = max(plain, key=lambda pair: pair[1])  # max keeps the first of equals: higher priority
        _take_order(result, rule, saving, context)
    for rule in sorted((r for r in order_rules if r.stackable), key=_rank):
        _take_order(result, rule, _order_saving(rule, result), context)
    return result


def _best_item_rules(result: Result, rules: list[Rule], context: Context) -> None:
    """Each line's one best non-stackable item promotion; several-line offers win lines they save more on."""
    lines = result.lines
    single: dict[int, tuple[Decimal, Rule, dict[int, Decimal]]] = {}
    multi: list[tuple[Decimal, Rule, dict[int, Decimal]]] = []
    for rule in sorted(rules, key=_rank):
        savings = _capped(rule, _item_savings(rule, result), lines)
        if rule.kind in ("percent", "fixed_price"):
            for index, saving in savings.items():
                if saving > 0 and (index not in single or saving > single[index][0]):
                    single[index] = (saving, rule, {index: saving})
        elif sum(savings.values(), ZERO) > 0:
            multi.append((sum(savings.values(), ZERO), rule, savings))
    claimed: set[int] = set()
    for total, rule, savings in sorted(multi, key=lambda m: (-m[0], _rank(m[1]))):
        taking = {i for i in result.cover[rule.id] if lines[i].item.whole_units}
        taking |= set(savings)
        if taking & claimed:
            continue
        if total > sum((single[i][0] for i in taking if i in single), ZERO):
            claimed |= taking
            _take(result, rule, savings, context)
    for index, (_, rule, savings) in sorted(single.items()):
        if index not in claimed:
            _take(result, rule, savings, context)


def _take(result: Result, rule: Rule, savings: dict[int, Decimal], context: Context) -> None:
    """Record a rule's savings per line, within its margin floor and what is left of its budget."""
    savings = _capped(rule, savings, result.lines)
    left = rule.budget_left(context)
    total = sum(savings.values(), ZERO)
    if left is not None and total > left:
        indexes = sorted(savings)
        savings = dict(zip(indexes, allocate(max(left, ZERO), [savings[i] for i in indexes]), strict=True))
    for index, saving in savings.items():
        if saving > 0:
            line = result.lines[index]
            line.savings[rule.id] = line.savings.get(rule.id, ZERO) + saving
            line.amount -= saving
            if rule.margin_floor is not None:
                line.floor = max(line.floor, floor_amount(rule, line.item))
            result.rules[rule.id] = rule


def _take_order(result: Result, rule: Rule, saving: Decimal, context: Context) -> None:
    """Share an order saving over the lines it covers, in proportion to their amounts, exact to the fen."""
    covered = [i for i in result.cover[rule.id] if result.lines[i].amount > 0]
    if saving <= 0 or not covered:
        return
    room = [_headroom(rule, result.lines[i]) for i in covered]
    saving = min(saving, sum(room, ZERO))
    left = rule.budget_left(context)
    if left is not None:
        saving = min(saving, max(left, ZERO))
    if saving <= 0:
        return
    shares = allocate(saving, [result.lines[i].amount for i in covered])
    if any(share > r for share, r in zip(shares, room, strict=True)):
        shares = allocate(saving, room)  # the floor binds: share by what each line can still give
    _take(result, rule, dict(zip(covered, shares, strict=True)), context)


# ---------------------------------------------------------------- what each kind saves


def _item_savings(rule: Rule, result: Result) -> dict[int, Decimal]:
    """Saving per line index, on the lines' current amounts."""
    lines = result.lines
    covered = [i for i in result.cover[rule.id] if lines[i].amount > 0]
    if rule.kind == "percent":
        return {i: _fen(lines[i].amount * rule.percent / HUNDRED) for i in covered}
    if rule.kind == "fixed_price":
        return {i: max(ZERO, lines[i].amount - _fen(rule.price * lines[i].item.quantity)) for i in covered}
    if rule.kind == "nth_item" and rule.nth > 0:
        return _cheapest_units(lines, covered, every=rule.nth, take=1, share=rule.percent / HUNDRED)
    if rule.kind == "buy_get" and rule.buy > 0 and rule.free > 0:
        return _cheapest_units(lines, covered, every=rule.buy + rule.free, take=rule.free, share=Decimal(1))
    if rule.kind == "bundle":
        return _bundle(rule, lines, covered)
    return {}


def _cheapest_units(lines, covered, *, every: int, take: int, share: Decimal) -> dict[int, Decimal]:
    """Of every ``every`` units in scope, ``take`` of the cheapest get ``share`` off (买2送1, 第二件半价).
    Equal prices: the later SKU and line give first (never where a line sits in the basket)."""
    groups = []
    for i in covered:
        item = lines[i].item
        if item.whole_units:
            groups.append((lines[i].amount / item.quantity, -item.sku_id, -i, item.whole_units))
    count = sum(g[3] for g in groups) // every * take
    if not count:
        return {}
    groups.sort()
    off: dict[int, Decimal] = {}
    for each, _, index, units in groups:
        taken = min(units, count)
        off[-index] = each * share * taken
        count -= taken
        if not count:
            break
    return {index: _fen(value) for index, value in off.items()}


def _bundle(rule: Rule, lines: list[Line], covered: list[int]) -> dict[int, Decimal]:
    """套餐价: complete sets at the bundle price; the saving shared over the set's lines by their value."""
    if not rule.bundle:
        return {}
    held: dict[int, int] = {}
    for i in covered:
        held[lines[i].item.sku_id] = held.get(lines[i].item.sku_id, 0) + lines[i].item.whole_units
    sets = min(held.get(sku_id, 0) // quantity for sku_id, quantity in rule.bundle)
    if sets <= 0:
        return {}
    need = {sku_id: quantity * sets for sku_id, quantity in rule.bundle}
    value: dict[int, Decimal] = {}
    # The dearest units of each SKU go into the sets: the most the customer can save.
    for i in sorted(covered, key=lambda i: (lines[i].item.sku_id, -lines[i].amount / lines[i].item.quantity, i)):
        item = lines[i].item
        used = min(need.get(item.sku_id, 0), item.whole_units)
        if used:
            need[item.sku_id] -= used
            value[i] = _fen(lines[i].amount / item.quantity * used)
    saving = sum(value.values(), ZERO) - _fen(rule.bundle_price * sets)
    if saving <= 0:
        return {}
    indexes = sorted(value)
    return dict(zip(indexes, allocate(saving, [value[i] for i in indexes]), strict=True))


def _order_saving(rule: Rule, result: Result) -> Decimal:
    base = _base(rule, result)
    if rule.repeat and rule.tiers:
        tier = rule.tiers[0]
        return tier.saving * int(base // tier.threshold) if tier.threshold > 0 else ZERO
    reached = [tier.saving for tier in rule.tiers if base >= tier.threshold]
    return max(reached, default=ZERO)


def _base(rule: Rule, result: Result) -> Decimal:
    return sum((result.lines[i].amount for i in result.cover.get(rule.id, ())), ZERO)


# ---------------------------------------------------------------- floors and hints


def floor_amount(rule: Rule, item: Item) -> Decimal:
    """The lowest amount a line may reach under the rule's margin floor (0 without one)."""
    if rule.margin_floor is None:
        return ZERO
    if rule.margin_floor >= HUNDRED:
        return Decimal("Infinity")
    lowest = item.cost * item.quantity / (1 - rule.margin_floor / HUNDRED)
    return lowest.quantize(FEN, rounding=ROUND_CEILING)


def _headroom(rule: Rule, line: Line) -> Decimal:
    """What the rule may still take off the line: down to its own floor and those of the rules before it."""
    if rule.margin_floor is None:
        room = line.amount - line.floor
    else:
        room = line.amount - max(line.floor, floor_amount(rule, line.item))
    return room if room > 0 else ZERO


def _capped(rule: Rule, savings: dict[int, Decimal], lines: list[Line]) -> dict[int, Decimal]:
    if rule.margin_floor is None and not any(lines[i].floor for i in savings):
        return savings  # no floor: a saving never exceeds its line's amount by how each kind is made
    return {i: min(saving, _headroom(rule, lines[i])) for i, saving in savings.items()}


def _hints(result: Result, rules: list[Rule], context: Context) -> list[Hint]:
    """For each threshold rule, the next step not reached yet on the basket as priced, nearest first."""
    hints = []
    for rule in rules:
        if not rule.tiers or rule.exclusive and rule.id not in result.rules:
            continue
        covered = result.cover.get(rule.id, ())
        base = sum((result.lines[i].amount + result.lines[i].savings.get(rule.id, ZERO) for i in covered),
                   ZERO)  # before its own saving
        if rule.repeat:
            tier = rule.tiers[0]
            if tier.threshold <= 0:
                continue
            steps = int((base / tier.threshold).to_integral_value(rounding=ROUND_FLOOR)) + 1
            hints.append(Hint(rule, tier.threshold * steps - base, tier.saving * steps))
            continue
        ahead = [tier for tier in rule.tiers if tier.threshold > base]
        if ahead:
            tier = min(ahead, key=lambda t: t.threshold)
            hints.append(Hint(rule, tier.threshold - base, tier.saving))
    hints.sort(key=lambda h: (h.missing, -h.saving))
    return hints


class RuleBook:
    """The live rules indexed by what they apply to, so a basket meets only the rules that touch it."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules = sorted(rules, key=lambda r: r.id)
        self.everywhere: list[Rule] = []
        self.by_sku: dict[int, list[Rule]] = {}
        self.by_product: dict[int, list[Rule]] = {}
        self.by_category: dict[int, list[Rule]] = {}
        self.coupons = any(rule.needs_coupon for rule in self.rules)
        self.per_customer = any(rule.per_customer is not None for rule in self.rules)
        for rule in self.rules:
            if rule.everything and rule.kind != "bundle":
                self.everywhere.append(rule)
                continue
            skus = {sku_id for sku_id, _ in rule.bundle} if rule.kind == "bundle" else rule.skus
            for sku_id in skus:
                self.by_sku.setdefault(sku_id, []).append(rule)
            if rule.kind != "bundle":
                for product_id in rule.products:
                    self.by_product.setdefault(product_id, []).append(rule)
                for category_id in rule.categories:
                    self.by_category.setdefault(category_id, []).append(rule)

    def __len__(self) -> int:
        return len(self.rules)

    def coverage(self, items: Sequence[Item]) -> dict[int, list[int]]:
        """Rule id → the indexes of the items it applies to (each rule's lines, found through the index)."""
        cover: dict[int, list[int]] = {}
        every = list(range(len(items)))
        for rule in self.everywhere:
            cover[rule.id] = every
        for index, item in enumerate(items):
            seen = set()
            for table, key in ((self.by_sku, item.sku_id), (self.by_product, item.product_id),
                               (self.by_category, item.category_id)):
                for rule in table.get(key, ()):
                    if rule.id not in seen:
                        seen.add(rule.id)
                        cover.setdefault(rule.id, []).append(index)
        return cover

    def touching(self, items: Iterable[Item]) -> list[Rule]:
        found: dict[int, Rule] = {rule.id: rule for rule in self.everywhere}
        for item in items:
            for rule in self.by_sku.get(item.sku_id, ()):
                found[rule.id] = rule
            for rule in self.by_product.get(item.product_id, ()):
                found[rule.id] = rule
            for rule in self.by_category.get(item.category_id, ()):
                found[rule.id] = rule
        return [found[key] for key in sorted(found)]

    @property
    def needs_categories(self) -> bool:
        return bool(self.by_category)
