"""Counting a store on a phone: scans, typed quantities, weights, lots, bad input."""
from decimal import Decimal

from webapp.auth.models import Role
from webapp.catalog.services import category_by_path
from webapp.extensions import db
from webapp.stock import services as ledger
from webapp.stock.counts import queries, services
from webapp.stock.counts.models import CountEntry, Scope

ZH = {"Accept-Language": "zh-CN"}


def _count_page(client, store, scope="store", category_id=0, blind="y"):
    response = client.post(f"/stock/stores/{store.id}/counts/",
                           data={"scope": scope, "category_id": category_id, "blind": blind})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.location


def test_each_scan_counts_one_and_a_typed_quantity_counts_that_many(client, make_store, make_user, make_sku, login):
    store, cola = make_store(), make_sku(name="可口可乐 330ml", barcode="6901234567892")
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    url = _count_page(client, store)
    for _ in range(3):
        assert client.post(f"{url}/entries", data={"code": "6901234567892", "place": "A1"}).status_code == 200
    response = client.post(f"{url}/entries", data={"code": "6901234567892", "quantity": "12", "place": "仓库"},
                           headers=ZH)
    assert "已盘点 12 × 可口可乐 330ml" in response.get_data(as_text=True)
    (line,) = queries.live_variance(db.session.scalars(db.select(services.StockCount)).one())
    assert line.sku.id == cola.id and line.counted == 15


def test_a_blind_count_hides_the_system_quantity_and_an_open_one_shows_it(
        client, make_store, make_user, make_sku, login):
    store, sku = make_store(), make_sku(name="旺旺雪饼", barcode="6901234567892")
    ledger.receive(store, sku, 37, "1.00", user=None, document=("receipt", "1"))
    login(make_user(Role.CASHIER, stores=[store]))
    blind = services.start_count(store, user=None, scope=Scope.STORE, blind=True)
    open_ = services.start_count(store, user=None, scope=Scope.STORE, blind=False)
    db.session.commit()
    blind_html = client.post(f"/stock/stores/{store.id}/counts/{blind.id}/entries", data={"code": sku.code},
                             headers=ZH).get_data(as_text=True)
    open_html = client.post(f"/stock/stores/{store.id}/counts/{open_.id}/entries", data={"code": sku.code},
                            headers=ZH).get_data(as_text=True)
    assert "系统数量" not in blind_html and ">37<" not in blind_html
    assert "系统数量" in open_html and ">37<" in open_html


def test_weighed_goods_need_their_weight_typed(client, make_store, make_user, make_sku, login):
    store = make_store()
    pork = make_sku(name="五花肉", weighed=True, unit="kg", barcode="6901234567892")
    login(make_user(Role.CASHIER, stores=[store]))
    count = services.start_count(store, user=None, scope=Scope.STORE)
    db.session.commit()
    url = f"/stock/stores/{store.id}/counts/{count.id}/entries"
    refused = client.post(url, data={"code": pork.code}, headers=ZH)
    assert refused.status_code == 422 and "五花肉 是称重商品：请输入重量（千克）" in refused.get_data(as_text=True)
    assert client.post(url, data={"code": pork.code, "quantity": "2.345"}).status_code == 200
    assert queries.live_variance(count)[0].counted == Decimal("2.345")


def test_a_negative_count_an_unknown_barcode_and_nonsense_are_refused_and_nothing_is_recorded(
        client, make_store, make_user, make_sku, login):
    store, sku = make_store(), make_sku(barcode="6901234567892")
    login(make_user(Role.CASHIER, stores=[store]))
    count = services.start_count(store, user=None, scope=Scope.STORE)
    db.session.commit()
    url = f"/stock/stores/{store.id}/counts/{count.id}/entries"
    negative = client.post(url, data={"code": sku.code, "quantity": "-5"}, headers=ZH)
    assert negative.status_code == 422 and "盘点数量不能为负数" in negative.get_data(as_text=True)
    unknown = client.post(url, data={"code": "999000111"}, headers=ZH)
    assert unknown.status_code == 422 and "没有条码或编码为 999000111 的商品" in unknown.get_data(as_text=True)
    nonsense = client.post(url, data={"code": sku.code, "quantity": "abc"}, headers=ZH)
    assert nonsense.status_code == 422 and "不是数字" in nonsense.get_data(as_text=True)
    assert db.session.query(CountEntry).count() == 0


def test_a_category_count_refuses_goods_of_another_category(client, make_store, make_user, make_sku, login):
    store = make_store()
    drinks, snacks = category_by_path("饮料"), category_by_path("零食")
    cola, chips = make_sku(name="可乐"), make_sku(name="薯片")
    cola.product.category, chips.product.category = drinks, snacks
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    url = _count_page(client, store, scope="category", category_id=drinks.id)
    assert client.post(f"{url}/entries", data={"code": cola.code}).status_code == 200
    refused = client.post(f"{url}/entries", data={"code": chips.code}, headers=ZH)
    assert refused.status_code == 422 and "薯片 不在本次盘点范围内（分类 饮料）" in refused.get_data(as_text=True)


