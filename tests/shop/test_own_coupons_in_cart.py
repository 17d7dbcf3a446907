"""The signed-in member's own coupons in the cart (one tap instead of typing) and on the member page."""
import pytest

from tests.conftest import PASSWORD
from tests.shop.conftest import WEST_LAKE
from tests.shop.test_shop_pages import add, choose
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.promotions import coupons, editing


@pytest.fixture
def west(online_store):
    return online_store(WEST_LAKE, "西湖区", name="西湖店")


def given(to, name, **fields):
    values = {"name": name, "kind": "threshold", "tiers": [("30", "8")], "everything": True} | fields
    promotion = editing.save(None, editing.PromotionInput(**values), user=None)
    editing.start(promotion)
    return coupons.issue(promotion, 1, owners=[to.id])[0].code


def test_the_cart_offers_the_members_own_coupons_and_one_tap_uses_one(client, west, stocked, make_user):
    me = make_user(role=Role.CUSTOMER, phone="13900139555", username="c13900139555", display_name="韩梅梅")
    code = given(me, "满30减8券")
    given(me, "门店专用券", channels=["pos"])
    tea = stocked({west: 9}, price="8.00")
    db.session.commit()
    assert client.post("/shop/account/sign-in", data={"phone": me.phone, "password": PASSWORD}).status_code == 303
    add(client, tea, "4")
    choose(client, fulfilment="pickup", store=west.id)
    page = client.get("/shop/cart").get_data(as_text=True)
    offered = page.split('data-testid="my-coupons"')[1].split("</div>")[0]
    assert "满30减8券" in offered and code in offered and "门店专用券" not in offered

    assert client.post("/shop/cart/coupon", data={"code": code}).status_code == 303
    page = client.get("/shop/cart").get_data(as_text=True)
    assert 'data-testid="my-coupons"' not in page and "24.00" in page  # 32.00 less 8.00, the list gone


def test_a_guest_is_offered_no_coupons(client, west, stocked, make_user):
    someone = make_user(role=Role.CUSTOMER, phone="13900139556", username="c13900139556")
    given(someone, "满30减8券")
    tea = stocked({west: 9}, price="8.00")
    db.session.commit()
    add(client, tea, "4")
    choose(client, fulfilment="pickup", store=west.id)
    assert 'data-testid="my-coupons"' not in client.get("/shop/cart").get_data(as_text=True)


def test_the_member_page_lists_the_coupons_given_to_them_with_their_state(client, make_user):
    me = make_user(role=Role.CUSTOMER, phone="13900139557", username="c13900139557", display_name="李雷")
    ready = given(me, "满30减8券")
    stopped = editing.save(None, editing.PromotionInput(name="停了的券", kind="threshold", tiers=[("30", "8")],
                                                        everything=True), user=None)
    editing.start(stopped)
    gone = coupons.issue(stopped, 1, owners=[me.id])[0].code
    editing.stop(stopped)
    db.session.commit()
    client.post("/shop/account/sign-in", data={"phone": me.phone, "password": PASSWORD})
    page = client.get("/shop/account/member").get_data(as_text=True)
    mine = page.split('data-testid="own-coupons"')[1].split("</section>")[0]
    assert ready in mine and gone in mine and "已结束" in mine
    assert [(coupon.code, state) for coupon, state in coupons.owned_by(me.id)] == [(gone, "ended"), (ready, "usable")]
