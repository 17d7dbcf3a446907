"""The stock screens as store staff use them."""
from decimal import Decimal

from webapp.auth.models import Role
from webapp.extensions import db
from webapp.stock import queries, services
from webapp.stock.models import StockRule


def test_a_manager_receives_goods_and_sees_them_on_hand_and_in_the_ledger(client, make_store, make_user, make_sku, login):
    store = make_store()
    sku = make_sku(name="康师傅 红烧牛肉面", barcode="6921168509256")
    login(make_user(Role.STORE_MANAGER, stores=[store], display_name="王店长"))
    response = client.post(f"/stock/stores/{store.id}/receive",
                           data={"code": "6921168509256", "quantity": "10", "unit_cost": "2.50"})
    assert response.status_code == 303
    assert queries.level_at(store, sku) == (10, 0)
    ledger = client.get(response.location, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "康师傅 红烧牛肉面" in ledger and "+10" in ledger and "入库" in ledger and "王店长" in ledger


def test_an_unknown_barcode_at_receiving_is_explained(client, make_store, make_user, login):
    store = make_store()
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    response = client.post(f"/stock/stores/{store.id}/receive",
                           data={"code": "123", "quantity": "1", "unit_cost": "1"},
                           headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422 and "没有条码或编码为 123 的商品" in response.get_data(as_text=True)


def test_a_negative_quantity_at_receiving_is_refused(client, make_store, make_user, make_sku, login):
    store, sku = make_store(), make_sku(barcode="6921168509256")
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    response = client.post(f"/stock/stores/{store.id}/receive",
                           data={"code": sku.code, "quantity": "-5", "unit_cost": "1"})
    assert response.status_code == 422
    assert queries.level_at(store, sku) == (0, 0)


def test_lot_goods_received_without_a_lot_are_refused(client, make_store, make_user, make_sku, login):
    store, milk = make_store(), make_sku(name="光明 鲜牛奶", tracking="lot")
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    response = client.post(f"/stock/stores/{store.id}/receive",
                           data={"code": milk.code, "quantity": "6", "unit_cost": "4"},
                           headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422 and "请填写批次号或序列号" in response.get_data(as_text=True)


def test_the_overview_shows_on_hand_reserved_available_sales_and_the_warning_line(
        client, make_store, make_user, make_sku, login):
    store, sku = make_store(), make_sku(name="伊利 纯牛奶")
    services.receive(store, sku, 20, "2.00", user=None, document=("r", "1"))
    services.reserve(store, sku, 3, document=("order", "1"))
    services.sell(store, sku, 4, user=None, document=("sale", "1"))
    db.session.add(StockRule(store_id=store.id, sku_id=sku.id, warning_qty=Decimal("15")))
    login(make_user(Role.CASHIER, stores=[store]))
    html = client.get(f"/stock/stores/{store.id}").get_data(as_text=True)
    row = html.split("伊利 纯牛奶")[1].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[1:6]]
    assert [c.replace("<strong", "").strip() for c in cells][0] == "16"  # on hand
    assert "3" in cells[1] and "15" in cells[4]
    assert 'class="low' in html


def test_the_overview_searches_within_the_store(client, make_store, make_user, make_sku, login):
    store = make_store()
    for name in ("可口可乐", "雪碧"):
        services.receive(store, make_sku(name=name), 1, "1.00", user=None, document=("r", "1"))
    login(make_user(Role.CASHIER, stores=[store]))
    html = client.get(f"/stock/stores/{store.id}?q=xb", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "雪碧" in html and "可口可乐" not in html


import pytest  # noqa: E402


@pytest.mark.parametrize("field, value", [("quantity", "1e30"), ("quantity", "1.0005"),
                                          ("quantity", "Infinity"), ("unit_cost", "1.005")])
def test_absurd_numbers_at_receiving_are_refused_without_a_crash(client, make_store, make_user, make_sku, login,
                                                                 field, value):
    store, sku = make_store(), make_sku()
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    data = {"code": sku.code, "quantity": "1", "unit_cost": "1.00", field: value}
    response = client.post(f"/stock/stores/{store.id}/receive", data=data)
    assert response.status_code == 422
    assert queries.level_at(store, sku) == (0, 0)


def test_an_overlong_lot_number_is_refused(client, make_store, make_user, make_sku, login):
    store, milk = make_store(), make_sku(tracking="lot")
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    response = client.post(f"/stock/stores/{store.id}/receive",
                           data={"code": milk.code, "quantity": "1", "unit_cost": "1", "lot_code": "L" * 80})
    assert response.status_code == 422


def test_a_scanned_barcode_in_the_overview_search_shows_that_product(client, make_store, make_user, make_sku, login):
    store = make_store()
    cola = make_sku(name="可口可乐", barcode="6928804011173")
    services.receive(store, cola, 1, "1.00", user=None, document=("r", "1"))
    services.receive(store, make_sku(name="雪碧 6928804011173 同名"), 1, "1.00", user=None, document=("r", "2"))
    other_store_only = make_sku(name="别店商品", barcode="6901234567892")
    services.receive(make_store(), other_store_only, 1, "1.00", user=None, document=("r", "3"))
    login(make_user(Role.CASHIER, stores=[store]))
    html = client.get(f"/stock/stores/{store.id}?q=6928804011173", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "可口可乐" in html and "雪碧" not in html  # the scan means this product, not names holding the digits
    html = client.get(f"/stock/stores/{store.id}?q=6901234567892", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "别店商品" not in html
