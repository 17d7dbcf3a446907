"""Properties of the pure engine over random baskets and rules (hypothesis)."""
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.promotions.rule_kinds import kind_fields
from webapp.promotions.engine import Context, Item, Rule, RuleBook, floor_amount, price

NOW = datetime(2026, 12, 7, 10, 0)
CONTEXT = Context(store_id=1, channel="pos", at=NOW, local=NOW)

fen = st.integers(min_value=1, max_value=50_000).map(lambda n: Decimal(n) / 100)
items = st.lists(st.builds(
    Item, sku_id=st.integers(1, 8), product_id=st.integers(1, 8), category_id=st.sampled_from([None, 1, 2]),
    quantity=st.one_of(st.integers(1, 9).map(Decimal), st.integers(1, 5000).map(lambda g: Decimal(g) / 1000)),
    unit_price=fen, cost=st.integers(0, 30_000).map(lambda n: Decimal(n) / 100)), min_size=1, max_size=8)


@st.composite
def rules(draw):
    found = []
    for rule_id in range(1, draw(st.integers(0, 6)) + 1):
        kind = draw(st.sampled_from(["threshold", "percent", "fixed_price", "nth_item", "buy_get", "bundle"]))
        scope = draw(st.sampled_from(["everything", "skus", "categories"]))
        fields = {"everything": scope == "everything",
                  "skus": frozenset(draw(st.sets(st.integers(1, 8), min_size=1, max_size=4))) if scope == "skus"
                  else frozenset(),
                  "categories": frozenset({1}) if scope == "categories" else frozenset(),
                  "stackable": draw(st.booleans()), "exclusive": draw(st.booleans()),
                  "priority": draw(st.integers(0, 3)),
                  "margin_floor": draw(st.sampled_from([None, Decimal("0"), Decimal("15"), Decimal("40")]))}
        fields.update(kind_fields(draw, kind, fen))
        found.append(Rule(id=rule_id, name=f"r{rule_id}", kind=kind, **fields))
    return found


@settings(max_examples=300, deadline=None)
@given(items, rules())
def test_no_line_is_ever_negative_nor_below_a_margin_floor_of_a_rule_on_it(basket, found):
    result = price(basket, found, CONTEXT)
    for line in result.lines:
        assert line.amount >= 0
        with_floor = [rule for rule in found if rule.id in line.savings and rule.margin_floor is not None]
        for rule in with_floor:
            assert line.amount >= min(line.regular, floor_amount(rule, line.item))


@settings(max_examples=300, deadline=None)
@given(items, rules())
def test_savings_add_up_exactly_to_the_fen(basket, found):
    result = price(basket, found, CONTEXT)
    for line in result.lines:
        for saving in line.savings.values():
            assert saving == saving.quantize(Decimal("0.01")) and saving > 0
    assert result.total + result.saving == sum((line.regular for line in result.lines), Decimal(0))
    assert sum((saving for _, saving in result.applied()), Decimal(0)) == result.saving


@settings(max_examples=300, deadline=None)
@given(items, rules(), st.randoms(use_true_random=False))
def test_the_total_does_not_depend_on_the_order_lines_were_added_in(basket, found, random):
    shuffled = list(basket)
    random.shuffle(shuffled)
    assert price(basket, found, CONTEXT).total == price(shuffled, found, CONTEXT).total


@settings(max_examples=200, deadline=None)
@given(items, rules())
def test_pricing_twice_gives_the_same_result(basket, found):
    first, second = price(basket, found, CONTEXT), price(basket, found, CONTEXT)
    assert [line.savings for line in first.lines] == [line.savings for line in second.lines]


@settings(max_examples=200, deadline=None)
@given(items, rules())
def test_the_index_finds_every_rule_that_saves_something(basket, found):
    """The rule book hands the engine only the rules touching the basket, and loses none that saves."""
    touching = RuleBook(found).touching(basket)
    assert price(basket, touching, CONTEXT).total == price(basket, found, CONTEXT).total


@settings(max_examples=200, deadline=None)
@given(items, rules())
def test_an_exclusive_rule_never_combines_with_another(basket, found):
    result = price(basket, found, CONTEXT)
    applied = {rule.id for rule, _ in result.applied()}
    if any(rule.exclusive for rule in found if rule.id in applied):
        assert len(applied) == 1
    assert result.saving >= price(basket, [r for r in found if not r.exclusive], CONTEXT).saving


@settings(max_examples=300, deadline=None)
@given(items, rules(), rules())
def test_the_replay_prices_before_and_after_as_pricing_twice_does(basket, found, more):
    """``before_and_after`` (the replay's: one item step for both when the new rule is order level) gives each
    line what ``price`` gives without and with the new rule."""
    from webapp.promotions.engine import before_and_after

    for new in more:
        new = replace(new, id=100 + new.id)
        both = before_and_after(basket, new, CONTEXT, RuleBook([*found, new]))
        before, after = price(basket, found, CONTEXT), price(basket, [*found, new], CONTEXT)
        assert both == [(int(b.regular * 100), int(b.amount * 100), int(a.amount * 100))
                        for b, a in zip(before.lines, after.lines, strict=True)]
