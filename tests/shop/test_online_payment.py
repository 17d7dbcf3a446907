"""Item 15: the shop's payment step is a real one: "使用微信支付" → the wallet's cashier → back to the order,
with a signed asynchronous notification recorded once. No online customer types a payment code."""
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.shop.conftest import WEST_LAKE, at_cashier
from webapp.extensions import db
from webapp.sales.models import Payment
from webapp.sales.online.models import OnlineOrder


@pytest.fixture
def ordered(client, online_store, stocked):
    """A guest's pickup cart at 西湖店 (2 × ¥6.50), checked out with WeChat Pay: the answer of the checkout."""
    west = online_store(WEST_LAKE, "西湖区", name="西湖店")
    tea = stocked({west: 5}, price="6.50")
    db.session.commit()
    client.post("/shop/cart/add", data={"sku": tea.id, "quantity": "2"})
    client.post("/shop/cart/fulfilment", data={"fulfilment": "pickup", "store": west.id})
    page = client.get("/shop/checkout").get_data(as_text=True)
    shown = re.search(r'name="expected_due" value="([^"]*)"', page).group(1)
    return client.post("/shop/checkout", data={"checkout_key": "k-1", "payment": "wechat", "phone": "13900139000",
                                               "expected_due": shown})


def the_order() -> OnlineOrder:
    [order] = db.session.query(OnlineOrder).all()
    db.session.refresh(order)
    return order


def payments() -> list[Payment]:
    return list(db.session.scalars(db.select(Payment).order_by(Payment.id)))


def confirmed_without_notification(client, app, monkeypatch, response, action="pay") -> dict:
    """Confirm at the cashier with the notification held back; the signed result the provider sent."""
    monkeypatch.setitem(app.config, "SANDBOX_NOTIFY", False)
    fields = dict(parse_qsl(urlsplit(response.location).query))
    back = client.post("/shop/sandbox-pay", data={**fields, "action": action})
    return back.location, dict(parse_qsl(urlsplit(back.location).query))


