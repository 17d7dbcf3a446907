"""An overstock alert ("建议促销清库存") makes a draft 第2件半价 for that SKU at that store in one tap; the
manager simulates and starts it, and then it prices that SKU there only."""
from decimal import Decimal

from sqlalchemy import select

from webapp.auth.models import Role
from webapp.extensions import db
from webapp.promotions.models import Promotion
from webapp.promotions.services import Channel, price_cart
from webapp.stock import services as ledger


def _overstocked(make_store, make_sku):
    store, other = make_store(), make_store()
    snack = make_sku(name="慢销薯片", price="6.00")
    ledger.receive(store, snack, 100, "2.00", user=None, document=("r", "1"))
    ledger.sell(store, snack, 2, user=None, document=("sale", "1"))
    ledger.receive(other, snack, 100, "2.00", user=None, document=("r", "2"))
    db.session.commit()
    return store, other, snack


def test_one_tap_on_an_overstock_alert_makes_a_clearance_draft_the_manager_starts(make_store, make_sku,
                                                                                   make_user, login):
    store, other, snack = _overstocked(make_store, make_sku)
    client = login(make_user(role=Role.STORE_MANAGER, stores=[store]))
    page = client.get(f"/stock/stores/{store.id}/alerts").get_data(as_text=True)
    assert f"/manage/promotions/from-overstock/{store.id}/{snack.id}" in page and "建议促销清库存" in page
    response = client.post(f"/manage/promotions/from-overstock/{store.id}/{snack.id}")
    again = client.post(f"/manage/promotions/from-overstock/{store.id}/{snack.id}")
    assert response.status_code == 303 and again.headers["Location"] == response.headers["Location"]
    [promotion] = db.session.scalars(select(Promotion)).all()
    assert (promotion.status, promotion.kind, promotion.sku_ids, promotion.store_ids) == (
        "draft", "nth_item", [snack.id], [store.id])
    assert price_cart(store, Channel.POS, [(snack, 2)]).total == Decimal("12.00")  # a draft prices nothing
    assert client.post(f"/manage/promotions/{promotion.id}/simulate", data={"days": "30"}).status_code < 400
    assert client.post(f"/manage/promotions/{promotion.id}/start").status_code == 303
    assert price_cart(store, Channel.POS, [(snack, 2)]).total == Decimal("9.00")
    assert price_cart(other, Channel.SHOP, [(snack, 2)]).total == Decimal("12.00")


def test_a_sku_not_overstocked_or_another_stores_is_refused(make_store, make_sku, make_user, login):
    store, other, snack = _overstocked(make_store, make_sku)
    client = login(make_user(role=Role.STORE_MANAGER, stores=[store]))
    fresh = make_sku(name="畅销水", price="2.00")
    ledger.receive(store, fresh, 3, "1.00", user=None, document=("r", "3"))
    db.session.commit()
    refused = client.post(f"/manage/promotions/from-overstock/{store.id}/{fresh.id}", headers={"HX-Request": "true"})
    assert refused.status_code == 409 and "已不再积压" in refused.get_data(as_text=True)
    assert client.post(f"/manage/promotions/from-overstock/{other.id}/{snack.id}").status_code == 403
    assert client.post(f"/manage/promotions/from-overstock/{store.id}/999999").status_code == 404
    cashier = login(make_user(role=Role.CASHIER, stores=[store]))
    assert cashier.post(f"/manage/promotions/from-overstock/{store.id}/{snack.id}").status_code == 403
    assert db.session.scalar(select(Promotion)) is None
