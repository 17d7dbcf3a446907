"""The purchasing and receiving screens, as HQ and store staff use them."""
from decimal import Decimal as D

from sqlalchemy import select

from webapp.auth.models import Role
from webapp.catalog.models import Supplier
from webapp.extensions import db
from webapp.purchasing.models import OrderStatus, PurchaseOrder, ReceivingNote, SupplierItem
from webapp.stock import queries as stock_queries
from webapp.stock import services as stock

ZH = {"Accept-Language": "zh-CN"}
HTMX = {"HX-Request": "true", **ZH}


def test_hq_adds_a_supplier_with_a_pack_size_and_cost_price(client, make_user, make_sku, login):
    sku = make_sku(name="农夫山泉 550ml", barcode="6921168509256")
    login(make_user(Role.HQ_ADMIN))
    response = client.post("/admin/suppliers/new", data={"name": "农夫山泉经销商", "contact": "李经理", "phone": "0571-1234",
                                                         "lead_time_days": "3", "minimum_order": "300"})
    assert response.status_code == 303
    supplier = db.session.scalar(select(Supplier).where(Supplier.name == "农夫山泉经销商"))
    response = client.post(f"/admin/suppliers/{supplier.id}/items", data={
        "code": "6921168509256", "cost_price": "1.10", "pack_size": "24", "min_order_qty": "0",
        "pack_barcode": "16921168509253"})
    assert response.status_code == 303
    item = db.session.scalar(select(SupplierItem))
    assert (item.sku_id, item.cost_price, item.pack_size) == (sku.id, D("1.10"), D("24"))
    page = client.get(f"/admin/suppliers/{supplier.id}", headers=ZH).get_data(as_text=True)
    assert "农夫山泉 550ml" in page and "¥1.10" in page and "16921168509253" in page


def test_a_pack_barcode_that_is_a_units_barcode_is_refused(client, make_user, make_sku, make_supplier, login):
    make_sku(barcode="6921168509256")
    other = make_sku()
    supplier = make_supplier()
    login(make_user(Role.HQ_ADMIN))
    response = client.post(f"/admin/suppliers/{supplier.id}/items", headers=ZH, data={
        "code": other.code, "cost_price": "1", "pack_size": "6", "min_order_qty": "0", "pack_barcode": "6921168509256"})
    assert response.status_code == 422 and "条码 6921168509256 已属于" in response.get_data(as_text=True)


def test_a_store_manager_sees_only_their_own_stores_purchase_orders(
        client, make_store, make_user, make_sku, make_supplier, sent_order, login):
    mine, theirs, sku = make_store(), make_store(), make_sku()
    supplier = make_supplier(items=[(sku, "2.00", "1")])
    order = sent_order(theirs, supplier, [(sku, "5")])
    login(make_user(Role.STORE_MANAGER, stores=[mine]))
    assert client.get(f"/stock/stores/{theirs.id}/purchase-orders/{order.id}").status_code == 403
    assert client.get(f"/stock/stores/{mine.id}/purchase-orders/{order.id}").status_code == 404
    assert client.get("/admin/purchase-orders").status_code == 403
    assert client.get(f"/stock/stores/{mine.id}/purchase-orders").status_code == 200


def test_a_cashier_cannot_receive_or_order(client, make_store, make_user, login):
    store = make_store()
    login(make_user(Role.CASHIER, stores=[store]))
    assert client.get(f"/stock/stores/{store.id}/receiving").status_code == 403
    assert client.get(f"/stock/stores/{store.id}/replenishment").status_code == 403


def test_one_tap_on_the_suggestions_makes_one_draft_order_even_when_tapped_twice(
        client, make_store, make_user, make_sku, make_supplier, login):
    store, sku = make_store(), make_sku(name="康师傅 红烧牛肉面")
    supplier = make_supplier(name="康师傅经销商", items=[(sku, "2.50", "24")])
    stock.receive(store, sku, 100, "2.50", user=None, document=("opening", "1"))
    stock.sell(store, sku, 70, user=None, document=("sale", "1"))
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    page = client.get(f"/stock/stores/{store.id}/replenishment", headers=ZH).get_data(as_text=True)
    assert "康师傅经销商" in page and "康师傅 红烧牛肉面" in page
    tap = {"key": "page-token-1"}
    first = client.post(f"/stock/stores/{store.id}/replenishment/{supplier.id}", data=tap, headers=HTMX)
    second = client.post(f"/stock/stores/{store.id}/replenishment/{supplier.id}", data=tap, headers=HTMX)
    assert first.status_code == second.status_code == 204
    assert first.headers["HX-Location"] == second.headers["HX-Location"]
    [order] = db.session.scalars(select(PurchaseOrder)).all()
    assert order.status == OrderStatus.DRAFT and order.lines[0].quantity == D("72")  # 100 − 30 = 70 → 3 × 24


