"""The shop's member page: the member code (a fresh QR every minute), balance, points and their expiry,
tier and progress, orders from every store and channel; only for the signed-in customer."""
from decimal import Decimal

from tests.members.conftest import pay, ring_up
from webapp.auth import customers
from webapp.members import cards, wallet
from webapp.sales.services import Tender


def sign_in(client, phone="13800138000", password="secret-pass-1"):
    answer = client.post("/shop/account/sign-in", data={"phone": phone, "password": password})
    assert answer.status_code == 303


def test_the_member_page_shows_code_balance_points_tier_and_orders_from_the_till(client, till, stocked):
    member = customers.sign_up("13800138000", "王芳", "secret-pass-1")
    wallet.save_rule("500", "50")
    wallet.top_up(member, "500", [Tender("cash", "500")], store=till.store, user=till.cashier,
                  register=till.register, shift=till.shift, client_uuid="t")
    pay(till, ring_up(till, member, (stocked(till.store, price="88.00"), 1)), Tender("stored_value", "88.00"))
    from webapp.extensions import db

    db.session.commit()
    sign_in(client)
    page = client.get("/shop/account/member").get_data(as_text=True)
    assert "王芳" in page and "¥462.00" in page and "data-testid=\"member-points\">88<" in page
    assert till.store.name in page and "<svg" in page
    code = page.split('data-code="')[1].split('"')[0]
    assert cards.member_by_code(code).id == member.id
    assert "普通" in page
    assert 'href="/shop/invite"' in page  # the way to their invitation link
    fresh = client.get("/shop/account/member/code").get_data(as_text=True)
    assert "data-code=\"M" in fresh
    assert db.session.get(type(cards.card_of(member)), member.id).balance == Decimal("462.00")


def test_the_member_page_needs_a_signed_in_customer(client):
    answer = client.get("/shop/account/member")
    assert answer.status_code == 303 and "/shop/account/sign-in" in answer.headers["Location"]
    assert client.get("/shop/account/member/code").status_code == 401