def test_lot_goods_are_counted_per_lot(client, make_store, make_user, make_sku, login):
    store, milk = make_store(), make_sku(name="光明 鲜牛奶", tracking="lot")
    ledger.receive(store, milk, 10, "4.00", user=None, document=("receipt", "1"), lot_code="L1")
    ledger.receive(store, milk, 5, "4.00", user=None, document=("receipt", "2"), lot_code="L2")
    login(make_user(Role.CASHIER, stores=[store]))
    count = services.start_count(store, user=None, scope=Scope.STORE)
    db.session.commit()
    url = f"/stock/stores/{store.id}/counts/{count.id}/entries"
    no_lot = client.post(url, data={"code": milk.code, "quantity": "9"}, headers=ZH)
    assert no_lot.status_code == 422 and "请填写批次号或序列号" in no_lot.get_data(as_text=True)
    unknown = client.post(url, data={"code": milk.code, "quantity": "9", "lot_code": "L9"}, headers=ZH)
    assert unknown.status_code == 422 and "L9" in unknown.get_data(as_text=True)
    assert client.post(url, data={"code": milk.code, "quantity": "9", "lot_code": "L1"}).status_code == 200
    assert client.post(url, data={"code": milk.code, "quantity": "5", "lot_code": "L2"}).status_code == 200
    lines = {v.lot.code: v.difference for v in queries.live_variance(count)}
    assert lines == {"L1": Decimal("-1"), "L2": Decimal("0")}


def test_people_remove_their_own_wrong_scans_but_not_others(client, make_store, make_user, make_sku, login):
    store, sku = make_store(), make_sku()
    other = make_user(Role.CASHIER, stores=[store])
    count = services.start_count(store, user=None, scope=Scope.STORE)
    theirs = services.record(count, sku.code, user=other)
    login(make_user(Role.CASHIER, stores=[store]))
    client.post(f"/stock/stores/{store.id}/counts/{count.id}/entries", data={"code": sku.code})
    mine = db.session.scalars(db.select(CountEntry).where(CountEntry.id != theirs.id)).one()
    base = f"/stock/stores/{store.id}/counts/{count.id}/entries"
    refused = client.post(f"{base}/{theirs.id}/remove", headers=ZH)
    assert refused.status_code == 409 and "只有录入该记录的人才能删除它" in refused.get_data(as_text=True)
    assert client.post(f"{base}/{mine.id}/remove").status_code == 200
    db.session.expire_all()
    assert [e.id for e in db.session.scalars(db.select(CountEntry))] == [theirs.id]


def test_staff_of_another_store_cannot_count_here(client, make_store, make_user, make_sku, login):
    store, elsewhere = make_store(), make_store()
    count = services.start_count(store, user=None, scope=Scope.STORE)
    login(make_user(Role.CASHIER, stores=[elsewhere]))
    assert client.post(f"/stock/stores/{store.id}/counts/{count.id}/entries", data={"code": "x"}).status_code == 403
    assert client.get(f"/stock/stores/{elsewhere.id}/counts/{count.id}").status_code == 404


def test_the_counting_screen_and_the_stock_page_link_to_each_other(client, make_store, make_user, login):
    store = make_store()
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    overview = client.get(f"/stock/stores/{store.id}", headers=ZH).get_data(as_text=True)
    assert f"/stock/stores/{store.id}/counts/" in overview
    counts = client.get(f"/stock/stores/{store.id}/counts/", headers=ZH).get_data(as_text=True)
    assert "开始盘点" in counts and f"/stock/stores/{store.id}/write-offs/" in counts


def test_a_scale_label_counts_its_weight_and_a_bad_one_is_refused(client, make_store, make_user, make_sku, login):
    from webapp.catalog.barcodes import with_check_digit

    store = make_store()
    apples = make_sku(name="富士苹果", weighed=True, unit="kg", plu="10091")
    login(make_user(Role.CASHIER, stores=[store]))
    count = services.start_count(store, user=None, scope=Scope.STORE)
    db.session.commit()
    url = f"/stock/stores/{store.id}/counts/{count.id}/entries"
    label = with_check_digit("211009101235")  # PLU 10091, 1.235 kg
    assert client.post(url, data={"code": label}).status_code == 200
    assert client.post(url, data={"code": "10091", "quantity": "0.5"}).status_code == 200  # the PLU typed
    bad = label[:-1] + str((int(label[-1]) + 1) % 10)
    refused = client.post(url, data={"code": bad}, headers=ZH)
    assert refused.status_code == 422 and bad in refused.get_data(as_text=True)
    (line,) = queries.live_variance(count)
    assert line.sku.id == apples.id and line.counted == Decimal("1.735")


def test_a_category_count_needs_its_category_and_only_managers_start_counts(
        client, make_store, make_user, login):
    store = make_store()
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    refused = client.post(f"/stock/stores/{store.id}/counts/", data={"scope": "category", "category_id": 0},
                          headers=ZH)
    assert refused.status_code == 422 and "请选择要盘点的分类" in refused.get_data(as_text=True)
    client.post("/logout")
    login(make_user(Role.CASHIER, stores=[store]))
    assert client.post(f"/stock/stores/{store.id}/counts/", data={"scope": "store"}).status_code == 403
    assert db.session.query(services.StockCount).count() == 0
