"""The transfer screens as store staff use them on a phone: scan, send, receive, settle."""
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.stock import queries
from webapp.stock import services as ledger
from webapp.stock.transfers import receiving, services
from webapp.stock.transfers.models import Transfer

ZH = {"Accept-Language": "zh-CN"}
HX = {"HX-Request": "true", **ZH}


def setup_chain(make_store, make_sku, make_user):
    sender, receiver = make_store(name="文三路店"), make_store(name="星光大道店")
    cola = make_sku(name="可口可乐 330ml", barcode="6928804011173")
    ledger.receive(sender, cola, 100, "2.00", user=None, document=("r", "1"))
    sender_staff = make_user(Role.CASHIER, stores=[sender])
    receiver_manager = make_user(Role.STORE_MANAGER, stores=[receiver])
    return sender, receiver, cola, sender_staff, receiver_manager


def test_staff_scan_lines_into_a_transfer_and_send_it(client, make_store, make_sku, make_user, login):
    sender, receiver, cola, staff, _ = setup_chain(make_store, make_sku, make_user)
    login(staff)
    response = client.post(f"/stock/stores/{sender.id}/transfers", data={"destination": receiver.id})
    assert response.status_code == 303
    url = response.location
    for _ in range(2):  # the same barcode scanned twice adds to its line
        client.post(f"{url}/lines", data={"code": "6928804011173", "quantity": "6"}, headers=HX)
    html = client.post(f"{url}/send", headers=HX).get_data(as_text=True)
    assert "已发出" in html or "在途" in html
    assert queries.level_at(sender, cola) == (88, 0)
    assert db.session.scalar(db.select(Transfer)).lines[0].quantity == 12


def test_sending_more_than_the_shelf_has_is_explained_and_nothing_moves(client, make_store, make_sku, make_user, login):
    sender, receiver, cola, staff, _ = setup_chain(make_store, make_sku, make_user)
    login(staff)
    url = client.post(f"/stock/stores/{sender.id}/transfers", data={"destination": receiver.id}).location
    client.post(f"{url}/lines", data={"code": cola.code, "quantity": "120"}, headers=HX)
    response = client.post(f"{url}/send", headers=HX)
    assert response.status_code == 409
    assert "可口可乐 330ml 库存不足" in response.get_data(as_text=True)
    assert queries.level_at(sender, cola) == (100, 0)


def test_a_search_by_name_offers_the_matching_products(client, make_store, make_sku, make_user, login):
    sender, receiver, cola, staff, _ = setup_chain(make_store, make_sku, make_user)
    cherry = make_sku(name="可口可乐 樱桃味")
    ledger.receive(sender, cherry, 5, "2.00", user=None, document=("r", "2"))
    login(staff)
    url = client.post(f"/stock/stores/{sender.id}/transfers", data={"destination": receiver.id}).location
    html = client.post(f"{url}/lines", data={"code": "可口可乐", "quantity": "1"}, headers=HX).get_data(as_text=True)
    assert "可口可乐 樱桃味" in html and "可口可乐 330ml" in html
    assert not db.session.scalar(db.select(Transfer)).lines
    response = client.post(f"{url}/lines", data={"code": "不存在的东西", "quantity": "1"}, headers=HX)
    assert response.status_code == 422 and "没有与" in response.get_data(as_text=True)


def test_the_receiving_store_sees_the_transfer_on_its_way_and_receives_by_scanning(
        client, make_store, make_sku, make_user, login):
    sender, receiver, cola, staff, manager = setup_chain(make_store, make_sku, make_user)
    login(staff)
    url = client.post(f"/stock/stores/{sender.id}/transfers", data={"destination": receiver.id}).location
    client.post(f"{url}/lines", data={"code": cola.code, "quantity": "12"}, headers=HX)
    client.post(f"{url}/send", headers=HX)
    transfer = db.session.scalar(db.select(Transfer))
    login(manager)
    listing = client.get(f"/stock/stores/{receiver.id}/transfers", headers=ZH).get_data(as_text=True)
    assert transfer.number in listing.split("在途")[1]
    receive_url = f"/stock/stores/{receiver.id}/transfers/{transfer.id}"
    for _ in range(11):
        client.post(f"{receive_url}/scan", data={"code": "6928804011173"}, headers=HX)
    html = client.post(f"{receive_url}/receive", headers=HX).get_data(as_text=True)
    assert "短少" in html
    assert queries.level_at(receiver, cola) == (11, 0) and queries.level_at(sender, cola) == (88, 0)
    response = client.post(f"{receive_url}/receive", headers=HX)  # a second tap
    assert response.status_code == 409 and "已经收货" in response.get_data(as_text=True)
    assert queries.level_at(receiver, cola) == (11, 0)


def test_scanning_a_product_that_is_not_on_the_transfer_is_refused(client, make_store, make_sku, make_user, login):
    sender, receiver, cola, _staff, manager = setup_chain(make_store, make_sku, make_user)
    make_sku(name="雪碧 330ml", barcode="6928804011289")
    transfer = services.create(sender, receiver, user=None)
    services.add_line(transfer, cola, 3)
    services.send(transfer, user=None)
    login(manager)
    response = client.post(f"/stock/stores/{receiver.id}/transfers/{transfer.id}/scan",
                           data={"code": "6928804011289"}, headers=HX)
    assert response.status_code == 409 and "雪碧 330ml 不在调拨单" in response.get_data(as_text=True)


def test_a_manager_settles_a_short_line_and_a_cashier_cannot(client, make_store, make_sku, make_user, login):
    sender, receiver, cola, _staff, manager = setup_chain(make_store, make_sku, make_user)
    transfer = services.create(sender, receiver, user=None)
    services.add_line(transfer, cola, 12)
    services.send(transfer, user=None)
    receiving.scan(transfer, cola, 11)
    short = receiving.confirm_receipt(transfer, user=None)[0]
    url = f"/stock/stores/{receiver.id}/transfers/{transfer.id}/discrepancies/{short.id}"
    login(make_user(Role.CASHIER, stores=[receiver]))
    assert client.post(url, data={"resolution": "lost"}).status_code == 403
    login(manager)
    html = client.post(url, data={"resolution": "lost", "note": "物流丢件"}, headers=HX).get_data(as_text=True)
    assert "物流丢件" in html
    assert ledger.chain_on_hand(cola) == 99


def test_another_store_cannot_open_a_transfer_it_is_not_part_of(client, make_store, make_sku, make_user, login):
    sender, receiver, cola, _staff, _manager = setup_chain(make_store, make_sku, make_user)
    other = make_store()
    transfer = services.create(sender, receiver, user=None)
    login(make_user(Role.STORE_MANAGER, stores=[other]))
    assert client.get(f"/stock/stores/{other.id}/transfers/{transfer.id}").status_code == 404
    assert client.get(f"/stock/stores/{sender.id}/transfers/{transfer.id}").status_code == 403