def test_no_online_customer_is_ever_asked_for_a_payment_code(client, online_store, stocked):
    west = online_store(WEST_LAKE, "西湖区", name="西湖店")
    tea = stocked({west: 5}, price="6.50")
    db.session.commit()
    client.post("/shop/cart/add", data={"sku": tea.id, "quantity": "2"})
    client.post("/shop/cart/fulfilment", data={"fulfilment": "pickup", "store": west.id})
    checkout_page = client.get("/shop/checkout", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    shown = re.search(r'name="expected_due" value="([^"]*)"', checkout_page).group(1)
    client.post("/shop/checkout", data={"checkout_key": "k-1", "payment": "wechat", "phone": "13900139000",
                                        "expected_due": shown})
    order = the_order()
    order_page = client.get(f"/shop/orders/{order.access_token}",
                            headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    for page in (checkout_page, order_page):
        assert "payment_code" not in page and "付款码" not in page and "Sandbox" not in page
    assert "使用微信支付" in order_page and "使用支付宝" in order_page


def test_paying_goes_to_the_wallets_cashier_and_comes_back_paid(client, ordered):
    assert ordered.status_code == 303 and ordered.location.startswith("/shop/sandbox-pay?")
    cashier = client.get(ordered.location, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "微信支付" in cashier and "确认支付" in cashier and "取消" in cashier and "¥13.00" in cashier
    back = at_cashier(client, ordered)
    order = the_order()
    assert back.location == f"/shop/orders/{order.access_token}"
    assert order.is_paid
    [paid] = payments()
    assert paid.method == "wechat" and paid.amount == order.amount_due and paid.reference.startswith("sandbox-")
    page = client.get(back.location, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "已支付" in page and 'id="pay"' not in page


def test_a_notification_twice_charges_once(app, client, ordered, monkeypatch):
    return_url, result = confirmed_without_notification(client, app, monkeypatch, ordered)
    first = client.post("/shop/pay/notify/wechat", data=result)
    second = client.post("/shop/pay/notify/wechat", data=result)
    assert first.status_code == second.status_code == 200 and first.get_data(as_text=True) == "success"
    client.get(return_url)  # and the customer comes back with the same result
    assert the_order().is_paid and len(payments()) == 1


def test_the_return_alone_records_the_payment_when_the_notification_is_late(app, client, ordered, monkeypatch):
    return_url, _result = confirmed_without_notification(client, app, monkeypatch, ordered)
    assert not the_order().is_paid
    assert client.get(return_url).status_code == 303
    assert the_order().is_paid and len(payments()) == 1


@pytest.mark.parametrize("tamper", [{"total_amount": "0.01"}, {"trade_status": "SUCCESS", "sign": "0" * 64},
                                    {"out_trade_no": "HZ01-20260101-0001-abcdef"}, {"sign": ""}])
def test_a_notification_not_signed_by_the_provider_is_not_believed(app, client, ordered, monkeypatch, tamper):
    return_url, result = confirmed_without_notification(client, app, monkeypatch, ordered)
    assert client.post("/shop/pay/notify/wechat", data={**result, **tamper}).status_code == 400
    assert client.post("/shop/pay/notify/alipay", data=result).status_code == 400  # another wallet's
    assert not the_order().is_paid and payments() == []


def test_a_payment_cancelled_at_the_cashier_records_nothing(client, ordered):
    back = at_cashier(client, ordered, "cancel")
    order = the_order()
    assert not order.is_paid and payments() == [] and order.status == "new"
    page = client.get(back.location, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "已取消付款" in page and 'id="pay"' in page


def test_paying_twice_in_two_tabs_gives_the_second_payment_back_at_once(client, ordered):
    order = the_order()
    second_tab = client.post(f"/shop/orders/{order.access_token}/pay", data={"payment": "alipay"})
    at_cashier(client, ordered)
    at_cashier(client, second_tab)
    order = the_order()
    assert order.is_paid and order.paid == order.amount_due
    wechat, alipay, refund = payments()
    assert (wechat.method, alipay.method, refund.amount) == ("wechat", "alipay", -alipay.amount)


def test_a_boosted_pay_button_sends_the_whole_page_to_the_cashier(client, ordered):
    order = the_order()
    response = client.post(f"/shop/orders/{order.access_token}/pay", data={"payment": "wechat"},
                           headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert response.headers["HX-Redirect"].startswith("/shop/sandbox-pay?")


@pytest.mark.parametrize("method", ["cash", "card", "", "wechat\x00"])
def test_a_wallet_the_shop_does_not_offer_is_refused(client, ordered, method):
    order = the_order()
    assert client.post(f"/shop/orders/{order.access_token}/pay", data={"payment": method}).status_code == 400


def test_the_cashier_refuses_a_payment_it_did_not_sign(client, ordered):
    fields = dict(parse_qsl(urlsplit(ordered.location).query))
    assert client.get("/shop/sandbox-pay", query_string={**fields, "total_amount": "0.01"}).status_code == 400
    assert client.post("/shop/sandbox-pay", data={**fields, "total_amount": "0.01", "action": "pay"}).status_code == 400


def test_a_real_provider_plugs_in_at_the_same_seam(app, client, ordered, monkeypatch):
    """A provider with its own cashier on its own site and its own signature: the shop's views stay as they are."""
    from decimal import Decimal

    from webapp.sales import providers
    from webapp.sales.models import PaymentStatus

    class Wallet:
        def __init__(self, method):
            self.method = method

        def start_checkout(self, amount, reference, subject, return_url, notify_url):
            return f"https://pay.example.com/cashier?out_trade_no={reference}&total={amount}"

        def verify_notification(self, fields, headers=None, body=b""):
            if (headers or {}).get("X-Wallet-Signature") != "good":
                raise providers.NotificationRefused("bad signature")
            reference, amount = body.decode().split(":")
            return providers.Notification(reference, PaymentStatus.SUCCEEDED, "wallet-1", Decimal(amount))

        def acknowledge(self):
            return '{"code": "SUCCESS"}', "application/json"

    monkeypatch.setitem(providers._FACTORIES, "wallet", Wallet)
    monkeypatch.setitem(app.config, "PAYMENT_PROVIDER", {"wechat": "wallet", "alipay": "sandbox"})
    order = the_order()
    away = client.post(f"/shop/orders/{order.access_token}/pay", data={"payment": "wechat"})
    assert away.location.startswith("https://pay.example.com/cashier?")
    reference = dict(parse_qsl(urlsplit(away.location).query))["out_trade_no"]
    body = f"{reference}:{order.amount_due}".encode()
    assert client.post("/shop/pay/notify/wechat", data=body, content_type="text/plain").status_code == 400
    answer = client.post("/shop/pay/notify/wechat", data=body, content_type="text/plain",
                         headers={"X-Wallet-Signature": "good"})
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert the_order().is_paid and client.get("/shop/sandbox-pay?method=wechat").status_code == 404
