"""Margin simulation before launch (a static replay of past baskets) and the review after."""
from decimal import Decimal

import pytest

from webapp.auth.models import Role
from webapp.promotions import simulation

D = Decimal


@pytest.fixture
def past_sales(make_store, goods, make_till):
    store = make_store()
    till = make_till(store)
    bread = goods("12.00", cost="6.00", stores=[store])  # 50% margin
    cola = goods("3.50", cost="3.00", stores=[store])  # thin margin
    till.sell((bread, 2), (cola, 2))  # 31.00
    till.sell((cola, 4))  # 14.00
    return store, bread, cola


def test_the_replay_shows_revenue_discount_and_margin_before_and_after(past_sales, make_promotion):
    store, bread, cola = past_sales
    promotion = make_promotion("percent", name="全场9折", percent="10", everything=True, active=False)
    result = simulation.replay(promotion, [store.id], days=30, floor=D("10"))
    total = result["total"]
    assert (result["baskets"], result["touched"]) == (2, 2)
    assert (D(total["revenue"]), D(total["revenue_after"])) == (D("45.00"), D("40.50"))
    assert (D(total["margin"]), D(total["margin_after"])) == (D("15.00"), D("10.50"))  # cost 30.00
    assert D(total["discount_after"]) == D("4.50")
    below = [row["name"] for row in result["below_floor"]]
    assert cola.display_name in below and bread.display_name not in below  # cola: 3.15 on a 3.00 cost


def test_the_replay_includes_the_promotions_running_now(past_sales, make_promotion):
    store, bread, _ = past_sales
    make_promotion("fixed_price", name="面包特价", price="10.00", sku_ids=[bread.id])
    promotion = make_promotion("threshold", name="满30减5", tiers=[("30", "5")], everything=True, active=False)
    result = simulation.replay(promotion, [store.id], days=30)
    assert result["others"] == ["面包特价"]
    assert D(result["total"]["revenue"]) == D("41.00")  # bread at 10.00 in both
    assert D(result["total"]["revenue_after"]) == D("41.00")  # 27.00 no longer reaches 满30


def test_the_manager_simulates_from_the_promotion_page(past_sales, make_promotion, make_user, login):
    store, _, _ = past_sales
    promotion = make_promotion("percent", percent="10", everything=True, active=False)
    client = login(make_user(role=Role.HQ_ADMIN))
    response = client.post(f"/manage/promotions/{promotion.id}/simulate",
                           data={"store": [str(store.id)], "days": "30", "floor": "10"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Static replay: no change in demand assumed" in page and "¥40.50" in page
    bad = client.post(f"/manage/promotions/{promotion.id}/simulate", data={"days": "-3"})
    assert bad.status_code == 422


def test_the_review_compares_the_promotion_with_the_time_before(make_store, goods, make_till, make_promotion,
                                                               make_user, login):
    store = make_store()
    till = make_till(store)
    bread = goods("12.00", cost="6.00", stores=[store])
    promotion = make_promotion("fixed_price", name="面包特价", price="10.00", sku_ids=[bread.id])
    till.sell((bread, 3))
    found = simulation.review(promotion)
    [row] = found["stores"]
    assert (row["sales"], row["discount"], row["margin"]) == (D("30.00"), D("6.00"), D("12.00"))
    client = login(make_user(role=Role.HQ_ADMIN))
    csv = client.get(f"/manage/promotions/{promotion.id}/review?format=csv").get_data(as_text=True)
    assert "30.00" in csv and "6.00" in csv


# ---------------------------------------------------------------- the replay's fast path = plain pricing


def _plain_sums(store, promotion, days=30):
    """Revenue before and after and discount after, priced the plain way: each basket through ``engine.price``
    twice (the running rules, then with the promotion), from the review's own basket reader."""
    from datetime import timedelta

    from webapp.clock import utcnow
    from webapp.promotions import engine, rules
    from webapp.promotions.engine import Item

    mine = simulation.as_launched(promotion)
    others = [rule for rule in rules.active_book().rules if rule.id != promotion.id]
    end = utcnow()
    revenue = revenue_after = discount_after = D("0.00")
    for _, store_id, moment, channel, lines in simulation.baskets([store.id], end - timedelta(days=days), end):
        items = [Item(sku, product, category, qty, price, cost, brand)
                 for sku, product, category, qty, price, cost, _, brand in lines]
        context = engine.Context(store_id=store_id, channel=channel, at=moment,
                                 local=simulation._wall_clock()(moment))
        before = engine.price(items, others, context, hints=False)
        after = engine.price(items, [*others, mine], context, hints=False)
        revenue += before.total
        revenue_after += after.total
        discount_after += after.saving
    return revenue, revenue_after, discount_after


@pytest.mark.parametrize("kind, fields", [
    ("threshold", {"tiers": [("20", "3"), ("40", "8")], "everything": True}),  # order level: one item step shared
    ("threshold", {"tiers": [("10", "1")], "repeat": True, "everything": True, "stackable": True}),
    ("threshold", {"tiers": [("30", "6")], "everything": True, "exclusive": True}),  # exclusive: priced twice
    ("nth_item", {"nth": "2", "percent": "50", "everything": True}),  # item level: priced twice
    ("percent", {"percent": "15", "everything": True, "margin_floor": "20"}),
])
def test_the_replay_costs_every_basket_as_plain_pricing_does(make_store, goods, make_till, make_promotion, kind,
                                                             fields):
    """The replay's shortcuts (baskets read as integers, one item step for both prices, contexts shared) give
    the same figures as pricing each basket twice the plain way, on a mix of baskets and running rules."""
    store = make_store()
    till = make_till(store)
    bread = goods("12.00", cost="6.00", stores=[store], category="烘焙")
    cola = goods("3.50", cost="3.00", stores=[store], category="饮料/碳酸饮料")
    tea = goods("5.00", cost="3.00", stores=[store], category="饮料/茶饮")
    nuts = goods("29.90", cost="15.00", stores=[store], category="零食/坚果")
    make_promotion("buy_get", name="饮料买2送1", buy="2", free="1", category_ids=[cola.product.category_id,
                                                                              tea.product.category_id])
    make_promotion("percent", name="坚果9折", percent="10", sku_ids=[nuts.id])
    make_promotion("threshold", name="满50减5", tiers=[("50", "5")], everything=True)
    make_promotion("fixed_price", name="面包特价", price="10.00", sku_ids=[bread.id], exclusive=True)
    for basket in [((bread, 1),), ((cola, 3), (tea, 1)), ((nuts, 2), (bread, 2), (cola, 1)), ((tea, 2),),
                   ((nuts, 1), (cola, 2), (tea, 3), (bread, 1)), ((bread, 3), (nuts, 1))]:
        till.sell(*basket)
    promotion = make_promotion(kind, name="新活动", active=False, **fields)

    result = simulation.replay(promotion, [store.id], days=30)

    revenue, revenue_after, discount_after = _plain_sums(store, promotion)
    assert result["baskets"] == 6
    assert (D(result["total"]["revenue"]), D(result["total"]["revenue_after"])) == (revenue, revenue_after)
    assert D(result["total"]["discount_after"]) == discount_after
