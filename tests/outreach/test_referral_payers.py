"""Self-referral by payment account: a wallet payment records who paid (the sandbox: a stable account per
wallet), and a referral is refused when the friend's first order was paid by an account that paid for the
referrer; the referrer reads why on their invites list."""
from datetime import timedelta

import pytest

from tests.conftest import PASSWORD
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.outreach import referrals
from webapp.outreach.models import ReferralState
from webapp.sales.providers import NotificationRefused, SandboxProvider, sign
from webapp.sales.services import Tender

REFERRERS_WALLET = "13456789012345"  # a payment code is these digits and four more


def paid_with(till, who, sku, code, days_ago=10):
    order = till.sale()
    order.customer_id = who.id
    from webapp.sales import services as sales

    sales.add_item(order, sku, 1)
    order = sales.complete_sale(order, [Tender("wechat", str(order.total), code)], user=till.cashier,
                                client_uuid=f"sale-{order.number}")
    order.completed_at = utcnow() - timedelta(days=days_ago)
    db.session.flush()
    return order


def test_a_wallet_payment_records_a_stable_payer_per_wallet(till, member, make_sku):
    someone = member()
    first = paid_with(till, someone, make_sku(), REFERRERS_WALLET + "0001")
    second = paid_with(till, someone, make_sku(), REFERRERS_WALLET + "0002")
    other = paid_with(till, someone, make_sku(), "13999999999999" + "0001")
    cash = till.sell((make_sku(), 1))
    payers = [first.payments[0].payer_account, second.payments[0].payer_account, other.payments[0].payer_account]
    assert payers[0] and payers[0] == payers[1] != payers[2] and len(payers[0]) == 28
    assert cash.payments[0].payer_account is None


def test_a_first_order_paid_by_a_wallet_that_paid_for_the_referrer_is_refused(till, member, make_sku, client):
    inviter, friend = member("老王"), member("小号", phone="13711113333")
    paid_with(till, inviter, make_sku(), REFERRERS_WALLET + "1234", days_ago=40)
    referrals.record(friend, referrals.code_of(inviter))
    paid_with(till, friend, make_sku(price="30.00"), REFERRERS_WALLET + "5678")
    assert referrals.settle()["refused"] == 1
    referral = referrals.invites_of(inviter)[0]
    assert (referral.state, referral.reason) == (ReferralState.REFUSED, referrals.SAME_PAYER)
    assert referrals.coupons_of(inviter) == referrals.coupons_of(friend) == []
    db.session.commit()
    client.post("/shop/account/sign-in", data={"phone": inviter.phone, "password": PASSWORD})
    page = client.get("/shop/invite").get_data(as_text=True)
    assert "137****3333" in page and "付款的微信/支付宝账户也为您付过款" in page


def test_a_friend_paying_with_their_own_wallet_is_rewarded(till, member, make_sku):
    inviter, friend = member(), member()
    paid_with(till, inviter, make_sku(), REFERRERS_WALLET + "1234", days_ago=40)
    referrals.record(friend, referrals.code_of(inviter))
    paid_with(till, friend, make_sku(price="30.00"), "13811112222333" + "5678")
    assert referrals.settle()["rewarded"] == 1


def test_the_sandbox_cashier_pays_as_the_signed_in_customer_and_signs_the_payer(app):
    wechat = SandboxProvider("wechat")
    checkout = {"method": "wechat", "out_trade_no": "S1-20261207-0001-P1", "total_amount": "12.00"}
    fields = wechat.confirm(checkout, True, payer=wechat.account_of("customer:7"))
    notice = wechat.verify_notification(fields)
    assert notice.payer_account == wechat.account_of("customer:7") != wechat.account_of("customer:8")
    with pytest.raises(NotificationRefused):  # another payer slipped into signed fields
        wechat.verify_notification({**fields, "payer": wechat.account_of("customer:8")})
    unsigned = sign({k: v for k, v in fields.items() if k not in ("payer", "sign")})
    assert wechat.verify_notification(unsigned).payer_account == ""  # a provider that names no payer


def test_the_cashier_page_offers_the_signed_in_customers_account(client, make_user):
    wechat = SandboxProvider("wechat")
    me = make_user(role="customer", phone="13900139777", username="c13900139777")
    db.session.commit()
    client.post("/shop/account/sign-in", data={"phone": me.phone, "password": PASSWORD})
    fields = sign({"method": "wechat", "out_trade_no": "S1-20261207-0001-P1", "total_amount": "12.00",
                   "subject": "S1-20261207-0001", "return_url": "/shop/x", "notify_url": "/shop/pay/notify/wechat"})
    page = client.get("/shop/sandbox-pay", query_string=fields).get_data(as_text=True)
    assert wechat.account_of(f"customer:{me.id}") in page
