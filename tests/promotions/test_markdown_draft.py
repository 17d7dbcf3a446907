"""A near-expiry markdown accepted in the stockroom becomes a promotion draft in one tap, and once started it
prices that SKU at that store through the engine."""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from webapp.auth.models import Role
from webapp.extensions import db
from webapp.promotions.models import Promotion
from webapp.promotions.services import Channel, price_cart
from webapp.stock import services as ledger
from webapp.stock.expiry import services as expiry
from webapp.stock.expiry.models import SuggestionStatus
from webapp.stock.models import Lot


def test_one_tap_makes_a_draft_that_prices_the_sku_at_that_store_when_started(make_store, make_sku, make_user,
                                                                              login):
    store, other = make_store(), make_store()
    milk = make_sku(name="光明 鲜牛奶", price="10.00", tracking="lot")
    ledger.receive(store, milk, 6, "4.00", user=None, document=("r", "L2"), lot_code="L2",
                   expiry=date.today() + timedelta(days=2))
    lot = db.session.scalar(select(Lot).where(Lot.code == "L2"))
    suggestion = expiry.suggest_markdown(store, lot, user=None)
    client = login(make_user(role=Role.STORE_MANAGER, stores=[store]))
    response = client.post(f"/manage/promotions/from-markdown/{suggestion.id}")
    assert response.status_code == 303
    again = client.post(f"/manage/promotions/from-markdown/{suggestion.id}")
    assert again.headers["Location"] == response.headers["Location"]  # the second tap opens the same draft
    promotion = db.session.scalar(select(Promotion))
    db.session.refresh(suggestion)
    assert (promotion.status, promotion.store_ids, promotion.sku_ids) == ("draft", [store.id], [milk.id])
    assert suggestion.status == SuggestionStatus.ACCEPTED
    assert client.post(f"/manage/promotions/{promotion.id}/start").status_code == 303
    off = Decimal(100 - suggestion.percent_off) / 100
    assert price_cart(store, Channel.POS, [(milk, 1)]).total == (Decimal("10.00") * off).quantize(Decimal("0.01"))
    assert price_cart(other, Channel.POS, [(milk, 1)]).total == Decimal("10.00")
