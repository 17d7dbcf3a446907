"""The near-expiry list, HQ's days per category, and one-tap markdown suggestions."""
from datetime import timedelta
from decimal import Decimal

import pytest

from webapp.auth.models import Role
from webapp.catalog.models import Category
from webapp.clock import business_day
from webapp.extensions import db
from webapp.stock import services as ledger
from webapp.stock.expiry import queries, services
from webapp.stock.expiry.errors import AlreadyDecided, AlreadyExpired
from webapp.stock.expiry.models import MarkdownSuggestion, SuggestionStatus
from webapp.stock.models import Lot

TODAY = business_day()
HX = {"HX-Request": "true", "Accept-Language": "zh-CN"}


@pytest.fixture
def dairy():
    category = Category(name="乳品")
    db.session.add(category)
    db.session.flush()
    return category


def stocked_lot(store, sku, code, days, qty=6):
    ledger.receive(store, sku, qty, "4.00", user=None, document=("r", code), lot_code=code,
                   expiry=TODAY + timedelta(days=days))
    return db.session.scalar(db.select(Lot).where(Lot.code == code))


def test_lots_within_the_chains_default_days_are_listed_soonest_first(make_store, make_sku):
    store, milk = make_store(), make_sku(name="光明 鲜牛奶", tracking="lot")
    stocked_lot(store, milk, "L5", 5)
    stocked_lot(store, milk, "L2", 2)
    stocked_lot(store, milk, "L30", 30)
    assert [(n.lot.code, n.days_left) for n in queries.near_expiry(store)] == [("L2", 2), ("L5", 5)]


def test_a_category_with_its_own_days_and_its_subcategories_follow_hq_setting(make_store, make_sku, dairy):
    yoghurt = Category(name="酸奶", parent=dairy)
    db.session.add(yoghurt)
    db.session.flush()
    store, sku = make_store(), make_sku(name="安慕希 酸奶", tracking="lot")
    sku.product.category = yoghurt
    stocked_lot(store, sku, "Y10", 10)
    assert queries.near_expiry(store) == []  # the default is 7 days
    services.save_settings(expiry_days=7, overstock_days=30, sales_window_days=28, windows={dairy.id: 14})
    assert [n.lot.code for n in queries.near_expiry(store)] == ["Y10"]  # the parent's 14 days apply


def test_a_lot_sold_or_moved_off_the_shelf_leaves_the_list(make_store, make_sku):
    store, milk = make_store(), make_sku(tracking="lot")
    stocked_lot(store, milk, "L1", 1, qty=2)
    ledger.sell(store, milk, 2, user=None, document=("sale", "1"))
    assert queries.near_expiry(store) == []


def test_one_tap_suggests_a_markdown_once_with_who_and_when(make_store, make_sku, make_user):
    store, milk = make_store(), make_sku(tracking="lot", price="10.00")
    lot = stocked_lot(store, milk, "L1", 1)
    clerk = make_user(Role.CASHIER, stores=[store])
    first = services.suggest_markdown(store, lot, user=clerk)
    again = services.suggest_markdown(store, lot, user=clerk)
    assert first.id == again.id
    assert (first.percent_off, first.price, first.suggested_by_id, first.status) == (50, Decimal("5.00"), clerk.id,
                                                                                     "suggested")
    assert db.session.scalar(db.select(db.func.count(MarkdownSuggestion.id))) == 1


def test_an_expired_lot_is_written_off_not_marked_down(make_store, make_sku):
    store, milk = make_store(), make_sku(tracking="lot")
    lot = stocked_lot(store, milk, "OLD", -1)
    assert queries.near_expiry(store)[0].expired
    with pytest.raises(AlreadyExpired):
        services.suggest_markdown(store, lot, user=None)


def test_the_manager_accepts_or_dismisses_once(make_store, make_sku, make_user):
    store, milk = make_store(), make_sku(tracking="lot")
    suggestion = services.suggest_markdown(store, stocked_lot(store, milk, "L3", 3), user=None)
    manager = make_user(Role.STORE_MANAGER, stores=[store])
    services.decide(suggestion, True, user=manager)
    with pytest.raises(AlreadyDecided):
        services.decide(suggestion, False, user=manager)
    db.session.refresh(suggestion)
    assert suggestion.status == SuggestionStatus.ACCEPTED and suggestion.decided_by_id == manager.id


def test_staff_suggest_from_the_list_and_only_a_manager_decides(client, make_store, make_sku, make_user, login):
    store, milk = make_store(), make_sku(name="光明 鲜牛奶", tracking="lot", price="8.00")
    lot = stocked_lot(store, milk, "L2", 2)
    login(make_user(Role.CASHIER, stores=[store]))
    page = client.get(f"/stock/stores/{store.id}/expiry", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "光明 鲜牛奶" in page and "还剩 2 天" in page
    html = client.post(f"/stock/stores/{store.id}/expiry/lots/{lot.id}/markdown", headers=HX).get_data(as_text=True)
    assert "降价 30%：¥5.60" in html or "降价 30%" in html
    suggestion = db.session.scalar(db.select(MarkdownSuggestion))
    decide = f"/stock/stores/{store.id}/expiry/suggestions/{suggestion.id}/accept"
    assert client.post(decide).status_code == 403
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    assert client.post(decide, headers=HX).status_code == 200
    db.session.refresh(suggestion)
    assert suggestion.status == "accepted"


def test_hq_edits_the_days_and_nonsense_is_refused(client, make_user, login, dairy):
    login(make_user(Role.HQ_ADMIN))
    response = client.post("/admin/stock/expiry-settings", data={
        "expiry_days": "5", "overstock_days": "45", "sales_window_days": "14", f"category-{dairy.id}": "3"})
    assert response.status_code == 303
    assert queries.settings().overstock_days == 45 and queries.windows() == {dairy.id: 3}
    response = client.post("/admin/stock/expiry-settings", data={
        "expiry_days": "abc", "overstock_days": "45", "sales_window_days": "14"}, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422 and "天数须为 0 到 365 的整数" in response.get_data(as_text=True)
    assert queries.settings().expiry_days == 5


def test_the_days_left_count_from_the_shops_date_not_the_servers(monkeypatch, make_store, make_sku):
    # 17:00 UTC on 7 December is 01:00 on 8 December in Shanghai: a lot that expired on the 7th is past
    from datetime import date, datetime

    from webapp import clock

    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 12, 7, 17, 0))
    store, milk = make_store(), make_sku(name="光明 鲜牛奶", tracking="lot")
    ledger.receive(store, milk, 6, "4.00", user=None, document=("r", "L7"), lot_code="L7",
                   expiry=date(2026, 12, 7))
    [listed] = queries.near_expiry(store)
    assert listed.days_left == -1 and listed.expired
