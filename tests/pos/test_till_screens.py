"""The till's screens as a cashier uses them, through HTTP."""
from decimal import Decimal

import pytest

from tests.conftest import manager_of
from webapp.auth.models import Role
from webapp.catalog.barcodes import with_check_digit
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.pos import queries as pos_queries
from webapp.pos import services as pos
from webapp.sales.models import Order, OrderStatus
from webapp.stock import queries as stock_queries

HX = {"HX-Request": "true", "Accept-Language": "zh-CN"}


@pytest.fixture
def at_till(till, login):
    """The till's cashier, signed in."""
    login(till.cashier)
    return till


def scan(client, till, code, **extra):
    return client.post(f"/pos/registers/{till.register.id}/scan", data={"code": code, **extra}, headers=HX)


def current_order(till) -> Order:
    db.session.expire_all()
    return pos_queries.current_sale(till.shift)


def test_a_cashier_opens_a_shift_with_the_float_and_lands_on_the_till(client, make_store, make_user, login):
    store = make_store()
    register = pos.save_register(None, store=store, name="1号收银台")
    login(make_user(Role.CASHIER, stores=[store]))
    assert client.get(f"/pos/registers/{register.id}").location.endswith(f"/pos/registers/{register.id}/shift")
    response = client.post(f"/pos/registers/{register.id}/shift", data={"opening_float": "200.00"})
    assert response.location.endswith(f"/pos/registers/{register.id}")
    page = client.get(response.location, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "扫描或输入条码" in page and "收款" in page
    assert pos_queries.open_shift_of(register).opening_float == Decimal("200.00")


def test_scanning_adds_a_line_and_scanning_again_adds_one_more(client, at_till, stocked):
    sku = stocked(at_till.store, barcode="6921168509256", price="3.50")
    scan(client, at_till, "6921168509256")
    response = scan(client, at_till, "6921168509256")
    assert response.status_code == 200
    assert '<strong data-testid="total">¥7.00</strong>' in response.get_data(as_text=True)
    [line] = current_order(at_till).lines
    assert (line.sku_id, line.quantity) == (sku.id, 2)


def test_scanning_a_style_number_asks_for_size_and_colour_in_one_tap(client, at_till):
    shirt = save_product(None, name="纯棉T恤", style_code="TS-2026", variants=[
        VariantInput(code="TS-2026-M", list_price="59.00", attributes={"尺码": "M"}),
        VariantInput(code="TS-2026-L", list_price="69.00", attributes={"尺码": "L"})])
    db.session.commit()
    asked = scan(client, at_till, "TS-2026").get_data(as_text=True)
    assert "纯棉T恤" in asked and "哪个尺码和颜色" in asked
    assert '{"code": "TS-2026-M"}' in asked and '{"code": "TS-2026-L"}' in asked
    assert current_order(at_till).lines == []
    scan(client, at_till, "TS-2026-L")  # the tap on "L" posts its SKU code
    [line] = current_order(at_till).lines
    assert (line.sku_id, line.amount) == (shirt.skus[1].id, Decimal("69.00"))


def test_an_unknown_barcode_is_a_toast_with_a_beep_not_an_error_page(client, at_till):
    response = scan(client, at_till, "1234567890128")
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#toasts" and response.headers["HX-Trigger"] == "refused"
    assert "没有条码或编码为 1234567890128 的商品" in response.get_data(as_text=True)


def test_a_refused_scan_leaves_the_sale_as_it_was_whether_it_opened_it_or_not(client, at_till, stocked):
    stocked(at_till.store, barcode="6921168509256", price="3.50")
    assert scan(client, at_till, "1234567890128").status_code == 422  # the sale's first scan: the sale stays
    opened = current_order(at_till)
    assert opened is not None and opened.lines == []
    scan(client, at_till, "6921168509256")
    assert scan(client, at_till, "1234567890128").status_code == 422  # on the sale rung up: nothing changes
    order = current_order(at_till)
    assert order.id == opened.id and [(ln.quantity, ln.amount) for ln in order.lines] == [(1, Decimal("3.50"))]
    assert order.total == Decimal("3.50")
    assert '<strong data-testid="total">¥7.00</strong>' in scan(client, at_till, "6921168509256").get_data(as_text=True)


def test_a_scale_label_adds_the_weighed_item_at_its_weight(client, at_till, stocked):
    apples = stocked(at_till.store, name="富士苹果", price="12.80", weighed=True, unit="kg", plu="10001")
    response = scan(client, at_till, with_check_digit("211000100235"))
    assert response.status_code == 200
    [line] = current_order(at_till).lines
    assert (line.sku_id, line.quantity, line.amount) == (apples.id, Decimal("0.235"), Decimal("3.01"))


def test_a_price_label_adds_the_weight_that_price_buys(client, at_till, stocked):
    stocked(at_till.store, name="西红柿", price="6.00", weighed=True, unit="kg", plu="10002")
    scan(client, at_till, with_check_digit("231000200300"))  # ¥3.00 of tomatoes
    [line] = current_order(at_till).lines
    assert (line.quantity, line.amount) == (Decimal("0.500"), Decimal("3.00"))


def test_a_weighed_item_asks_for_the_scale_and_takes_only_a_steady_weight(client, at_till, stocked):
    stocked(at_till.store, name="富士苹果", price="12.80", weighed=True, unit="kg", plu="10001", code="APPLE")
    asked = scan(client, at_till, "APPLE").get_data(as_text=True)
    assert "data-weigh" in asked and "请放到秤上" in asked
    unsteady = scan(client, at_till, "APPLE", kg="0.500", stable="false")
    assert unsteady.status_code == 422 and "秤还没稳定" in unsteady.get_data(as_text=True)
    assert scan(client, at_till, "APPLE", kg="0.500", stable="true").status_code == 200
    [line] = current_order(at_till).lines
    assert line.quantity == Decimal("0.500")


def test_cash_with_change_and_a_double_tap_make_one_sale(client, at_till, stocked):
    sku = stocked(at_till.store, qty=10, barcode="6921168509256", price="3.50")
    scan(client, at_till, "6921168509256")
    order = current_order(at_till)
    form = {"client_uuid": "tap-1", "method": ["cash"], "amount": ["10.00"], "auth_code": [""]}
    first = client.post(f"/pos/orders/{order.id}/pay", data=form, headers=HX)
    second = client.post(f"/pos/orders/{order.id}/pay", data=form, headers=HX)
    assert first.status_code == second.status_code == 204
    assert first.headers["HX-Redirect"] == second.headers["HX-Redirect"]
    receipt = client.get(first.headers["HX-Redirect"], headers=HX).get_data(as_text=True)
    assert '<td class="num" data-testid="change">¥6.50</td>' in receipt
    assert stock_queries.level_at(at_till.store, sku)[0] == 9
    assert db.session.query(Order).filter_by(status=OrderStatus.COMPLETED.value).count() == 1


def test_a_charge_the_wallet_will_not_give_back_stays_on_the_sale(client, at_till, stocked):
    stocked(at_till.store, qty=10, barcode="6921168509256", price="20.00")
    scan(client, at_till, "6921168509256")
    order = current_order(at_till)
    split = {"client_uuid": "kept-1", "method": ["alipay", "wechat"], "amount": ["5.00", "15.00"],
             "auth_code": ["284567890123459006", "134567890123459001"]}
    response = client.post(f"/pos/orders/{order.id}/pay", data=split, headers=HX)
    assert response.status_code == 422 and "¥5.00" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [(p.method, p.amount) for p in current_order(at_till).payments] == [("alipay", Decimal("5.00"))]
    rest = {"client_uuid": "kept-2", "method": ["cash"], "amount": ["15.00"], "auth_code": [""]}
    assert client.post(f"/pos/orders/{order.id}/pay", data=rest, headers=HX).status_code == 204


def test_split_cash_and_wechat_and_a_declined_wechat_keeps_the_sale_open(client, at_till, stocked):
    sku = stocked(at_till.store, qty=10, barcode="6921168509256", price="20.00")
    scan(client, at_till, "6921168509256")
    order = current_order(at_till)
    declined = {"client_uuid": "split-1", "method": ["cash", "wechat"], "amount": ["5.00", "15.00"],
                "auth_code": ["", "134567890123459001"]}
    response = client.post(f"/pos/orders/{order.id}/pay", data=declined, headers=HX)
    assert response.status_code == 422 and "支付被拒绝" in response.get_data(as_text=True)
    assert current_order(at_till).id == order.id
    assert stock_queries.level_at(at_till.store, sku)[0] == 10
    paid = {**declined, "client_uuid": "split-2", "auth_code": ["", "134567890123450001"]}
    assert client.post(f"/pos/orders/{order.id}/pay", data=paid, headers=HX).status_code == 204
    db.session.expire_all()
    assert sorted((p.method, p.amount) for p in db.session.get(Order, order.id).payments) == [
        ("cash", Decimal("5.00")), ("wechat", Decimal("15.00"))]


def test_a_cashier_discount_needs_a_managers_pin_and_records_who_approved(client, at_till, stocked, make_user):
    manager = make_user(Role.STORE_MANAGER, stores=[at_till.store], display_name="王店长")
    pos.set_pin(manager, "2468")
    stocked(at_till.store, barcode="6921168509256", price="10.00")
    scan(client, at_till, "6921168509256")
    order = current_order(at_till)
    line = order.lines[0]
    url = f"/pos/orders/{order.id}/lines/{line.id}"
    refused = client.post(url, data={"action": "discount", "discount": "1.00"}, headers=HX)
    assert refused.status_code == 422 and "折扣需要店长授权" in refused.get_data(as_text=True)
    wrong = client.post(url, data={"action": "discount", "discount": "1.00", "pin": "0000"}, headers=HX)
    assert wrong.status_code == 422
    approved = client.post(url, data={"action": "discount", "discount": "1.00", "pin": "2468"}, headers=HX)
    assert approved.status_code == 200 and "¥9.00" in approved.get_data(as_text=True)
    db.session.expire_all()
    assert current_order(at_till).lines[0].discount_approved_by_id == manager.id


def test_a_suspended_sale_is_resumed_later(client, at_till, stocked):
    stocked(at_till.store, barcode="6921168509256")
    scan(client, at_till, "6921168509256")
    held = current_order(at_till)
    assert client.post(f"/pos/orders/{held.id}/suspend", headers=HX).status_code == 204
    page = client.get(f"/pos/registers/{at_till.register.id}", headers={"Accept-Language": "zh-CN"})
    assert "挂单（1）" in page.get_data(as_text=True)
    assert current_order(at_till).id != held.id
    client.post(f"/pos/orders/{held.id}/resume", headers=HX)
    assert current_order(at_till).id == held.id


def test_a_line_is_returned_to_the_shelf_and_refunded(client, at_till, stocked):
    sku = stocked(at_till.store, qty=10, barcode="6921168509256", price="4.00")
    sale = at_till.sell((sku, 3))
    pos.set_pin(manager_of(at_till.store), "2468")  # every refund needs a manager's PIN by default
    db.session.commit()
    found = client.post(f"/pos/registers/{at_till.register.id}/returns", data={"number": sale.number})
    assert found.status_code == 303
    line = sale.lines[0]
    too_many = client.post(found.location, data={f"qty-{line.id}": "4", "refund": "cash", "client_uuid": "r-1"},
                           headers={"Accept-Language": "zh-CN"})
    assert too_many.status_code == 422 and "最多还能退" in too_many.get_data(as_text=True)
    done = client.post(found.location, data={f"qty-{line.id}": "1", "refund": "cash", "client_uuid": "r-2",
                                             "pin": "2468"})
    assert done.status_code == 303
    assert stock_queries.level_at(at_till.store, sku)[0] == 8


def test_closing_the_shift_shows_the_z_report_with_the_variance(client, at_till, stocked):
    sku = stocked(at_till.store, barcode="6921168509256", price="10.00")
    at_till.sell((sku, 2))  # ¥20 cash on a ¥200 float: ¥220 expected
    db.session.commit()
    counted = {"d100": "2", "d10": "1", "d5": "1"}  # ¥215: five short
    response = client.post(f"/pos/shifts/{at_till.shift.id}/close", data=counted)
    assert response.status_code == 303
    report = client.get(response.location).get_data(as_text=True)
    assert 'data-testid="z-expected">¥220.00<' in report
    assert 'data-testid="z-counted">¥215.00<' in report and 'data-testid="z-variance">-¥5.00<' in report
    assert scan(client, at_till, "6921168509256").status_code == 409  # closed: no more sales


def test_a_cashier_of_one_store_cannot_use_another_stores_till(client, make_till, stocked, login):
    ours, theirs = make_till(), make_till()
    login(ours.cashier)
    stocked(theirs.store, barcode="6921168509256")
    assert client.get(f"/pos/registers/{theirs.register.id}").status_code == 403
    assert client.post(f"/pos/registers/{theirs.register.id}/scan", data={"code": "6921168509256"}).status_code == 403
    sku = stocked(theirs.store, barcode="6925303721367")
    sale = theirs.sell((sku, 1))
    db.session.commit()
    assert client.get(f"/pos/orders/{sale.id}/receipt").status_code == 403
    assert client.get(f"/pos/shifts/{theirs.shift.id}/report").status_code == 403
    assert client.post(f"/pos/shifts/{theirs.shift.id}/close", data={"d100": "1"}).status_code == 403


def test_a_serial_tracked_item_asks_for_its_serial_number(client, at_till, make_sku):
    from webapp.stock import services as stock

    phone = make_sku(name="小米手机", tracking="serial", code="MI-14", price="3999.00")
    stock.receive(at_till.store, phone, 1, "3000.00", user=None, document=("r", "1"), lot_code="SN-001")
    asked = scan(client, at_till, "MI-14").get_data(as_text=True)
    assert "data-serial" in asked and 'name="serial"' in asked
    assert scan(client, at_till, "MI-14", serial="SN-404").status_code == 422
    assert scan(client, at_till, "MI-14", serial="SN-001").status_code == 200
    [line] = current_order(at_till).lines
    assert line.serial == "SN-001"


def test_a_zero_weight_label_is_refused_not_sold_as_a_kilo(client, at_till, stocked):
    stocked(at_till.store, name="富士苹果", price="12.80", weighed=True, unit="kg", plu="10001")
    assert scan(client, at_till, with_check_digit("211000100000")).status_code == 422
    assert current_order(at_till).lines == []


def test_a_timed_out_wechat_payment_is_checked_then_the_sale_completes(client, at_till, stocked):
    sku = stocked(at_till.store, qty=5, barcode="6921168509256", price="10.00")
    scan(client, at_till, "6921168509256")
    order = current_order(at_till)
    timeout = {"client_uuid": "t-1", "method": ["wechat"], "amount": ["10.00"], "auth_code": ["134567890123459002"]}
    response = client.post(f"/pos/orders/{order.id}/pay", data=timeout, headers=HX)
    assert response.status_code == 422 and "支付尚未确认" in response.get_data(as_text=True)
    panel = client.get(f"/pos/registers/{at_till.register.id}", headers={"Accept-Language": "zh-CN"})
    assert "查询支付结果" in panel.get_data(as_text=True)
    [payment] = current_order(at_till).payments
    assert scan(client, at_till, "6921168509256").status_code == 422  # nothing changes while paid for
    checked = client.post(f"/pos/orders/{order.id}/payments/{payment.id}/check", headers=HX)
    assert "已付" in checked.get_data(as_text=True)
    pay_panel = client.get(f"/pos/orders/{order.id}/pay", headers=HX).get_data(as_text=True)
    assert 'data-total="0.00"' in pay_panel
    done = client.post(f"/pos/orders/{order.id}/pay", data={"client_uuid": "t-2"}, headers=HX)
    assert done.status_code == 204
    assert stock_queries.level_at(at_till.store, sku)[0] == 4


@pytest.mark.parametrize("method", ["bitcoin", ""])
def test_an_unknown_way_to_pay_is_refused_without_a_crash(client, at_till, stocked, method):
    stocked(at_till.store, barcode="6921168509256")
    scan(client, at_till, "6921168509256")
    order = current_order(at_till)
    form = {"client_uuid": "x", "method": [method], "amount": ["10.00"], "auth_code": ["1"]}
    assert client.post(f"/pos/orders/{order.id}/pay", data=form, headers=HX).status_code == 422


@pytest.mark.parametrize("value", ["sNaN", "Infinity", "-5"])
def test_an_opening_float_that_is_not_an_amount_is_refused(client, make_store, make_user, login, value):
    store = make_store()
    register = pos.save_register(None, store=store, name="1号收银台")
    login(make_user(Role.CASHIER, stores=[store]))
    assert client.post(f"/pos/registers/{register.id}/shift", data={"opening_float": value}).status_code == 422
    assert pos_queries.open_shift_of(register) is None


def test_another_cashier_cannot_sell_on_someone_elses_shift(client, till, stocked, make_user, login):
    stocked(till.store, barcode="6921168509256")
    login(make_user(Role.CASHIER, stores=[till.store]))
    assert client.get(f"/pos/registers/{till.register.id}").status_code == 403
    assert scan(client, till, "6921168509256").status_code == 403


def test_returns_need_an_open_shift_and_whole_units(client, at_till, stocked):
    sku = stocked(at_till.store, qty=10, barcode="6921168509256", price="4.00")
    sale = at_till.sell((sku, 3))
    db.session.commit()
    line = sale.lines[0]
    url = f"/pos/registers/{at_till.register.id}/returns/{sale.number}"
    half = client.post(url, data={f"qty-{line.id}": "0.5", "refund": "cash", "client_uuid": "h"})
    assert half.status_code == 422
    client.post(f"/pos/shifts/{at_till.shift.id}/close", data={"d100": "2", "d10": "1", "d1": "2"})
    closed = client.post(url, data={f"qty-{line.id}": "1", "refund": "cash", "client_uuid": "c"},
                         headers={"Accept-Language": "zh-CN"})
    assert closed.status_code == 422 and "班次已关闭" in closed.get_data(as_text=True)
    assert stock_queries.level_at(at_till.store, sku)[0] == 7


def test_a_serial_number_is_sold_once_even_where_negative_stock_is_allowed(at_till, make_sku):
    from webapp.sales import services as sales
    from webapp.stock import services as stock
    from webapp.stock.errors import InsufficientStock

    phone = make_sku(tracking="serial", code="MI-15", price="999.00")
    stock.receive(at_till.store, phone, 1, "800.00", user=None, document=("r", "1"), lot_code="SN-9")
    first = sales.open_sale(at_till.store, at_till.register, at_till.shift, at_till.cashier)
    sales.add_item(first, phone, serial="SN-9")
    second = sales.open_sale(at_till.store, at_till.register, at_till.shift, at_till.cashier)
    sales.add_item(second, phone, serial="SN-9")
    sales.complete_sale(first, [sales.Tender("cash", "999.00")], user=at_till.cashier, client_uuid="s1")
    with pytest.raises(InsufficientStock):
        sales.complete_sale(second, [sales.Tender("cash", "999.00")], user=at_till.cashier, client_uuid="s2")


def test_wrong_pins_are_limited_per_store_across_tills_and_discounts(client, at_till, stocked, make_user):
    manager = make_user(Role.STORE_MANAGER, stores=[at_till.store])
    pos.set_pin(manager, "2468")
    stocked(at_till.store, barcode="6921168509256", price="10.00")
    scan(client, at_till, "6921168509256")
    order = current_order(at_till)
    line_url = f"/pos/orders/{order.id}/lines/{order.lines[0].id}"
    guesses = [client.post(line_url if n % 2 else f"/pos/orders/{order.id}/discount",
                           data={"action": "discount", "discount": "1.00", "pin": f"{n:04d}"}, headers=HX).status_code
               for n in range(11)]
    assert guesses[:10] == [422] * 10 and guesses[10] == 429
    # a discount without a PIN is not a guess and is not held up
    assert client.post(line_url, data={"action": "discount", "discount": "1.00"}, headers=HX).status_code == 422


def test_a_serial_number_already_sold_is_refused_at_the_scan_saying_when_and_on_which_receipt(
        client, at_till, make_sku):
    from webapp.sales import services as sales
    from webapp.stock import services as stock

    phone = make_sku(name="小米手机", tracking="serial", code="MI-16", price="999.00")
    stock.receive(at_till.store, phone, 1, "800.00", user=None, document=("r", "1"), lot_code="SN-7")
    stock.receive(at_till.store, phone, 1, "800.00", user=None, document=("r", "2"), lot_code="SN-8")
    first = sales.open_sale(at_till.store, at_till.register, at_till.shift, at_till.cashier)
    sales.add_item(first, phone, serial="SN-8")
    sales.complete_sale(first, [sales.Tender("cash", "999.00")], user=at_till.cashier, client_uuid="s1")
    db.session.commit()
    refused = scan(client, at_till, "MI-16", serial="SN-8")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "SN-8" in text and first.number in text and "售出" in text
    assert current_order(at_till).lines == []


def test_stock_refusals_show_pieces_without_decimals(at_till, make_sku):
    from webapp.stock.errors import InsufficientStock

    with_babel = str(InsufficientStock(name="可乐", requested=Decimal("3.000"), available=Decimal("1.000")))
    assert "3" in with_babel and "3.000" not in with_babel and "1.000" not in with_babel