def test_the_purchase_order_prints_and_exports_its_lines(
        client, make_store, make_user, make_sku, make_supplier, sent_order, login):
    store, sku = make_store(name="西湖一号店"), make_sku(name="可口可乐 330ml", barcode="6928804011173")
    order = sent_order(store, make_supplier(name="可口可乐装瓶厂", items=[(sku, "1.80", "24")]), [(sku, "48")])
    login(make_user(Role.HQ_ADMIN))
    printed = client.get(f"/stock/stores/{store.id}/purchase-orders/{order.id}/print", headers=ZH).get_data(as_text=True)
    assert "可口可乐装瓶厂" in printed and "西湖一号店" in printed and "¥86.40" in printed and "css/print.css" in printed
    exported = client.get(f"/stock/stores/{store.id}/purchase-orders/{order.id}/export.csv", headers=ZH)
    text = exported.get_data(as_text=True)
    assert exported.mimetype == "text/csv" and text.startswith("\ufeff")
    assert f"{sku.code},可口可乐 330ml,6928804011173,24,48,1.80,86.40,0" in text


def _receive_page(client, store, order):
    response = client.post(f"/stock/stores/{store.id}/receiving", data={"order_id": order.id})
    assert response.status_code == 303
    return response.location


def test_receiving_by_scanning_survives_a_reload_and_confirms_once(
        client, make_store, make_user, make_sku, make_supplier, sent_order, login):
    store, sku = make_store(), make_sku(name="可口可乐 330ml", barcode="6928804011173")
    order = sent_order(store, make_supplier(items=[(sku, "1.80", "6")]), [(sku, "12")])
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    url = _receive_page(client, store, order)
    for _ in range(5):
        assert client.post(f"{url}/scan", data={"code": "6928804011173"}, headers=HTMX).status_code == 200
    assert client.post(f"{url}/scan", data={"code": "6928804011173", "pack": "y"}, headers=HTMX).status_code == 200
    reloaded = client.get(url, headers=ZH).get_data(as_text=True)  # the phone dropped its connection
    assert 'data-testid="scanned">11<' in reloaded and "差 1" in reloaded
    assert client.post(f"{url}/confirm").status_code == 303
    again = client.post(f"{url}/confirm")  # a second tap, or a second phone
    assert again.status_code == 303 and again.location.endswith(url)  # shown the note, received once
    assert stock_queries.level_at(store, sku)[0] == 11
    db.session.expire_all()
    assert db.session.get(PurchaseOrder, order.id).status == OrderStatus.PARTLY_RECEIVED
    note = client.get(url, headers=ZH).get_data(as_text=True)
    assert "已确认" in note and "-1" in note


def test_scanning_another_suppliers_item_asks_and_an_unknown_barcode_is_explained(
        client, make_store, make_user, make_sku, make_supplier, sent_order, login):
    store, cola = make_store(), make_sku(barcode="6928804011173")
    beer = make_sku(name="青岛啤酒", barcode="6901035603959")
    order = sent_order(store, make_supplier(items=[(cola, "1.80", "6")]), [(cola, "12")])
    make_supplier(name="青岛啤酒经销商", items=[(beer, "3.00", "24")])
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    url = _receive_page(client, store, order)
    unknown = client.post(f"{url}/scan", data={"code": "999"}, headers=HTMX)
    assert unknown.status_code == 422 and "没有条码或编码为 999 的商品" in unknown.get_data(as_text=True)
    asked = client.post(f"{url}/scan", data={"code": "6901035603959"}, headers=HTMX)
    text = asked.get_data(as_text=True)
    assert asked.status_code == 409 and "青岛啤酒经销商" in text and "仍然添加" in text
    assert db.session.scalar(select(ReceivingNote)).lines == []
    added = client.post(f"{url}/scan", data={"code": "6901035603959", "add_anyway": "y"}, headers=HTMX)
    assert added.status_code == 200 and "不在订单上" in added.get_data(as_text=True)


def test_a_zero_quantity_on_a_line_is_refused_and_the_line_kept(
        client, make_store, make_user, make_sku, make_supplier, sent_order, login):
    store, cola = make_store(), make_sku(barcode="6928804011173")
    order = sent_order(store, make_supplier(items=[(cola, "1.80", "6")]), [(cola, "12")])
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    url = _receive_page(client, store, order)
    client.post(f"{url}/scan", data={"code": "6928804011173"}, headers=HTMX)
    line = db.session.scalar(select(ReceivingNote)).lines[0]
    refused = client.post(f"{url}/lines/{line.id}", data={"quantity": "0", "unit_cost": "1.80"}, headers=HTMX)
    assert refused.status_code == 422 and "数量必须大于零" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(ReceivingNote)).lines[0].quantity == D("1")


def test_hq_filters_every_stores_purchase_orders_by_status(
        client, make_store, make_user, make_sku, make_supplier, sent_order, login):
    store, sku = make_store(), make_sku()
    supplier = make_supplier(items=[(sku, "2.00", "1")])
    order = sent_order(store, supplier, [(sku, "5")])
    login(make_user(Role.HQ_ADMIN))
    sent = client.get("/admin/purchase-orders?status=sent")
    assert sent.status_code == 200 and order.number in sent.get_data(as_text=True)
    drafts = client.get("/admin/purchase-orders?status=draft")
    assert drafts.status_code == 200 and order.number not in drafts.get_data(as_text=True)
