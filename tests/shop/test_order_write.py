"""A placed online order is written with plain INSERTs and put in the session as loaded: what the request
holds is exactly what the database holds, with each promotion's saving per line as the till stores it."""
from decimal import Decimal

from sqlalchemy import select

from webapp.extensions import db
from webapp.promotions import editing
from webapp.promotions.models import OrderLinePromotion
from webapp.promotions.services import savings_of
from webapp.sales.models import Order, OrderLine
from webapp.sales.online import services as online
from webapp.sales.online.models import OnlineOrder
from webapp.shop.checkout import due_token
from webapp.shop.models import Cart, CartLine

COLUMNS = {Order: Order.__table__.columns, OrderLine: OrderLine.__table__.columns,
           OnlineOrder: OnlineOrder.__table__.columns}


def _promotion(kind, **fields):
    promotion = editing.save(None, editing.PromotionInput(name=f"促销 {kind}", kind=kind, **fields), user=None)
    editing.start(promotion)
    return promotion


def _as_held(instance) -> dict:
    return {c.key: getattr(instance, c.key) for c in COLUMNS[type(instance)]}


def test_an_online_order_is_held_in_the_request_exactly_as_the_database_holds_it(online_store, stocked, make_user):
    store = online_store()
    tea, cake = stocked({store: 5}, price="12.00", name="龙井"), stocked({store: 5}, price="8.50", name="月饼")
    customer = make_user(role="customer", phone="13900000021", username="c13900000021")
    placed = online.place_order(store, customer, [(tea, 2), (cake, 1)], phone="13900000021", checkout_key="exact",
                                contact_name="  顾客 ")
    held = [_as_held(placed), _as_held(placed.order), *(_as_held(line) for line in placed.order.lines)]
    assert placed.order.lines[0].sku is tea and placed.order.online is placed and placed.order.payments == []
    db.session.commit()
    db.session.expunge_all()
    again = db.session.get(OnlineOrder, placed.id)
    assert held == [_as_held(again), _as_held(again.order), *(_as_held(line) for line in again.order.lines)]
    assert again.contact_name == "顾客" and again.order.total == Decimal("32.50") and len(again.notifications) == 1


def test_a_placed_order_keeps_what_each_promotion_took_off_each_line(client, online_store, stocked):
    store = online_store()
    tea = stocked({store: 5}, price="20.00", name="龙井")
    cake = stocked({store: 5}, price="10.00", name="月饼")
    off = _promotion("percent", percent="10", sku_ids=[tea.id], points_multiplier="2")
    cart = Cart(token="promo", fulfilment="pickup", store=store,
                lines=[CartLine(sku=tea, quantity=Decimal(2)), CartLine(sku=cake, quantity=Decimal(1))])
    db.session.add(cart)
    db.session.commit()
    shown = due_token(cart)
    assert shown == f"{store.id}:46.00"
    db.session.commit()
    client.set_cookie("huotong_cart", "promo")
    response = client.post("/shop/checkout", data={"checkout_key": "k-promo", "payment": "wechat",
                                                   "phone": "13900000022", "contact_name": "买家",
                                                   "expected_due": shown})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    db.session.expunge_all()
    order = db.session.scalar(select(OnlineOrder)).order
    assert [(line.sku_id, line.amount, line.points_multiplier) for line in order.lines] == [
        (tea.id, Decimal("36.00"), Decimal("2.00")), (cake.id, Decimal("10.00"), Decimal("1.00"))]
    assert (order.subtotal, order.total) == (Decimal("46.00"), Decimal("46.00"))
    assert [(a.id, a.saving) for a in savings_of(order)] == [(off.id, Decimal("4.00"))]
    assert db.session.scalars(select(OrderLinePromotion.order_line_id)).all() == [order.lines[0].id]


def test_an_order_rolled_back_leaves_the_session_as_a_flushed_one_would(online_store, stocked, make_user):
    # written with plain INSERTs, it must still leave with its transaction: the next order may get its ids
    store = online_store()
    tea = stocked({store: 5}, price="12.00", name="龙井")
    customer = make_user(role="customer", phone="13900000023", username="c13900000023")
    db.session.commit()
    savepoint = db.session.begin_nested()
    gone = online.place_order(store, customer, [(tea, 1)], phone="13900000023", checkout_key="gone")
    savepoint.rollback()
    assert gone not in db.session and gone.order not in db.session
    kept = online.place_order(store, customer, [(tea, 1)], phone="13900000023", checkout_key="kept")
    db.session.commit()
    assert kept in db.session and db.session.get(OnlineOrder, kept.id).checkout_key == "kept"
