"""The one pricing seam: store price over list price, member price where lower, rounding once per line."""
from decimal import Decimal

from webapp.auth.models import Role
from webapp.catalog.services import set_store_price
from webapp.promotions.services import Channel, price_cart

MEMBER = object()


def test_the_list_price_applies_where_the_store_has_none(make_store, make_sku):
    store, sku = make_store(), make_sku(price="3.50")
    cart = price_cart(store, Channel.POS, [(sku, Decimal("2"))])
    assert (cart.lines[0].unit_price, cart.total) == (Decimal("3.50"), Decimal("7.00"))


def test_a_store_price_overrides_the_list_price_in_that_store_only(make_store, make_sku):
    a, b, sku = make_store(), make_store(), make_sku(price="3.50")
    set_store_price(a, sku, "3.00")
    assert price_cart(a, Channel.SHOP, [(sku, 1)]).total == Decimal("3.00")
    assert price_cart(b, Channel.SHOP, [(sku, 1)]).total == Decimal("3.50")


def test_a_member_pays_the_member_price_the_stores_own_first(make_store, make_sku):
    a, b, sku = make_store(), make_store(), make_sku(price="10.00", member_price="9.00")
    set_store_price(a, sku, "9.50", member_price="8.50")
    assert price_cart(b, Channel.POS, [(sku, 1)], member=MEMBER).total == Decimal("9.00")
    assert price_cart(a, Channel.POS, [(sku, 1)], member=MEMBER).total == Decimal("8.50")
    assert price_cart(a, Channel.POS, [(sku, 1)]).total == Decimal("9.50")


def test_a_member_price_above_the_regular_price_is_not_used(make_store, make_sku):
    store, sku = make_store(), make_sku(price="10.00", member_price="9.00")
    set_store_price(store, sku, "8.00")
    assert price_cart(store, Channel.POS, [(sku, 1)], member=MEMBER).total == Decimal("8.00")


def test_weighed_goods_round_half_up_once_per_line(make_store, make_sku):
    store = make_store()
    apples = make_sku(price="12.80", weighed=True, unit="kg")  # 0.235 kg × 12.80 = 3.008
    grapes = make_sku(price="9.90", weighed=True, unit="kg")  # 0.505 kg × 9.90 = 4.9995
    cart = price_cart(store, Channel.POS, [(apples, "0.235"), (grapes, "0.505")])
    assert [line.amount for line in cart.lines] == [Decimal("3.01"), Decimal("5.00")]
    assert cart.total == Decimal("8.01")


def test_the_saving_is_what_the_member_did_not_pay(make_store, make_sku):
    store, sku = make_store(), make_sku(price="10.00", member_price="8.80")
    cart = price_cart(store, Channel.SHOP, [(sku, 3)], member=MEMBER)
    assert (cart.total, cart.saving) == (Decimal("26.40"), Decimal("3.60"))


def test_the_chain_margin_floor_holds_a_promotion_without_its_own(goods, make_store, make_promotion, make_user,
                                                                    login):
    store = make_store()
    tea = goods("10.00", cost="8.00", stores=[store])
    make_promotion("percent", percent="50", sku_ids=[tea.id])
    assert price_cart(store, Channel.POS, [(tea, 1)]).total == Decimal("5.00")
    hq = login(make_user(role=Role.HQ_ADMIN))
    assert "最低毛利率" in hq.get("/manage/promotions").get_data(as_text=True)
    assert hq.post("/manage/promotions/settings", data={"margin_floor": "10"}).status_code == 303
    # 8.00 cost at a 10 % margin: the line may not go below 8.89.
    assert price_cart(store, Channel.POS, [(tea, 1)]).total == Decimal("8.89")
    refused = hq.post("/manage/promotions/settings", data={"margin_floor": "120"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert price_cart(store, Channel.POS, [(tea, 1)]).total == Decimal("8.89")
    hq.post("/manage/promotions/settings", data={"margin_floor": ""})
    assert price_cart(store, Channel.POS, [(tea, 1)]).total == Decimal("5.00")


def test_only_hq_sets_the_chain_margin_floor(make_store, make_user, login):
    store = make_store()
    manager = login(make_user(role=Role.STORE_MANAGER, stores=[store]))
    assert manager.post("/manage/promotions/settings", data={"margin_floor": "10"}).status_code == 403
    assert "全连锁毛利底线" in manager.get("/manage/promotions").get_data(as_text=True)
