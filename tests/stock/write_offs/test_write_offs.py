"""Write-offs (报损) as a store manager records them: scanned lines, a reason, a photo, the report."""
import io
import os
from decimal import Decimal

from PIL import Image

from webapp.auth.models import Role
from webapp.extensions import db
from webapp.stock import queries as stock_queries
from webapp.stock import services as ledger
from webapp.stock.models import Reason, StockMove
from webapp.stock.write_offs import services
from webapp.stock.write_offs.models import WriteOff

ZH = {"Accept-Language": "zh-CN"}


def _photo(kind="PNG", size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, kind)
    return out.getvalue()


def _draft(client, store):
    response = client.post(f"/stock/stores/{store.id}/write-offs/")
    assert response.status_code == 303
    return response.location


def test_a_manager_scans_broken_goods_and_writes_them_off_with_a_photo(
        client, app, tmp_path, monkeypatch, make_store, make_user, make_sku, login):
    monkeypatch.setitem(app.config, "WRITE_OFF_PHOTO_DIR", str(tmp_path))
    store, eggs = make_store(), make_sku(name="土鸡蛋 10枚", barcode="6901234567892")
    ledger.receive(store, eggs, 20, "8.00", user=None, document=("receipt", "1"))
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    url = _draft(client, store)
    client.post(f"{url}/lines", data={"code": "6901234567892"})
    client.post(f"{url}/lines", data={"code": "6901234567892"})
    client.post(f"{url}/lines", data={"code": eggs.code, "quantity": "1"})
    response = client.post(f"{url}/post", data={"reason": "damaged", "note": "搬运时摔碎",
                                                "photo": (io.BytesIO(_photo()), "broken.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    assert stock_queries.level_at(store, eggs)[0] == 17
    (move,) = db.session.scalars(db.select(StockMove).where(StockMove.reason == Reason.WRITE_OFF.value)).all()
    assert move.quantity == 3 and move.to_location.usage == "loss"
    write_off = db.session.scalars(db.select(WriteOff)).one()
    assert write_off.note == "搬运时摔碎" and write_off.lines[0].value == Decimal("24.00")
    assert os.listdir(tmp_path) == [f"{write_off.number}.png"]
    photo = client.get(f"{url}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/png" and photo.data == _photo()


def test_writing_off_more_than_on_hand_is_refused_and_nothing_moves(client, make_store, make_user, make_sku, login):
    store = make_store(allow_negative_stock=False)
    milk = make_sku(name="纯牛奶")
    ledger.receive(store, milk, 2, "3.00", user=None, document=("receipt", "1"))
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    url = _draft(client, store)
    client.post(f"{url}/lines", data={"code": milk.code, "quantity": "5"})
    response = client.post(f"{url}/post", data={"reason": "expired"}, headers=ZH)
    assert response.status_code == 409 and "纯牛奶 库存不足" in response.get_data(as_text=True)
    assert stock_queries.level_at(store, milk)[0] == 2
    assert db.session.scalars(db.select(WriteOff)).one().is_draft


def test_a_double_submit_writes_off_once(client, make_store, make_user, make_sku, login):
    store, milk = make_store(), make_sku()
    ledger.receive(store, milk, 10, "3.00", user=None, document=("receipt", "1"))
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    url = _draft(client, store)
    client.post(f"{url}/lines", data={"code": milk.code, "quantity": "4"})
    assert client.post(f"{url}/post", data={"reason": "stolen"}).status_code == 303
    again = client.post(f"{url}/post", data={"reason": "stolen"}, headers=ZH)
    assert again.status_code == 409 and "该报损单已提交" in again.get_data(as_text=True)
    assert stock_queries.level_at(store, milk)[0] == 6


def test_a_reason_a_line_and_a_real_small_photo_are_required(
        client, app, monkeypatch, make_store, make_user, make_sku, login):
    store, milk = make_store(), make_sku()
    ledger.receive(store, milk, 10, "3.00", user=None, document=("receipt", "1"))
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    url = _draft(client, store)
    empty = client.post(f"{url}/post", data={"reason": "damaged"}, headers=ZH)
    assert empty.status_code == 422 and "请至少扫描一件" in empty.get_data(as_text=True)
    client.post(f"{url}/lines", data={"code": milk.code})
    no_reason = client.post(f"{url}/post", data={"reason": ""}, headers=ZH)
    assert no_reason.status_code == 422 and "请选择报损原因" in no_reason.get_data(as_text=True)
    fake = client.post(f"{url}/post", data={"reason": "damaged", "photo": (io.BytesIO(b"MZ\x90\x00 not a photo"), "x.jpg")},
                       content_type="multipart/form-data", headers=ZH)
    assert fake.status_code == 422 and "该文件不是照片" in fake.get_data(as_text=True)
    monkeypatch.setitem(app.config, "WRITE_OFF_PHOTO_MAX_BYTES", 1024 * 1024)
    big = client.post(f"{url}/post", data={"reason": "damaged", "photo": (io.BytesIO(_photo(size=(1200, 1200)) + b"0" * 1024 * 1024), "big.png")},
                      content_type="multipart/form-data", headers=ZH)
    assert big.status_code == 422 and "照片太大：最多 1 MB" in big.get_data(as_text=True)
    assert stock_queries.level_at(store, milk)[0] == 10


def test_bad_lines_are_explained(client, make_store, make_user, make_sku, login):
    store, pork = make_store(), make_sku(name="五花肉", weighed=True, unit="kg")
    login(make_user(Role.STORE_MANAGER, stores=[store]))
    url = _draft(client, store)
    unknown = client.post(f"{url}/lines", data={"code": "000111"}, headers=ZH)
    assert unknown.status_code == 422 and "没有条码或编码为 000111 的商品" in unknown.get_data(as_text=True)
    negative = client.post(f"{url}/lines", data={"code": pork.code, "quantity": "-1"}, headers=ZH)
    assert negative.status_code == 422 and "数量必须大于零" in negative.get_data(as_text=True)
    weight = client.post(f"{url}/lines", data={"code": pork.code}, headers=ZH)
    assert weight.status_code == 422 and "请输入重量" in weight.get_data(as_text=True)
    assert client.post(f"{url}/lines", data={"code": pork.code, "quantity": "0.750"}).status_code == 200
    assert db.session.scalars(db.select(WriteOff)).one().lines[0].quantity == Decimal("0.750")


def test_cashiers_cannot_write_off(client, make_store, make_user, login):
    store = make_store()
    login(make_user(Role.CASHIER, stores=[store]))
    assert client.post(f"/stock/stores/{store.id}/write-offs/").status_code == 403
    assert client.get(f"/stock/stores/{store.id}/write-offs/").status_code == 403


def test_the_report_sums_value_by_reason_for_a_period_and_exports_csv(
        client, make_store, make_user, make_sku, login):
    store, milk, bread = make_store(), make_sku(name="纯牛奶"), make_sku(name="面包")
    ledger.receive(store, milk, 20, "3.00", user=None, document=("receipt", "1"))
    ledger.receive(store, bread, 20, "5.50", user=None, document=("receipt", "2"))
    manager = make_user(Role.STORE_MANAGER, stores=[store])
    for reason, sku, qty in (("expired", milk, 4), ("expired", bread, 2), ("damaged", milk, 1)):
        write_off = services.start(store, user=manager)
        services.add_line(write_off, sku.code, qty)
        services.post(write_off, user=manager, reason=reason)
    login(manager)
    page = client.get(f"/stock/stores/{store.id}/write-offs/", headers=ZH).get_data(as_text=True)
    expired = page.split("过期</td>")[1].split("</tr>")[0]
    assert ">2<" in expired and "¥23.00" in expired  # 4 × 3.00 + 2 × 5.50, two documents
    assert "¥26.00" in page.split('data-testid="write-off-total"')[1][:30]
    only_damaged = client.get(f"/stock/stores/{store.id}/write-offs/?reason=damaged", headers=ZH).get_data(as_text=True)
    assert "¥3.00" in only_damaged and "¥23.00" not in only_damaged
    future = client.get(f"/stock/stores/{store.id}/write-offs/?date_from=2099-01-01", headers=ZH)
    assert "该期间没有报损" in future.get_data(as_text=True)
    csv = client.get(f"/stock/stores/{store.id}/write-offs/report.csv?reason=expired", headers=ZH).get_data(as_text=True)
    assert csv.count("\n") == 3 and ",过期," in csv and ",面包,,2.000,5.50,11.00," in csv
