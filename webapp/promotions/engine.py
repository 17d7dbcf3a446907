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
from functools import cached_property, lru_cache

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
        return (self.everything or item.sku_id in self.skus or item.product_id in self.products
                or (item.category_id is not None and item.category_id in self.categories)
                or (item.brand_id is not None and item.brand_id in self.brands))

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

    __slots__ = ("item", "regular", "amount", "savings", "floor", "_each")

    def __init__(self, item: Item, regular: Decimal):
        self.item = item
        self.regular = regular  # unit price × quantity, rounded once
        self.amount = regular  # the regular amount less every saving so far
        self.savings: dict[int, Decimal] = {}  # rule id → saving on this line
        self._each = None
        self.floor = ZERO  # the highest margin floor of the rules on it: no later rule goes below it

    @property
    def each(self) -> Decimal:
        """The amount per unit as it stands (worked out once per change of the amount)."""
        known = self._each
        if known is None or known[0] is not self.amount:
            known = self._each = (self.amount, self.amount / self.item.quantity)
        return known[1]

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
    live = [rule for rule in rules if rule.live(context)]
    order = sorted(range(len(items)), key=lambda i: _canonical(items[i]))
    basket = [items[i] for i in order]
    cover = (book or RuleBook(live)).coverage(basket)
    plain = [rule for rule in live if not rule.exclusive]
    best = _apply(basket, plain, context, cover)
    winner, most = None, best.saving
    for rule in sorted((r for r in live if r.exclusive and cover.get(r.id)), key=_rank):
        covered = cover[rule.id]
        if _most_it_could_save(rule, [basket[i] for i in covered]) <= most:
            continue  # cannot beat what the basket saves already: no need to price it
        part = _apply([basket[i] for i in covered], [rule], context, {rule.id: list(range(len(covered)))})
        saving = sum((line.saving for line in part.lines), ZERO)
        if saving > most:
            winner, most = (rule, covered, part), saving
    if winner is not None:
        best = _alone(basket, *winner)
    best.cover = cover
    best.hints = _hints(best, [r for r in live if r.order_level], context) if hints else []
    lines: list[Line] = [best.lines[0]] * len(items)
    for position, index in enumerate(order):
        lines[index] = best.lines[position]
    best.lines = lines
    return best


