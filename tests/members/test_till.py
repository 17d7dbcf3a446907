"""The member at the till, through the views: named by code or phone, enrolled by phone, member prices,
a top-up and a sale paid with stored value, the receipt's member lines; bad input refused clearly."""
from datetime import timedelta
from decimal import Decimal

from tests.members.conftest import ring_up
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.members import cards, wallet
from webapp.members.models import MemberCard
from webapp.sales.models import Order


def post(client, url, **form):
    return client.post(url, data=form, headers={"HX-Request": "true"})


def test_the_cashier_names_a_member_by_phone_and_sees_tier_points_and_balance(till, member, stocked, login):
    order = ring_up(till, None, (stocked(till.store, price="10.00", member_price="8.00"), 1))
    client = login(till.cashier)
    answer = post(client, f"/pos/orders/{order.id}/member", member="138 0013 8000", action="find")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "王芳" in page and 'data-testid="member-points">0<' in page and "¥0.00" in page
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.customer_id == member.id and order.total == Decimal("8.00")  # the member price


def test_a_member_code_is_accepted_this_minute_and_the_last_and_refused_after(till, member, stocked, login):
    order = ring_up(till, None, (stocked(till.store), 1))
    client = login(till.cashier)
    old = cards.member_code(member, utcnow() - timedelta(minutes=3))
    refused = post(client, f"/pos/orders/{order.id}/member", member=old, action="find")
    assert refused.status_code == 422 and "过期" in refused.get_data(as_text=True)
    forged = cards.member_code(member)[:-1] + ("0" if cards.member_code(member)[-1] != "0" else "1")
    assert "不是会员码" in post(client, f"/pos/orders/{order.id}/member", member=forged).get_data(as_text=True)
    last_minute = cards.member_code(member, utcnow() - timedelta(seconds=60))
    assert post(client, f"/pos/orders/{order.id}/member", member=last_minute).status_code == 200


def test_enrol_by_phone_makes_a_member_without_a_password(till, stocked, login):
    order = ring_up(till, None, (stocked(till.store), 1))
    client = login(till.cashier)
    answer = post(client, f"/pos/orders/{order.id}/member", member="13700137000", name="李雷", action="enrol")
    assert answer.status_code == 200 and "李雷" in answer.get_data(as_text=True)
    customer = cards.member_by_phone("13700137000")
    assert customer.password_hash == "!" and db.session.get(MemberCard, customer.id).enrolled_store_id == till.store.id


def test_bad_member_input_is_refused_in_the_cashiers_language(till, stocked, login):
    order = ring_up(till, None, (stocked(till.store), 1))
    client = login(till.cashier)
    for text, words in (("12345", "不是手机号"), ("13600136000", "没有会员"), ("M1-zz-0123456789ab", "不是会员码"),
                        ("x" * 41, "太长")):
        answer = post(client, f"/pos/orders/{order.id}/member", member=text, action="find")
        assert answer.status_code in (404, 422) and words in answer.get_data(as_text=True), text
    assert post(client, f"/pos/orders/{order.id}/member", member="M1\x00").status_code == 400  # the app's NUL guard


def test_top_up_at_the_till_then_pay_with_stored_value_and_the_receipt_shows_the_balances(till, member, stocked,
                                                                                          login):
    wallet.save_rule("500", "50")
    order = ring_up(till, member, (stocked(till.store, price="120.00"), 1))
    client = login(till.cashier)
    assert "充值" in client.get(f"/pos/orders/{order.id}/top-up").get_data(as_text=True)
    too_much = post(client, f"/pos/orders/{order.id}/top-up", top_up="6000", cash="6000")
    assert too_much.status_code == 422 and "5,000" in too_much.get_data(as_text=True)
    answer = post(client, f"/pos/orders/{order.id}/top-up", preset="500.00", cash="500", client_uuid="t1")
    assert answer.status_code == 204
    receipt = client.get(answer.headers["HX-Redirect"]).get_data(as_text=True)
    assert "储值余额：¥550.00" in receipt or "¥550.00" in receipt
    paid = post(client, f"/pos/orders/{order.id}/pay", method=["stored_value", "cash"], amount=["100", "20"],
                auth_code=["", ""], client_uuid="p1")
    assert paid.status_code == 204, paid.get_data(as_text=True)
    receipt = client.get(paid.headers["HX-Redirect"]).get_data(as_text=True)
    assert "¥450.00" in receipt and "120" in receipt
    assert db.session.get(MemberCard, member.id).balance == Decimal("450.00")


def test_paying_with_stored_value_without_a_member_is_refused(till, stocked, login):
    order = ring_up(till, None, (stocked(till.store, price="5.00"), 1))
    client = login(till.cashier)
    answer = post(client, f"/pos/orders/{order.id}/pay", method=["stored_value"], amount=["5"], auth_code=[""])
    assert answer.status_code == 422 and "会员" in answer.get_data(as_text=True)


def test_the_pay_panel_offers_the_members_stored_value_in_one_tap_when_it_covers_the_sale(till, member, stocked,
                                                                                          login):
    wallet.save_rule("500", "50")
    order = ring_up(till, member, (stocked(till.store, price="120.00"), 1))
    client = login(till.cashier)
    panel = client.get(f"/pos/orders/{order.id}/pay").get_data(as_text=True)
    assert "储值支付" not in panel  # nothing on the card yet
    post(client, f"/pos/orders/{order.id}/top-up", preset="500.00", cash="500", client_uuid="t1")
    panel = client.get(f"/pos/orders/{order.id}/pay").get_data(as_text=True)
    assert "储值支付 ¥120.00" in panel and "余额 ¥550.00" in panel
    paid = post(client, f"/pos/orders/{order.id}/pay", method="stored_value", amount="120.00", auth_code="",
                client_uuid="p1")
    assert paid.status_code == 204, paid.get_data(as_text=True)
    assert db.session.get(MemberCard, member.id).balance == Decimal("430.00")
