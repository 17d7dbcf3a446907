"""The variance report and its approval: stock ends up as counted, once, by a manager."""
from decimal import Decimal

import pytest

from webapp.auth.models import Role
from webapp.catalog.services import category_by_path
from webapp.extensions import db
from webapp.stock import queries as stock_queries
from webapp.stock import services as ledger
from webapp.stock.counts import queries, services
from webapp.stock.counts.errors import SerialCountedTwice
from webapp.stock.counts.models import CountLine, Scope
from webapp.stock.models import Reason, StockMove

ZH = {"Accept-Language": "zh-CN"}


def _stocked(make_store, make_sku, **quantities):
    store = make_store()
    skus = {}
    for name, (qty, cost) in quantities.items():
        skus[name] = make_sku(name=name)
        ledger.receive(store, skus[name], qty, cost, user=None, document=("receipt", name))
    return store, skus


def test_a_manager_approves_gains_and_losses_and_on_hand_becomes_what_was_counted(
        client, make_store, make_user, make_sku, login):
    store, skus = _stocked(make_store, make_sku, 可乐=(80, "2.00"), 薯片=(20, "3.50"), 矿泉水=(30, "1.00"))
    manager = make_user(Role.STORE_MANAGER, stores=[store])
    count = services.start_count(store, user=manager, scope=Scope.STORE)
    services.record(count, skus["可乐"].code, 100, user=manager)  # "the system says 80, the shelf has 100"
    services.record(count, skus["薯片"].code, 17, user=manager)
    services.record(count, skus["矿泉水"].code, 30, user=manager)
    login(manager)
    report = client.get(f"/stock/stores/{store.id}/counts/{count.id}/report", headers=ZH).get_data(as_text=True)
    assert "+20" in report and "¥40.00" in report  # 盘盈 20 × ¥2.00
    assert "-3" in report and "-¥10.50" in report  # 盘亏 3 × ¥3.50
    assert "¥29.50" in report  # net
    response = client.post(f"/stock/stores/{store.id}/counts/{count.id}/approve")
    assert response.status_code == 303
    db.session.expire_all()
    assert stock_queries.level_at(store, skus["可乐"])[0] == 100
    assert stock_queries.level_at(store, skus["薯片"])[0] == 17
    assert stock_queries.level_at(store, skus["矿泉水"])[0] == 30
    moves = db.session.scalars(db.select(StockMove).where(StockMove.reason == Reason.COUNT.value)).all()
    assert sorted((m.sku_id, m.quantity) for m in moves) == sorted([(skus["可乐"].id, 20), (skus["薯片"].id, 3)])
    assert {m.document_id for m in moves} == {count.number}


def test_approving_twice_writes_one_set_of_adjustments(client, make_store, make_user, make_sku, login):
    store, skus = _stocked(make_store, make_sku, 可乐=(80, "2.00"))
    manager = make_user(Role.STORE_MANAGER, stores=[store])
    count = services.start_count(store, user=manager, scope=Scope.STORE)
    services.record(count, skus["可乐"].code, 100, user=manager)
    login(manager)
    url = f"/stock/stores/{store.id}/counts/{count.id}/approve"
    assert client.post(url).status_code == 303
    second = client.post(url, headers=ZH)
    assert second.status_code == 409 and "本次盘点已审核过" in second.get_data(as_text=True)
    assert db.session.query(StockMove).filter_by(reason=Reason.COUNT.value).count() == 1
    assert db.session.query(CountLine).count() == 1
    db.session.expire_all()
    assert stock_queries.level_at(store, skus["可乐"])[0] == 100


def test_a_cashier_may_count_but_not_see_the_report_or_approve(client, make_store, make_user, make_sku, login):
    store, skus = _stocked(make_store, make_sku, 可乐=(80, "2.00"))
    cashier = make_user(Role.CASHIER, stores=[store])
    count = services.start_count(store, user=None, scope=Scope.STORE)
    services.record(count, skus["可乐"].code, 100, user=cashier)
    login(cashier)
    assert client.get(f"/stock/stores/{store.id}/counts/{count.id}/report").status_code == 403
    refused = client.post(f"/stock/stores/{store.id}/counts/{count.id}/approve", headers=ZH)
    assert refused.status_code == 403 and "无权" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert count.is_open and stock_queries.level_at(store, skus["可乐"])[0] == 80