def _most_it_could_save(rule: Rule, items: list[Item]) -> Decimal:
    """An upper bound of what the rule alone saves on these items (to skip exclusives that cannot win)."""
    regular = sum((_fen(item.unit_price * item.quantity) for item in items), ZERO)
    if rule.kind == "threshold":
        if rule.repeat and rule.tiers and rule.tiers[0].threshold > 0:
            return rule.tiers[0].saving * int(regular // rule.tiers[0].threshold)
        return max((tier.saving for tier in rule.tiers if tier.threshold <= regular), default=ZERO)
    if rule.kind == "percent":
        return regular * rule.share + FEN * len(items)  # each line rounds by at most half a fen
    return regular


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
    return rule.rank


def _apply(items: Sequence[Item], rules: list[Rule], context: Context, cover: dict[int, list[int]]) -> Result:
    lines = [Line(item, _fen(item.unit_price * item.quantity)) for item in items]
    result = Result(lines, {}, [], cover)
    # One pass sorts the rules that cover a line into the four steps, highest priority first.
    item_best, item_stacked, order_best, order_stacked = [], [], [], []
    for rule in sorted(rules, key=_rank):
        if cover.get(rule.id):
            if rule.order_level:
                (order_stacked if rule.stackable else order_best).append(rule)
            else:
                (item_stacked if rule.stackable else item_best).append(rule)
    if item_best:
        _best_item_rules(result, item_best, context)
    for rule in item_stacked:
        _take(result, rule, _item_savings(rule, result), context)
    best, most = None, ZERO
    for rule in order_best:
        saving = _order_saving(rule, result)
        if saving > most:  # strictly more: of equals, the higher priority (the first) stays
            best, most = rule, saving
    if best is not None:
        _take_order(result, best, most, context)
    for rule in order_stacked:
        _take_order(result, rule, _order_saving(rule, result), context)
    return result


def _best_item_rules(result: Result, rules: list[Rule], context: Context) -> None:
    """Each line's one best non-stackable item promotion; several-line offers win lines they save more on."""
    lines = result.lines
    single: dict[int, tuple[Decimal, Rule]] = {}
    multi: list[tuple[Decimal, Rule, dict[int, Decimal]]] = []
    for rule in rules:  # highest priority first (as _apply gives them)
        if rule.kind in SINGLE_LINE:
            for index, saving in _single_line_savings(rule, result):
                best = single.get(index)
                if best is None or saving > best[0]:
                    single[index] = (saving, rule)
            continue
        savings = _capped(rule, _item_savings(rule, result), lines)
        total = sum(savings.values(), ZERO)
        if total > 0:
            multi.append((total, rule, savings))
    claimed: set[int] = set()
    for total, rule, savings in sorted(multi, key=lambda m: (-m[0], _rank(m[1]))):
        taking = {i for i in result.cover[rule.id] if lines[i].item.whole_units}
        taking |= set(savings)
        if taking & claimed:
            continue
        if total > sum((single[i][0] for i in taking if i in single), ZERO):
            claimed |= taking
            _take(result, rule, savings, context)
    by_rule: dict[int, tuple[Rule, dict[int, Decimal]]] = {}
    for index, (saving, rule) in sorted(single.items()):
        if index not in claimed:
            by_rule.setdefault(rule.id, (rule, {}))[1][index] = saving
    for rule, savings in by_rule.values():
        _take(result, rule, savings, context)  # one take per rule: its budget counts all its lines


SINGLE_LINE = ("percent", "fixed_price")  # kinds whose saving on a line depends on that line alone


def _single_line_savings(rule: Rule, result: Result) -> list[tuple[int, Decimal]]:
    """(line index, saving > 0) for 折扣 and 特价, within the margin floors: the hot loop of a big basket,
    so one pass with no intermediate dicts."""
    lines, found = result.lines, []
    percent = rule.kind == "percent"
    figure = rule.share if percent else rule.price
    floored = rule.margin_floor is not None
    for i in result.cover[rule.id]:
        line = lines[i]
        amount = line.amount
        if amount <= 0:
            continue
        if percent:
            saving = (amount * figure).quantize(FEN, ROUND_HALF_UP)
        else:
            saving = amount - (figure * line.item.quantity).quantize(FEN, ROUND_HALF_UP)
        if floored or line.floor:
            saving = min(saving, _headroom(rule, line))
        if saving > 0:
            found.append((i, saving))
    return found


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
        share = rule.share
        return {i: (lines[i].amount * share).quantize(FEN, ROUND_HALF_UP) for i in covered}
    if rule.kind == "fixed_price":
        return {i: max(ZERO, lines[i].amount - _fen(rule.price * lines[i].item.quantity)) for i in covered}
    if rule.kind == "nth_item" and rule.nth > 0:
        return _cheapest_units(lines, covered, every=rule.nth, take=1, share=rule.share)
    if rule.kind == "buy_get" and rule.buy > 0 and rule.free > 0:
        return _cheapest_units(lines, covered, every=rule.buy + rule.free, take=rule.free, share=Decimal(1))
    if rule.kind == "bundle":
        return _bundle(rule, lines, covered)
    return {}


def _cheapest_units(lines, covered, *, every: int, take: int, share: Decimal) -> dict[int, Decimal]:
    """Of every ``every`` units in scope, ``take`` of the cheapest get ``share`` off (买2送1, 第二件半价).
    Equal prices: the later SKU and line give first (never where a line sits in the basket)."""
    units = [(i, lines[i].item.whole_units) for i in covered]
    count = sum(u for _, u in units) // every * take
    if not count:
        return {}
    groups = [(lines[i].each, -lines[i].item.sku_id, -i, u) for i, u in units if u]
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
    for i in sorted(covered, key=lambda i: (lines[i].item.sku_id, -lines[i].each, i)):
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
    return _floor(item.cost, item.quantity, rule.margin_floor)


@lru_cache(maxsize=65536)
def _floor(cost: Decimal, quantity: Decimal, margin_floor: Decimal) -> Decimal:
    if margin_floor >= HUNDRED:
        return Decimal("Infinity")
    lowest = cost * quantity / (1 - margin_floor / HUNDRED)
    return lowest.quantize(FEN, rounding=ROUND_CEILING)


def _headroom(rule: Rule, line: Line) -> Decimal:
    """What the rule may still take off the line: down to its own floor and those of the rules before it."""
    if rule.margin_floor is None:
        room = line.amount - line.floor
    else:
        item = line.item
        room = line.amount - max(line.floor, _floor(item.cost, item.quantity, rule.margin_floor))
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
        self.by_brand: dict[int, list[Rule]] = {}
        self.coupons = any(rule.needs_coupon for rule in self.rules)
        self.per_customer = any(rule.per_customer is not None for rule in self.rules)
        self._memo: dict[tuple, tuple[Rule, ...]] = {}
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
                for brand_id in rule.brands:
                    self.by_brand.setdefault(brand_id, []).append(rule)

    def __len__(self) -> int:
        return len(self.rules)

    def rules_of(self, item: Item) -> tuple[Rule, ...]:
        """The rules that name this item's SKU, product, category or brand (not the everywhere ones), by id;
        remembered per item kind, since the book lives as long as the rules do."""
        key = (item.sku_id, item.product_id, item.category_id, item.brand_id)
        found = self._memo.get(key)
        if found is None:
            named = {rule.id: rule for table, k in ((self.by_sku, key[0]), (self.by_product, key[1]),
                                                    (self.by_category, key[2]), (self.by_brand, key[3]))
                     for rule in table.get(k, ())}
            found = self._memo[key] = tuple(named[rule_id] for rule_id in sorted(named))
        return found

    def coverage(self, items: Sequence[Item]) -> dict[int, list[int]]:
        """Rule id → the indexes of the items it applies to (each rule's lines, found through the index)."""
        cover: dict[int, list[int]] = {}
        every = list(range(len(items)))
        for rule in self.everywhere:
            cover[rule.id] = every
        for index, item in enumerate(items):
            for rule in self.rules_of(item):
                found = cover.get(rule.id)
                if found is None:
                    cover[rule.id] = [index]
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
        return bool(self.by_category)

    @property
    def needs_brands(self) -> bool:
        return bool(self.by_brand)
