"""An accepted near-expiry markdown prices that lot's SKU at that store at once (#11 item 11), until the lot
is gone or past its date; the suggestion does not come back once accepted."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from webapp.auth.models import Role
from webapp.clock import business_day
from webapp.extensions import db
from webapp.promotions.models import Promotion
from webapp.promotions.services import Channel, price_cart
from webapp.stock import services as ledger
from webapp.stock.expiry import queries as expiry_list
from webapp.stock.expiry import services as expiry
from webapp.stock.expiry.models import SuggestionStatus
from webapp.stock.models import Lot


def _milk_with_a_lot(make_sku, store, days=2, qty=6):
    milk = make_sku(name="光明 鲜牛奶", price="10.00", tracking="lot")
    ledger.receive(store, milk, qty, "4.00", user=None, document=("r", "L2"), lot_code="L2",
                   expiry=business_day() + timedelta(days=days))
    return milk, db.session.scalar(select(Lot).where(Lot.code == "L2"))


def test_accepting_a_markdown_prices_it_at_the_till_and_in_the_shop_at_that_store_only(
        make_store, make_sku, make_user, make_till, login):
    store, other = make_store(), make_store()
    milk, lot = _milk_with_a_lot(make_sku, store)
    suggestion = expiry.suggest_markdown(store, lot, user=None)
    db.session.commit()
    client = login(make_user(role=Role.STORE_MANAGER, stores=[store]))
    response = client.post(f"/stock/stores/{store.id}/expiry/suggestions/{suggestion.id}/accept")
    assert response.status_code in (200, 303)
    db.session.refresh(suggestion)
    assert suggestion.status == SuggestionStatus.ACCEPTED
    promotion = db.session.scalar(select(Promotion))
    assert (promotion.status, promotion.store_ids, promotion.sku_ids) == ("active", [store.id], [milk.id])
    marked = (Decimal("10.00") * (100 - suggestion.percent_off) / 100).quantize(Decimal("0.01"))
    assert make_till(store).ring_up((milk, 1)).total == marked
    assert price_cart(store, Channel.SHOP, [(milk, 1)]).total == marked
    assert price_cart(other, Channel.SHOP, [(milk, 1)]).total == Decimal("10.00")
    # The list shows the lot as marked down: no second suggestion, and suggesting again changes nothing.
    [item] = expiry_list.near_expiry(store)
    assert item.suggestion.id == suggestion.id
    assert expiry.suggest_markdown(store, lot, user=None).id == suggestion.id
    page = client.get(f"/stock/stores/{store.id}/expiry").get_data(as_text=True)
    assert "建议降价<" not in page and "直到此批次售完或过期" in page


def test_the_list_price_is_back_once_the_lot_is_sold_out(make_store, make_sku, make_till):
    store = make_store()
    milk, lot = _milk_with_a_lot(make_sku, store, qty=2)
    suggestion = expiry.suggest_markdown(store, lot, user=None)
    expiry.decide(suggestion, True, user=None)
    till = make_till(store)
    sale = till.sell((milk, 2))
    assert sale.total < Decimal("20.00")
    ledger.receive(store, milk, 5, "4.00", user=None, document=("r", "L3"), lot_code="L3",
                   expiry=business_day() + timedelta(days=20))
    assert till.ring_up((milk, 1)).total == Decimal("10.00")
    assert price_cart(store, Channel.SHOP, [(milk, 1)]).total == Decimal("10.00")


def test_a_markdown_ends_the_day_after_its_lots_date(make_store, make_sku):
    store = make_store()
    milk, lot = _milk_with_a_lot(make_sku, store, days=1)
    suggestion = expiry.suggest_markdown(store, lot, user=None)
    expiry.decide(suggestion, True, user=None)
    promotion = db.session.scalar(select(Promotion))
    assert price_cart(store, Channel.POS, [(milk, 1)], at=promotion.ends_at - timedelta(minutes=1)).total \
        < Decimal("10.00")
    assert price_cart(store, Channel.POS, [(milk, 1)], at=promotion.ends_at).total == Decimal("10.00")


def test_one_tap_from_the_suggestion_opens_the_running_markdown(make_store, make_sku, make_user, login):
    store = make_store()
    milk, lot = _milk_with_a_lot(make_sku, store)
    suggestion = expiry.suggest_markdown(store, lot, user=None)
    db.session.commit()
    client = login(make_user(role=Role.STORE_MANAGER, stores=[store]))
    response = client.post(f"/manage/promotions/from-markdown/{suggestion.id}")
    again = client.post(f"/manage/promotions/from-markdown/{suggestion.id}")
    assert response.status_code == 303 and again.headers["Location"] == response.headers["Location"]
    assert len(db.session.scalars(select(Promotion)).all()) == 1
