"""The cashier hands an online order over at the till: scan the pickup QR (or type the code), hand over once."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.fulfil.conftest import HX
from webapp.extensions import db
from webapp.pos import queries as pos_queries
from webapp.sales.online import services as online
from webapp.stock.models import StockMove
from webapp.stock.queries import level_at


@pytest.fixture
def counter(make_till, online_store, login):
    """An online store's till with its cashier signed in."""
    till = make_till(store=online_store())
    login(till.cashier)
    return till


def ready(order, who=None):
    online.start_picking(order, who)
    online.mark_ready(order, who)
    db.session.commit()
    return order


def scan(client, till, code):
    return client.post(f"/pos/registers/{till.register.id}/scan", data={"code": code}, headers=HX)


def hand_over(client, till, order, tap="tap-1", **tenders):
    return client.post(f"/pos/registers/{till.register.id}/pickups/{order.id}/hand-over",
                       data={"client_uuid": tap, **tenders}, headers=HX)


def test_scanning_the_pickup_qr_shows_the_order_and_handing_over_consumes_it_once(
        client, counter, stocked, paid_order):
    tea = stocked({counter.store: 5}, name="龙井", price="4.50")
    order = ready(paid_order(counter.store, (tea, 2)))
    panel = scan(client, counter, order.pickup_token)
    html = panel.get_data(as_text=True)
    assert panel.status_code == 200 and panel.headers["HX-Retarget"] == "#pay"
    assert order.order.number in html and "龙井" in html and "¥9.00" in html
    assert "已在线支付 ¥9.00" in html
    first, again = hand_over(client, counter, order), hand_over(client, counter, order)  # a double tap
    assert first.status_code == again.status_code == 200
    db.session.expire_all()
    assert order.status == "handed_over" and order.order.status == "completed"
    assert level_at(counter.store, tea) == (Decimal("3.000"), Decimal("0.000"))
    moves = db.session.scalars(select(StockMove).where(StockMove.sku_id == tea.id, StockMove.reason == "handover"))
    assert [(m.quantity, m.document_type, m.document_id) for m in moves] == [
        (Decimal("2.000"), "order", order.order.number)]
    assert online.reservations(order) == []


def test_the_six_digit_code_can_be_typed(client, counter, stocked, paid_order):
    order = ready(paid_order(counter.store, (stocked({counter.store: 5}), 1)))
    panel = scan(client, counter, order.pickup_code)
    assert panel.headers["HX-Retarget"] == "#pay" and order.order.number in panel.get_data(as_text=True)


def test_another_stores_pickup_code_is_refused_with_where_to_collect_it(
        client, counter, online_store, stocked, paid_order):
    elsewhere = online_store(name="滨江店")
    order = ready(paid_order(elsewhere, (stocked({elsewhere: 5}), 1)))
    refused = scan(client, counter, order.pickup_token)
    assert refused.status_code == 422 and refused.headers["HX-Trigger"] == "refused"
    assert "滨江店" in refused.get_data(as_text=True)
    assert hand_over(client, counter, order).status_code == 404
    db.session.refresh(order)
    assert order.status == "ready"


@pytest.mark.parametrize("code", ["123456", "AbCdEfGhIjKlMnOpQrStUvWx"])
def test_an_unknown_pickup_code_says_so(client, counter, code):
    refused = scan(client, counter, code)
    assert refused.status_code == 422
    assert "没有取货码为" in refused.get_data(as_text=True)


def test_a_code_already_handed_over_is_refused_and_nothing_moves_twice(client, counter, stocked, paid_order):
    tea = stocked({counter.store: 5})
    order = ready(paid_order(counter.store, (tea, 1)))
    hand_over(client, counter, order)
    for code in (order.pickup_token, order.pickup_code):
        refused = scan(client, counter, code)
        assert refused.status_code == 422 and order.order.number in refused.get_data(as_text=True)
    assert hand_over(client, counter, order, tap="another-till").status_code == 422
    assert level_at(counter.store, tea) == (Decimal("4.000"), Decimal("0.000"))


def test_a_pay_at_pickup_order_is_not_handed_over_unpaid(client, counter, stocked, place):
    tea = stocked({counter.store: 5}, price="10.50")
    order = ready(place(counter.store, (tea, 2), pay_at_pickup=True))
    html = scan(client, counter, order.pickup_code).get_data(as_text=True)
    assert 'name="method" value="cash"' in html and "¥21.00" in html
    refused = hand_over(client, counter, order)
    assert refused.status_code == 422
    db.session.expire_all()
    assert order.status == "ready" and order.order.payments == []
    assert level_at(counter.store, tea) == (Decimal("5.000"), Decimal("2.000"))


