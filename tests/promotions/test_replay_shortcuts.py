"""The margin replay's shortcuts give what pricing each basket in full gives (hypothesis).

``engine.Replay`` remembers each kind of line's own item step from basket to basket and skips the second order
step where the new promotion saves nothing; here many random baskets, made of a few kinds of line met again and
again (the same Item objects, as the replay's reader hands them out, and equal ones made anew), in random stores,
channels and hours, go through one Replay against random running rules (every template, conditions, budgets,
exclusives, floors) and each is compared with ``price`` without and with the new rule.
"""
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.promotions.rule_kinds import kind_fields
from webapp.promotions.engine import Context, Item, Replay, Rule, RuleBook, Tier, price

NOON = datetime(2026, 12, 7, 12, 0)
fen = st.integers(min_value=1, max_value=20_000).map(lambda n: Decimal(n) / 100)
kinds_of_line = st.lists(st.builds(
    Item, sku_id=st.integers(1, 8), product_id=st.integers(1, 8), category_id=st.sampled_from([None, 1, 2]),
    quantity=st.one_of(st.integers(1, 3).map(Decimal), st.integers(1, 3).map(Decimal),
                       st.integers(1, 3000).map(lambda g: Decimal(g) / 1000)),
    # a few prices and costs that many SKUs share (lines alike in all but what they are), and any other
    unit_price=st.one_of(st.just(Decimal("3.50")), st.just(Decimal("3.50")), st.just(Decimal("3.50")), fen),
    cost=st.one_of(st.just(Decimal("2.00")), st.just(Decimal("2.00")), st.integers(0, 1000).map(
        lambda n: Decimal(n) / 100)),
    brand_id=st.sampled_from([None, 1])), min_size=1, max_size=10)


@st.composite
def a_rule(draw, rule_id: int) -> Rule:
    kind = draw(st.sampled_from(["threshold", "percent", "fixed_price", "nth_item", "buy_get", "bundle"]))
    scope = draw(st.sampled_from(["everything", "skus", "categories", "brands"]))
    fields = {"everything": scope == "everything",
              "skus": frozenset(draw(st.sets(st.integers(1, 8), min_size=1, max_size=4))) if scope == "skus"
              else frozenset(),
              "categories": frozenset({draw(st.sampled_from([1, 2]))}) if scope == "categories" else frozenset(),
              "brands": frozenset({1}) if scope == "brands" else frozenset(),
              "stackable": draw(st.booleans()), "exclusive": draw(st.integers(0, 9)) == 0,
              "priority": draw(st.integers(0, 3)),
              "margin_floor": draw(st.sampled_from([None, None, Decimal("0"), Decimal("15"), Decimal("40")])),
              "max_discount": Decimal("3.00") if draw(st.integers(0, 9)) == 0 else None}
    condition = draw(st.sampled_from(["none", "none", "store", "channel", "hours", "weekdays", "dates"]))
    if condition == "store":
        fields["stores"] = frozenset({1})
    elif condition == "channel":
        fields["channels"] = frozenset({"shop"})
    elif condition == "hours":
        fields["hour_from"], fields["hour_to"] = 10, 14
    elif condition == "weekdays":
        fields["weekdays"] = frozenset({0, 1, 2})
    elif condition == "dates":
        fields["starts_at"] = NOON
    fields.update(kind_fields(draw, kind, fen))
    return Rule(id=rule_id, name=f"r{rule_id}", kind=kind, **fields)


@st.composite
def running_rules(draw) -> list[Rule]:
    return [draw(a_rule(rule_id)) for rule_id in range(1, draw(st.integers(0, 8)) + 1)]


contexts = st.builds(
    lambda store_id, channel, hours: Context(store_id=store_id, channel=channel, at=NOON + timedelta(hours=hours),
                                             local=NOON + timedelta(hours=hours)),
    st.integers(1, 2), st.sampled_from(["pos", "shop"]), st.integers(-60, 60))


@st.composite
def baskets(draw, kinds: list[Item]) -> list[tuple[list[Item], Context]]:
    found = []
    for _ in range(draw(st.integers(1, 25))):
        picks = draw(st.lists(st.integers(0, len(kinds) - 1), min_size=1, max_size=5))
        anew = draw(st.booleans())  # equal items made again, not the same objects
        found.append(([replace(kinds[i]) if anew else kinds[i] for i in picks], draw(contexts)))
    return found


def _in_full(items, running, new, context):
    before, after = price(items, running, context, hints=False), price(items, [*running, new], context, hints=False)
    return [(int(b.regular * 100), int(b.amount * 100), int(a.amount * 100))
            for b, a in zip(before.lines, after.lines, strict=True)]


@settings(max_examples=250, deadline=None)
@given(st.data(), kinds_of_line, running_rules(), st.integers(0, 10))
def test_the_replay_gives_every_basket_what_pricing_it_in_full_gives(data, kinds, running, seed):
    new = replace(data.draw(a_rule(100)), max_discount=None)  # a replay leaves the new rule's budget out
    replay = Replay(RuleBook([*running, new]), new)
    touched = 0
    for items, context in data.draw(baskets(kinds)):
        assert replay(items, context) == _in_full(items, running, new, context)
        touched += bool(RuleBook([new]).touching(items))
    assert replay.touched == touched


@settings(max_examples=150, deadline=None)
@given(st.data(), kinds_of_line, running_rules())
def test_an_order_level_promotion_is_replayed_as_pricing_in_full(data, kinds, running):
    """The shortcut the margin simulation takes most (满减 over everything, the item step shared and remembered)."""
    threshold = data.draw(fen)
    new = Rule(id=100, name="满减", kind="threshold", everything=True, stackable=data.draw(st.booleans()),
               priority=data.draw(st.integers(0, 3)), repeat=data.draw(st.booleans()),
               tiers=(Tier(threshold, min(threshold, data.draw(fen))),))
    replay = Replay(RuleBook([*running, new]), new)
    for items, context in data.draw(baskets(kinds)):
        assert replay(items, context) == _in_full(items, running, new, context)


def test_lines_alike_in_price_cost_and_quantity_keep_their_own_promotions():
    """Two SKUs at the same price, cost and quantity: each line's remembered item step is its own rules'."""
    cola, tea = (Item(sku_id, sku_id, 1, Decimal(2), Decimal("3.50"), Decimal("2.00")) for sku_id in (1, 2))
    running = [Rule(id=1, name="可乐8折", kind="percent", skus=frozenset({1}), percent=Decimal(20)),
               Rule(id=2, name="下午茶", kind="fixed_price", skus=frozenset({2}), price=Decimal("3.00"), hour_from=14,
                    hour_to=17),
               Rule(id=3, name="第二件8折", kind="nth_item", nth=2, percent=Decimal(20), skus=frozenset({1, 2}),
                    margin_floor=Decimal(10))]
    new = Rule(id=100, name="满10减1", kind="threshold", everything=True, tiers=(Tier(Decimal(10), Decimal(1)),))
    replay = Replay(RuleBook([*running, new]), new)
    for hour in (10, 15, 10, 15):
        context = Context(store_id=1, channel="pos", at=NOON.replace(hour=hour), local=NOON.replace(hour=hour))
        for items in ([cola], [tea], [tea, cola], [cola, tea, tea]):
            assert replay(items, context) == _in_full(items, running, new, context)
