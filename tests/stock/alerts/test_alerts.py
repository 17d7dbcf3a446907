"""Stock alerts per store: computed from the shelves as they are now, so they clear themselves."""
from datetime import timedelta
from decimal import Decimal

from webapp.auth.models import Role
from webapp.clock import business_day
from webapp.extensions import db
from webapp.stock import services as ledger
from webapp.stock.alerts.queries import Kind, alerts, badge, counts
from webapp.stock.expiry import services as expiry
from webapp.stock.models import StockRule

ZH = {"Accept-Language": "zh-CN"}


def kinds(store):
    return {(a.kind, a.sku.display_name) for a in alerts(store)}


def test_below_the_warning_line_alerts_and_clears_when_goods_arrive(make_store, make_sku):
    store, cola = make_store(), make_sku(name="可口可乐")
    ledger.receive(store, cola, 5, "2.00", user=None, document=("r", "1"))
    db.session.add(StockRule(store_id=store.id, sku_id=cola.id, warning_qty=Decimal("10")))
    assert kinds(store) == {(Kind.LOW, "可口可乐")}
    ledger.receive(store, cola, 10, "2.00", user=None, document=("r", "2"))
    assert kinds(store) == set()


def test_sold_out_alerts_as_out_of_stock(make_store, make_sku):
    store, cola = make_store(), make_sku(name="可口可乐")
    ledger.receive(store, cola, 3, "2.00", user=None, document=("r", "1"))
    ledger.sell(store, cola, 3, user=None, document=("sale", "1"))
    assert kinds(store) == {(Kind.OUT, "可口可乐")}


def test_a_till_sale_beyond_the_books_alerts_negative_stock_until_counted(make_store, make_sku):
    store, cola = make_store(allow_negative_stock=True), make_sku(name="可口可乐")
    ledger.receive(store, cola, 1, "2.00", user=None, document=("r", "1"))
    ledger.sell(store, cola, 3, user=None, document=("sale", "1"))
    assert kinds(store) == {(Kind.NEGATIVE, "可口可乐")}
    ledger.adjust_to_count(store, cola, 2, user=None, document=("count", "1"))
    assert kinds(store) == set()


def test_more_than_the_days_of_cover_at_recent_sales_is_overstock(make_store, make_sku):
    store, slow, fast = make_store(), make_sku(name="慢销品"), make_sku(name="畅销品")
    ledger.receive(store, slow, 100, "2.00", user=None, document=("r", "1"))
    ledger.receive(store, fast, 100, "2.00", user=None, document=("r", "2"))
    ledger.sell(store, slow, 2, user=None, document=("sale", "1"))  # 2 in 28 days: 98 is years of cover
    ledger.sell(store, fast, 90, user=None, document=("sale", "2"))  # 10 left: three days of cover
    assert kinds(store) == {(Kind.OVERSTOCK, "慢销品")}


def test_near_expiry_lots_alert_and_counts_add_up_in_the_badge(make_store, make_sku):
    store, milk, cola = make_store(), make_sku(name="鲜牛奶", tracking="lot"), make_sku(name="可口可乐")
    ledger.receive(store, milk, 4, "3.00", user=None, document=("r", "1"), lot_code="L1",
                   expiry=business_day() + timedelta(days=2))
    ledger.receive(store, cola, 1, "2.00", user=None, document=("r", "2"))
    ledger.sell(store, cola, 1, user=None, document=("sale", "1"))
    assert counts(store) == {Kind.NEAR_EXPIRY: 1, Kind.OUT: 1}
    assert badge(store) == 2
    assert [a.kind for a in alerts(store, Kind.NEAR_EXPIRY)] == [Kind.NEAR_EXPIRY]


def test_a_stores_alerts_are_its_own(make_store, make_sku):
    mine, theirs, cola = make_store(), make_store(), make_sku()
    ledger.receive(theirs, cola, 1, "2.00", user=None, document=("r", "1"))
    ledger.sell(theirs, cola, 1, user=None, document=("sale", "1"))
    assert alerts(mine) == [] and len(alerts(theirs)) == 1


def test_the_stock_page_shows_the_badge_and_the_list_filters_by_kind(client, make_store, make_sku, make_user, login):
    store = make_store()
    low, gone = make_sku(name="低于预警的商品"), make_sku(name="卖完的商品")
    ledger.receive(store, low, 2, "2.00", user=None, document=("r", "1"))
    db.session.add(StockRule(store_id=store.id, sku_id=low.id, warning_qty=Decimal("5")))
    ledger.receive(store, gone, 1, "2.00", user=None, document=("r", "2"))
    ledger.sell(store, gone, 1, user=None, document=("sale", "1"))
    login(make_user(Role.CASHIER, stores=[store]))
    overview = client.get(f"/stock/stores/{store.id}", headers=ZH).get_data(as_text=True)
    assert f'hx-get="/stock/stores/{store.id}/alerts/badge"' in overview  # the badge loads after the page
    badge = client.get(f"/stock/stores/{store.id}/alerts/badge", headers={"HX-Request": "true", **ZH})
    assert 'data-testid="alert-badge" aria-label="2 条预警">2<' in badge.get_data(as_text=True)
    only_low = client.get(f"/stock/stores/{store.id}/alerts?kind=low", headers=ZH).get_data(as_text=True)
    assert "低于预警的商品" in only_low and "卖完的商品" not in only_low
    everything = client.get(f"/stock/stores/{store.id}/alerts?kind=nonsense", headers=ZH).get_data(as_text=True)
    assert "低于预警的商品" in everything and "卖完的商品" in everything


def test_a_markdown_suggestion_does_not_clear_the_near_expiry_alert(make_store, make_sku):
    store, milk = make_store(), make_sku(tracking="lot")
    ledger.receive(store, milk, 4, "3.00", user=None, document=("r", "1"), lot_code="L1",
                   expiry=business_day() + timedelta(days=1))
    lot = alerts(store)[0].lot
    expiry.suggest_markdown(store, lot, user=None)
    assert [a.kind for a in alerts(store)] == [Kind.NEAR_EXPIRY]
    ledger.write_off(store, milk, 4, user=None, document=("write_off", "1"))
    assert [a.kind for a in alerts(store)] == [Kind.OUT]  # the lot is gone; the shelf is empty


def test_a_long_alert_list_shows_the_most_urgent_first_and_says_how_many_more(
        client, make_store, make_sku, make_user, login, monkeypatch):
    from webapp.stock.alerts import views
    monkeypatch.setattr(views, "SHOWN", 2)
    store = make_store(allow_negative_stock=True)
    for number in range(3):
        sku = make_sku(name=f"卖完的商品{number}")
        ledger.receive(store, sku, 1, "2.00", user=None, document=("r", str(number)))
        ledger.sell(store, sku, 1, user=None, document=("sale", str(number)))
    short = make_sku(name="卖超的商品")
    ledger.sell(store, short, 2, user=None, document=("sale", "x"))
    login(make_user(Role.CASHIER, stores=[store]))
    html = client.get(f"/stock/stores/{store.id}/alerts", headers=ZH).get_data(as_text=True)
    assert "卖超的商品" in html  # negative stock comes first
    assert "还有 2 条未显示" in html