def test_a_pay_at_pickup_order_is_paid_in_cash_at_the_till_and_counts_in_the_shift(
        client, counter, stocked, place):
    tea = stocked({counter.store: 5}, price="10.50")
    order = ready(place(counter.store, (tea, 2), pay_at_pickup=True))
    tenders = {"method": ["cash", "wechat"], "amount": ["50", ""], "auth_code": ["", ""]}
    done = hand_over(client, counter, order, **tenders)
    assert done.status_code == 200
    db.session.expire_all()
    [cash] = order.order.payments
    assert (cash.method, cash.amount, cash.tendered, cash.change) == ("cash", Decimal("21.00"), Decimal("50.00"),
                                                                       Decimal("29.00"))
    assert order.status == "handed_over" and order.is_paid
    assert pos_queries.cash_summary(counter.shift).cash_sales == Decimal("21.00")
    assert pos_queries.current_sale(counter.shift) is None or pos_queries.current_sale(counter.shift).id != order.order.id
    assert level_at(counter.store, tea) == (Decimal("3.000"), Decimal("0.000"))


def test_a_declined_wallet_payment_at_pickup_hands_nothing_over(client, counter, stocked, place):
    tea = stocked({counter.store: 5}, price="10.50")
    order = ready(place(counter.store, (tea, 1), pay_at_pickup=True))
    refused = hand_over(client, counter, order, method="wechat", amount="10.50", auth_code="134567890123459001")
    assert refused.status_code == 422
    db.session.expire_all()
    assert order.status == "ready" and not order.is_paid and level_at(counter.store, tea)[1] == 1


def test_an_order_not_ready_yet_shows_as_such_and_cannot_be_handed_over(client, counter, stocked, paid_order):
    order = paid_order(counter.store, (stocked({counter.store: 5}), 1))
    db.session.commit()
    html = scan(client, counter, order.pickup_code).get_data(as_text=True)
    assert "hand-over" not in html
    assert hand_over(client, counter, order).status_code == 422
    db.session.refresh(order)
    assert order.status == "new"


def test_a_product_whose_barcode_looks_like_a_pickup_code_still_scans_as_the_product(
        client, counter, stocked, paid_order, make_sku):
    order = ready(paid_order(counter.store, (stocked({counter.store: 5}), 1)))
    make_sku(name="散装糖", code=order.pickup_code)
    db.session.commit()
    answer = scan(client, counter, order.pickup_code)
    assert "HX-Retarget" not in answer.headers and "散装糖" in answer.get_data(as_text=True)


def test_a_wallet_payment_at_pickup_that_times_out_is_checked_then_the_order_handed_over(
        client, counter, stocked, place):
    tea = stocked({counter.store: 5}, price="10.50")
    order = ready(place(counter.store, (tea, 1), pay_at_pickup=True))
    waiting = hand_over(client, counter, order, method="alipay", amount="10.50", auth_code="134567890123459002")
    assert waiting.status_code == 409 and "check-payment" in waiting.get_data(as_text=True)
    db.session.expire_all()
    assert order.status == "ready" and [p.status for p in order.order.payments] == ["pending"]
    checked = client.post(f"/pos/registers/{counter.register.id}/pickups/{order.id}/check-payment", headers=HX)
    assert f"pickups/{order.id}/hand-over" in checked.get_data(as_text=True)
    db.session.expire_all()
    assert order.is_paid and order.status == "ready"
    assert hand_over(client, counter, order, tap="after-check").status_code == 200
    db.session.expire_all()
    assert order.status == "handed_over" and level_at(counter.store, tea) == (Decimal("4.000"), Decimal("0.000"))


def test_a_split_payment_at_pickup_keeps_a_charge_the_wallet_will_not_give_back(client, counter, stocked, place):
    """Alipay charged ¥5 and refuses to refund; WeChat declines the rest: the ¥5 stays on the order,
    the cashier is told to take only the rest, nothing is handed over yet."""
    tea = stocked({counter.store: 5}, price="10.00")
    order = ready(place(counter.store, (tea, 2), pay_at_pickup=True))
    split = {"method": ["alipay", "wechat"], "amount": ["5.00", "15.00"],
             "auth_code": ["284567890123459006", "134567890123459001"]}
    refused = hand_over(client, counter, order, **split)
    assert refused.status_code == 422 and "¥5.00" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert [(p.method, p.amount, p.status) for p in order.order.payments] == [
        ("alipay", Decimal("5.00"), "succeeded")]
    assert order.status == "ready" and not order.is_paid and level_at(counter.store, tea)[1] == 2
    panel = scan(client, counter, order.pickup_code).get_data(as_text=True)
    assert "¥15.00" in panel  # only the rest is due
    rest = hand_over(client, counter, order, tap="tap-2", method="cash", amount="15.00", auth_code="")
    assert rest.status_code == 200
    db.session.expire_all()
    assert order.status == "handed_over" and order.is_paid
    assert sorted((p.method, p.amount) for p in order.order.payments) == [
        ("alipay", Decimal("5.00")), ("cash", Decimal("15.00"))]
