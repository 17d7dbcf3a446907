"""The golden corpus: each basket costs its stated total on the till and in the online shop alike."""
import json
from decimal import Decimal
from pathlib import Path

import pytest

from webapp.catalog.services import brand_by_name, category_by_path
from webapp.promotions.services import Channel, price_cart
from webapp.sales.online import services as online

CORPUS = json.loads((Path(__file__).parent / "golden.json").read_text(encoding="utf-8"))


@pytest.fixture
def shelf(make_store, goods, make_promotion):
    """The corpus' SKUs stocked at one store that sells at the till and online, and its promotions by name."""
    def make(promotion_names):
        store = make_store()
        store.online_pickup = True
        skus = {name: goods(spec["price"], cost=spec["cost"], stores=[store], category=spec["category"], qty=500)
                for name, spec in CORPUS["skus"].items()}
        for name, spec in CORPUS["skus"].items():
            skus[name].product.brand = brand_by_name(spec.get("brand", ""))
        for name in promotion_names:
            spec = dict(CORPUS["promotions"][name])
            kind = spec.pop("kind")
            if "skus" in spec:
                spec["sku_ids"] = [skus[s].id for s in spec.pop("skus")]
            if "categories" in spec:
                spec["category_ids"] = [category_by_path(c).id for c in spec.pop("categories")]
            if "brands" in spec:
                spec["brand_ids"] = [brand_by_name(b).id for b in spec.pop("brands")]
            if "bundle" in spec:
                spec["bundle"] = [(skus[s].id, q) for s, q in spec["bundle"]]
            make_promotion(kind, name=name, **spec)
        return store, skus

    return make


@pytest.mark.parametrize("basket", CORPUS["baskets"], ids=[b["name"] for b in CORPUS["baskets"]])
def test_a_golden_basket_costs_the_same_at_the_till_and_online(basket, shelf, make_till, customer):
    store, skus = shelf(basket["promotions"])
    lines = [(skus[name], Decimal(qty)) for name, qty in basket["lines"]]
    expected = Decimal(basket["total"])

    sale = make_till(store).ring_up(*lines)
    cart = price_cart(store, Channel.SHOP, lines)
    order = online.place_order(store, customer, lines, phone="13800138000", checkout_key=f"golden-{store.id}")

    assert (sale.total, cart.total, order.order.total) == (expected, expected, expected)
    assert sum((line.amount for line in sale.lines), Decimal(0)) == expected
