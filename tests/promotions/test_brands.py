"""A promotion may apply to brands as it applies to categories: chosen on the form, checked when saved,
matched by the engine at the till and online, and replayed by the margin simulation."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.promotions.test_simulation import past_sales  # noqa: F401  (a store with two past sales)
from webapp.auth.models import Role
from webapp.catalog.services import brand_by_name
from webapp.extensions import db
from webapp.promotions import editing, errors, simulation
from webapp.promotions.models import Promotion
from webapp.promotions.services import Channel, price_cart

D = Decimal


@pytest.fixture
def hq(make_user, login):
    return login(make_user(role=Role.HQ_ADMIN))


def branded(goods, price, brand, **fields):
    sku = goods(price, **fields)
    sku.product.brand = brand_by_name(brand)
    db.session.flush()
    return sku


def test_hq_ticks_a_brand_and_its_items_in_every_category_are_discounted(hq, make_store, goods):
    store = make_store()
    tea = branded(goods, "5.00", "康师傅", category="饮料/茶饮")
    noodles = branded(goods, "4.50", "康师傅", category="方便食品")
    cola = branded(goods, "3.50", "可口可乐", category="饮料/碳酸饮料")
    brand = brand_by_name("康师傅")
    db.session.commit()
    form = hq.get("/manage/promotions/new/percent").get_data(as_text=True)
    assert f'name="brand" value="{brand.id}"' in form and "可口可乐" in form
    response = hq.post("/manage/promotions/new/percent", data={
        "name": "康师傅9折", "percent": "10", "brand": [str(brand.id)], "channel": ["pos", "shop"]})
    assert response.status_code == 303
    promotion = db.session.scalar(select(Promotion).where(Promotion.name == "康师傅9折"))
    assert promotion.brand_ids == [brand.id]
    edit = hq.get(f"/manage/promotions/{promotion.id}/edit").get_data(as_text=True)
    assert f'name="brand" value="{brand.id}" checked' in edit
    assert hq.post(f"/manage/promotions/{promotion.id}/start").status_code == 303
    db.session.expire_all()
    for channel in (Channel.POS, Channel.SHOP):
        priced = price_cart(store, channel, [(tea, 2), (noodles, 2), (cola, 1)])
        assert [line.amount for line in priced.lines] == [D("9.00"), D("8.10"), D("3.50")]


def test_an_unknown_brand_is_refused_when_saving_and_nothing_is_saved(hq):
    with pytest.raises(errors.UnknownScope):
        editing.save(None, editing.PromotionInput(name="x", kind="percent", percent="10", brand_ids=[999999]),
                     user=None)
    db.session.rollback()
    refused = hq.post("/manage/promotions/new/percent", data={"name": "不存在的品牌", "percent": "10",
                                                             "brand": ["424242"]},
                      headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 422 and "424242" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Promotion).where(Promotion.name == "不存在的品牌")) is None


def test_a_special_price_for_a_brand_is_checked_against_the_brands_list_prices(goods):
    branded(goods, "3.00", "农夫山泉")
    with pytest.raises(errors.InvalidPromotion):
        editing.save(None, editing.PromotionInput(name="农夫山泉特价", kind="fixed_price", price="3.50",
                                                  brand_ids=[brand_by_name("农夫山泉").id]), user=None)


def test_the_replay_counts_a_brands_items_only(past_sales, make_promotion):  # noqa: F811
    store, bread, cola = past_sales
    cola.product.brand = brand_by_name("可口可乐")
    db.session.flush()
    promotion = make_promotion("percent", name="可口可乐9折", percent="10", brand_ids=[cola.product.brand_id],
                               active=False)
    result = simulation.replay(promotion, [store.id], days=30)
    assert D(result["total"]["discount_after"]) == D("2.10")  # 10 % of six colas at 3.50