def test_a_sale_during_the_count_is_not_taken_for_a_loss(make_store, make_user, make_sku):
    """Sold before an item was counted: it is gone from shelf and snapshot alike; sold after: from neither."""
    store, skus = _stocked(make_store, make_sku, 可乐=(10, "2.00"))
    cola, staff = skus["可乐"], make_user(Role.CASHIER, stores=[store])
    count = services.start_count(store, user=None, scope=Scope.STORE)
    ledger.sell(store, cola, 2, user=None, document=("sale", "before"))
    services.record(count, cola.code, 7, user=staff)  # the shelf has 7: one is missing
    ledger.sell(store, cola, 3, user=None, document=("sale", "after"))
    (line,) = queries.live_variance(count)
    assert (line.expected, line.counted, line.difference) == (8, 7, -1)
    services.approve(count, user=None)
    assert stock_queries.level_at(store, cola)[0] == 4  # 7 counted, 3 sold since


def test_goods_nobody_counted_stay_unless_the_manager_sets_them_to_zero(make_store, make_user, make_sku):
    store, skus = _stocked(make_store, make_sku, 可乐=(10, "2.00"), 薯片=(5, "3.00"))
    keep = services.start_count(store, user=None, scope=Scope.STORE)
    services.record(keep, skus["可乐"].code, 10, user=None)
    assert [v.sku.id for v in queries.uncounted(keep)] == [skus["薯片"].id]
    services.approve(keep, user=None)
    assert stock_queries.level_at(store, skus["薯片"])[0] == 5

    zero = services.start_count(store, user=None, scope=Scope.STORE)
    services.record(zero, skus["可乐"].code, 10, user=None)
    services.approve(zero, user=None, zero_uncounted=True)
    assert stock_queries.level_at(store, skus["薯片"])[0] == 0
    lines, uncounted = queries.report(zero)
    assert [(v.sku.id, v.difference, v.value) for v in uncounted] == [(skus["薯片"].id, -5, Decimal("-15.00"))]


def test_a_category_count_leaves_other_categories_alone(make_store, make_sku):
    store, skus = _stocked(make_store, make_sku, 可乐=(10, "2.00"), 薯片=(5, "3.00"))
    skus["可乐"].product.category = category_by_path("饮料/碳酸饮料")
    skus["薯片"].product.category = category_by_path("零食")
    count = services.start_count(store, user=None, scope=Scope.CATEGORY, category=category_by_path("饮料"))
    assert [v.sku.id for v in queries.uncounted(count)] == [skus["可乐"].id]  # a sub-category is in scope
    services.approve(count, user=None, zero_uncounted=True)
    assert stock_queries.level_at(store, skus["可乐"])[0] == 0
    assert stock_queries.level_at(store, skus["薯片"])[0] == 5


def test_lot_goods_are_adjusted_lot_by_lot(make_store, make_sku):
    store, milk = make_store(), make_sku(name="鲜牛奶", tracking="lot")
    ledger.receive(store, milk, 10, "4.00", user=None, document=("receipt", "1"), lot_code="L1")
    ledger.receive(store, milk, 5, "4.00", user=None, document=("receipt", "2"), lot_code="L2")
    count = services.start_count(store, user=None, scope=Scope.STORE)
    services.record(count, milk.code, 8, user=None, lot_code="L1")
    services.record(count, milk.code, 6, user=None, lot_code="L2")
    services.approve(count, user=None)
    lots = dict(db.session.execute(db.text(
        "SELECT lots.code, stock_levels.on_hand FROM stock_levels JOIN lots ON lots.id = stock_levels.lot_id")).all())
    assert lots == {"L1": 8000, "L2": 6000}  # thousandths


