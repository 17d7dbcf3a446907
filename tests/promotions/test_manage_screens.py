"""The manager's promotion screens: create from a template, refused input with a clear reason and nothing
saved, the conflict preview, start and stop, other stores' promotions out of reach."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.auth.models import Role
from webapp.catalog.services import category_by_path
from webapp.extensions import db
from webapp.promotions.models import Promotion
from webapp.promotions.services import Channel, price_cart


@pytest.fixture
def hq(make_user, login):
    return login(make_user(role=Role.HQ_ADMIN))


def _count():
    return db.session.scalar(select(func.count(Promotion.id)))


def test_hq_creates_spend_and_save_for_a_category_previews_and_starts_it(hq, make_store, goods, make_promotion):
    store = make_store()
    snacks = category_by_path("零食")
    nuts = goods("29.90", category="零食")
    make_promotion("percent", name="坚果9折", percent="10", sku_ids=[nuts.id])
    db.session.commit()
    response = hq.post("/manage/promotions/new/threshold", data={
        "name": "零食满100减10", "spend0": "100", "save0": "10", "category": [str(snacks.id)],
        "channel": ["pos", "shop"], "store": [str(store.id)]})
    assert response.status_code == 303
    page = hq.get(response.headers["Location"]).get_data(as_text=True)
    assert "坚果9折" in page and "data-testid=\"sample\"" in page  # the conflict and sample baskets
    promotion = db.session.scalar(select(Promotion).where(Promotion.name == "零食满100减10"))
    assert promotion.status == "draft"
    assert price_cart(store, Channel.POS, [(nuts, 4)]).total == Decimal("107.64")  # 9折 only
    assert hq.post(f"/manage/promotions/{promotion.id}/start").status_code == 303
    db.session.expire_all()
    assert price_cart(store, Channel.POS, [(nuts, 4)]).total == Decimal("97.64")  # then 满100减10
    assert hq.post(f"/manage/promotions/{promotion.id}/stop").status_code == 303
    assert price_cart(store, Channel.POS, [(nuts, 4)]).total == Decimal("107.64")


@pytest.mark.parametrize("kind, data, words", [
    ("percent", {"percent": "150", "everything": "1"}, "at most 100"),
    ("percent", {"percent": "-5", "everything": "1"}, "at most 100"),
    ("percent", {"percent": "abc", "everything": "1"}, "not a number"),
    ("percent", {"percent": "20"}, "Choose what the promotion applies to"),
    ("fixed_price", {"price": "99", "sku_codes": "{code}"}, "above the list price"),
    ("bundle", {"bundle_code0": "{code}", "bundle_qty0": "1", "bundle_price": "5"}, "at least two items"),
    ("percent", {"percent": "20", "everything": "1", "starts_at": "2026-12-10T10:00",
                 "ends_at": "2026-12-09T10:00"}, "before it starts"),
    ("percent", {"percent": "20", "sku_codes": "NOPE"}, "no SKU with the code NOPE"),
    ("percent", {"percent": "20", "everything": "1", "starts_at": "yesterday"}, "not a date"),
    ("threshold", {"spend0": "100", "save0": "120", "everything": "1"}, "not above the spend"),
    ("percent", {"percent": "20", "everything": "1", "margin_floor": "100"}, "margin floor"),
])
def test_bad_input_is_refused_with_a_reason_and_nothing_is_saved(hq, goods, kind, data, words):
    sku = goods("12.00", code="BREAD1")
    db.session.commit()
    data = {key: value.replace("{code}", sku.code) for key, value in data.items()}
    response = hq.post(f"/manage/promotions/new/{kind}", data={"name": "试试", **data},
                       headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert _count() == 0


def test_nul_bytes_and_long_names_are_refused_not_a_crash(hq):
    response = hq.post("/manage/promotions/new/percent", data={"name": "x\x00长", "percent": "10", "everything": "1"})
    assert response.status_code == 400  # a NUL byte: the one input guard
    response = hq.post("/manage/promotions/new/percent", data={"name": "长" * 300, "percent": "10", "everything": "1"})
    assert response.status_code == 422
    response = hq.get("/manage/promotions/new/nonsense")
    assert response.status_code == 404


def test_the_form_speaks_chinese(hq):
    page = hq.get("/manage/promotions/new/threshold", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "满减" in page and "适用" in page


def test_a_store_manager_cannot_see_or_make_another_stores_promotions(make_user, login, make_store,
                                                                       make_promotion):
    mine, theirs = make_store(), make_store()
    other = make_promotion("percent", percent="10", everything=True, store_ids=[theirs.id])
    manager = make_user(role=Role.STORE_MANAGER, stores=[mine])
    client = login(manager)
    assert client.get(f"/manage/promotions/{other.id}").status_code == 403
    assert client.post(f"/manage/promotions/{other.id}/stop").status_code == 403
    response = client.post("/manage/promotions/new/percent", data={
        "name": "x", "percent": "10", "everything": "1", "store": [str(theirs.id)]})
    assert response.status_code == 422
    response = client.post("/manage/promotions/new/percent", data={"name": "本店9折", "percent": "10",
                                                                   "everything": "1"})
    assert response.status_code == 303
    made = db.session.scalar(select(Promotion).where(Promotion.name == "本店9折"))
    assert made.store_ids == [mine.id]


def test_a_cashier_has_no_promotion_screens(make_user, login, make_store):
    client = login(make_user(role=Role.CASHIER, stores=[make_store()]))
    assert client.get("/manage/promotions").status_code == 403