def test_the_report_stays_the_same_after_approval_and_exports_as_csv(client, make_store, make_user, make_sku, login):
    store, skus = _stocked(make_store, make_sku, 可乐=(80, "2.00"))
    manager = make_user(Role.STORE_MANAGER, stores=[store])
    count = services.start_count(store, user=manager, scope=Scope.STORE)
    services.record(count, skus["可乐"].code, 100, user=manager)
    services.approve(count, user=manager)
    ledger.sell(store, skus["可乐"], 5, user=None, document=("sale", "later"))
    login(manager)
    report = client.get(f"/stock/stores/{store.id}/counts/{count.id}/report", headers=ZH).get_data(as_text=True)
    assert "+20" in report and "¥40.00" in report and "审核盘点" not in report
    csv = client.get(f"/stock/stores/{store.id}/counts/{count.id}/report.csv", headers=ZH)
    text = csv.get_data(as_text=True)
    assert csv.mimetype == "text/csv" and text.startswith("\ufeffSKU")
    assert f"{skus['可乐'].code},可乐,,80.000,100.000,20.000,2.00,40.00," in text


def test_a_long_report_shows_the_differences_and_leaves_the_long_lists_to_the_csv(
        client, monkeypatch, make_store, make_user, make_sku, login):
    from webapp.stock.counts import views

    store, skus = _stocked(make_store, make_sku, 可乐=(10, "2.00"), 薯片=(5, "3.00"), 面包=(4, "4.00"), 牛奶=(3, "5.00"))
    manager = make_user(Role.STORE_MANAGER, stores=[store])
    count = services.start_count(store, user=manager, scope=Scope.STORE)
    services.record(count, skus["可乐"].code, 9, user=manager)
    monkeypatch.setattr(views, "REPORT_ROWS", 2)
    login(manager)
    html = client.get(f"/stock/stores/{store.id}/counts/{count.id}/report", headers=ZH).get_data(as_text=True)
    assert "可乐" in html and "未盘点：3 个 SKU" in html and "仅显示前 2 条" in html
    assert sum(name in html for name in ("薯片", "面包", "牛奶")) == 2
    csv = client.get(f"/stock/stores/{store.id}/counts/{count.id}/report.csv").get_data(as_text=True)
    assert all(name in csv for name in ("可乐", "薯片", "面包", "牛奶"))


def test_every_entry_exports_with_who_counted_where(client, make_store, make_user, make_sku, login):
    store, skus = _stocked(make_store, make_sku, 可乐=(80, "2.00"))
    manager = make_user(Role.STORE_MANAGER, stores=[store], display_name="孙店长")
    staff = make_user(Role.CASHIER, stores=[store], display_name="钱收银")
    count = services.start_count(store, user=manager, scope=Scope.STORE)
    services.record(count, skus["可乐"].code, 60, user=staff, place="前排货架")
    services.record(count, skus["可乐"].code, 40, user=manager, place="后仓")
    login(manager)
    text = client.get(f"/stock/stores/{store.id}/counts/{count.id}/entries.csv", headers=ZH).get_data(as_text=True)
    rows = text.strip().splitlines()[1:]
    assert [r.split(",")[1:3] + [r.split(",")[6]] for r in rows] == [["钱收银", "前排货架", "60.000"],
                                                                    ["孙店长", "后仓", "40.000"]]


def test_a_serial_number_is_counted_once_so_it_is_never_in_stock_twice(make_store, make_user, make_sku):
    store, phone = make_store(), make_sku(name="手机", tracking="serial")
    ledger.receive(store, phone, 1, "2000.00", user=None, document=("receipt", "1"), lot_code="SN-1")
    manager = make_user(Role.STORE_MANAGER, stores=[store])
    count = services.start_count(store, user=manager, scope=Scope.STORE)
    services.record(count, phone.code, user=manager, lot_code="SN-1")
    for again in ({}, {"qty": 5}):
        with pytest.raises(SerialCountedTwice):
            services.record(count, phone.code, user=manager, lot_code="SN-1", **again)
    services.approve(count, user=manager)
    assert stock_queries.level_at(store, phone)[0] == 1
