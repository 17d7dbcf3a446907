"""Online orders: placing reserves, cancelling and expiring release, hand-over consumes; statuses and codes."""
from datetime import timedelta
from decimal import Decimal

import pytest

from webapp.auth.customers import InvalidPhone
from webapp.clock import utcnow
from webapp.errors import InvalidQuantity
from webapp.extensions import db
from webapp.sales.errors import PaymentDeclined, PaymentPending
from webapp.sales.online import services as online
from webapp.sales.online.errors import (
    NotCancellable,
    NotPaid,
    PayAtPickupNotOffered,
    QuantityTooLarge,
    SoldOut,
    StatusRefused,
)
from webapp.sales.online.models import OnlineOrder
from webapp.stock.queries import level_at

PAID_CODE, DECLINED_CODE, TIMEOUT_THEN_PAID, TIMEOUT_THEN_PENDING = (
    "134567890123450001", "134567890123459001", "134567890123459002", "134567890123459003")


def test_placing_an_order_reserves_its_stock_and_prices_it_at_the_store(online_store, stocked, place):
    store = online_store()
    tea = stocked({store: 5}, price="4.50")
    order = place(store, (tea, 2))
    assert level_at(store, tea) == (Decimal("5.000"), Decimal("2.000"))
    assert (order.order.channel, order.order.total, order.status, order.order.status) == (
        "shop", Decimal("9.00"), "new", "open")
    assert len(order.pickup_code) == 6 and order.pickup_code.isdigit()
    assert order.pickup_token != order.access_token
    assert [n.kind for n in order.notifications] == ["accepted"]
    assert order.pickup_code in order.notifications[0].body


def test_the_last_unit_cannot_be_ordered_twice(online_store, stocked, place):
    store = online_store()
    cake = stocked({store: 1}, name="月饼")
    place(store, (cake, 1))
    with pytest.raises(SoldOut) as refusal:
        place(store, (cake, 1))
    assert "月饼" in str(refusal.value)
    assert db.session.query(OnlineOrder).count() == 1
    assert level_at(store, cake) == (Decimal("1.000"), Decimal("1.000"))


def test_a_sold_out_line_keeps_nothing_of_the_order(online_store, stocked, place):
    store = online_store()
    plenty, scarce = stocked({store: 9}), stocked({store: 1})
    with pytest.raises(SoldOut):
        place(store, (plenty, 2), (scarce, 2))
    assert level_at(store, plenty)[1] == 0
    assert db.session.query(OnlineOrder).count() == 0


def test_the_same_checkout_key_makes_one_order(online_store, stocked, place):
    store = online_store()
    tea = stocked({store: 5})
    first = place(store, (tea, 1), key="same-form")
    again = place(store, (tea, 1), key="same-form")
    assert first is again
    assert level_at(store, tea)[1] == Decimal("1.000")


@pytest.mark.parametrize("qty, error", [("-1", InvalidQuantity), ("0", InvalidQuantity),
                                        ("100000", QuantityTooLarge)])
def test_absurd_quantities_are_refused(online_store, stocked, place, qty, error):
    store = online_store()
    tea = stocked({store: 5})
    with pytest.raises(error):
        place(store, (tea, qty))


def test_a_phone_number_must_be_a_mobile_number(online_store, stocked, place):
    store = online_store()
    with pytest.raises(InvalidPhone):
        place(store, (stocked({store: 5}), 1), phone="12345")


def test_the_customer_can_cancel_a_new_order_and_the_stock_goes_back(online_store, stocked, place):
    store = online_store()
    tea = stocked({store: 3})
    order = place(store, (tea, 2))
    online.cancel(order, by_customer=True)
    assert (order.status, order.order.status) == ("cancelled", "voided")
    assert level_at(store, tea) == (Decimal("3.000"), Decimal("0.000"))
    assert online.reservations(order) == []


def test_once_picking_started_the_customer_can_no_longer_cancel(online_store, stocked, place, make_user):
    store = online_store()
    order = place(store, (stocked({store: 3}), 1))
    online.pay(order, "wechat", PAID_CODE)
    online.start_picking(order, make_user(stores=[store]))
    with pytest.raises(NotCancellable):
        online.cancel(order, by_customer=True)
    online.cancel(order, by_customer=False, reason="damaged")  # the store still may
    assert order.status == "cancelled"


def test_cancelling_a_paid_order_refunds_it(online_store, stocked, place):
    store = online_store()
    order = place(store, (stocked({store: 3}, price="12.00"), 1))
    online.pay(order, "alipay", PAID_CODE)
    online.cancel(order, by_customer=True)
    assert sorted(p.amount for p in order.order.payments) == [Decimal("-12.00"), Decimal("12.00")]
    assert order.paid == 0


def test_an_unpaid_order_expires_after_the_hold_time_and_releases(online_store, stocked, place):
    store = online_store(hold=15)
    tea = stocked({store: 2})
    order = place(store, (tea, 2))
    assert online.expire_unpaid(utcnow() + timedelta(minutes=14)) == 0
    assert online.expire_unpaid(utcnow() + timedelta(minutes=16)) == 1
    assert (order.status, order.order.status) == ("expired", "voided")
    assert level_at(store, tea)[1] == 0
    assert [n.kind for n in order.notifications] == ["accepted", "expired"]


def test_looking_at_an_overdue_order_expires_it(online_store, stocked, place):
    store = online_store()
    order = place(store, (stocked({store: 2}), 1))
    order.expires_at = utcnow() - timedelta(seconds=1)
    online.refresh(order)
    assert order.status == "expired"


def test_paid_and_pay_at_pickup_orders_do_not_expire(online_store, stocked, place):
    store = online_store()
    tea = stocked({store: 5})
    paid = place(store, (tea, 1))
    online.pay(paid, "wechat", PAID_CODE)
    at_pickup = place(store, (tea, 1), pay_at_pickup=True)
    assert online.expire_unpaid(utcnow() + timedelta(days=1)) == 0
    assert (paid.status, at_pickup.status) == ("new", "new")
    assert paid.expires_at is None and at_pickup.expires_at is None


def test_pay_at_pickup_only_where_the_store_offers_it(online_store, stocked, place):
    store = online_store(pay_at_pickup=False)
    with pytest.raises(PayAtPickupNotOffered):
        place(store, (stocked({store: 5}), 1), pay_at_pickup=True)


def test_a_declined_payment_leaves_the_order_unpaid_and_held(online_store, stocked, place):
    store = online_store()
    tea = stocked({store: 5})
    order = place(store, (tea, 1))
    with pytest.raises(PaymentDeclined):
        online.pay(order, "wechat", DECLINED_CODE)
    assert not order.is_paid and order.status == "new" and level_at(store, tea)[1] == 1
    online.pay(order, "wechat", PAID_CODE)  # another try, another code
    assert order.is_paid


def test_a_timed_out_payment_is_checked_again_and_counts(online_store, stocked, place):
    store = online_store()
    order = place(store, (stocked({store: 5}), 1))
    with pytest.raises(PaymentPending):
        online.pay(order, "wechat", TIMEOUT_THEN_PAID)
    assert [p.status for p in order.order.payments] == ["pending"]
    online.refresh(order)
    assert order.is_paid and [p.status for p in order.order.payments] == ["succeeded"]


def test_money_that_arrives_after_expiry_is_given_back(online_store, stocked, place):
    store = online_store()
    order = place(store, (stocked({store: 5}, price="8.00"), 1))
    with pytest.raises(PaymentPending):
        online.pay(order, "wechat", TIMEOUT_THEN_PAID)
    order.order.payments[0].status = "pending"
    order.expires_at = utcnow() - timedelta(minutes=1)
    online.expire_if_due(order)  # expired while the provider had not answered
    online.check_payments(order)
    assert order.status == "expired"
    assert sorted(p.amount for p in order.order.payments) == [Decimal("-8.00"), Decimal("8.00")]


def test_a_still_pending_payment_stays_pending(online_store, stocked, place):
    store = online_store()
    order = place(store, (stocked({store: 5}), 1))
    with pytest.raises(PaymentPending):
        online.pay(order, "wechat", TIMEOUT_THEN_PENDING)
    online.refresh(order)
    assert not order.is_paid and order.order.payments[0].status == "pending"


def test_a_pickup_order_goes_from_new_to_handed_over_and_consumes_its_stock(online_store, stocked, place,
                                                                           make_user):
    store = online_store()
    tea = stocked({store: 5}, cost="2.00")
    staff = make_user(stores=[store])
    order = place(store, (tea, 2))
    online.pay(order, "wechat", PAID_CODE)
    online.start_picking(order, staff)
    online.mark_ready(order, staff)
    assert online.by_pickup_code(store, order.pickup_code) is order
    online.hand_over(order, staff)
    assert (order.status, order.order.status) == ("handed_over", "completed")
    assert level_at(store, tea) == (Decimal("3.000"), Decimal("0.000"))
    assert order.order.lines[0].unit_cost == Decimal("2.00")
    assert [n.kind for n in order.notifications] == ["accepted", "ready"]
    assert online.by_pickup_code(store, order.pickup_code) is None  # a closed order's code is free again


def test_an_unpaid_order_is_not_handed_over(online_store, stocked, place, make_user):
    store = online_store()
    staff = make_user(stores=[store])
    order = place(store, (stocked({store: 5}), 1), pay_at_pickup=True)
    online.start_picking(order, staff)
    online.mark_ready(order, staff)
    with pytest.raises(NotPaid):
        online.hand_over(order, staff)


def test_a_delivery_order_is_dispatched_then_delivered(online_store, stocked, place, make_user):
    store = online_store()
    tea = stocked({store: 5}, price="30.00")
    staff = make_user(stores=[store])
    order = place(store, (tea, 1), delivery=online.Delivery("文三路 1 号", "西湖区", fee=Decimal("5.00")))
    assert order.amount_due == Decimal("35.00")
    online.pay(order, "alipay", PAID_CODE)
    with pytest.raises(StatusRefused):
        online.dispatch(order, staff)  # not picked yet
    online.start_picking(order, staff)
    online.mark_ready(order, staff)
    online.dispatch(order, staff)
    online.mark_delivered(order, staff)
    assert order.status == "delivered" and level_at(store, tea) == (Decimal("4.000"), Decimal("0.000"))
    assert [n.kind for n in order.notifications] == ["accepted", "out_for_delivery", "delivered"]


def test_the_outbox_sends_each_message_once(online_store, stocked, place, caplog):
    from webapp.sales.notify import send_pending

    store = online_store()
    place(store, (stocked({store: 5}), 1))
    caplog.set_level("INFO")
    assert send_pending() == 1
    assert send_pending() == 0
    assert "13800138000" in caplog.text


def test_looking_at_an_expired_order_gives_back_money_that_arrived_late(online_store, stocked, place):
    store = online_store()
    order = place(store, (stocked({store: 5}, price="8.00"), 1))
    with pytest.raises(PaymentPending):
        online.pay(order, "wechat", TIMEOUT_THEN_PAID)
    online.expire_if_due(order, utcnow() + timedelta(hours=1))
    assert online.needs_refresh(order)
    online.refresh(order)
    assert order.status == "expired" and order.paid == 0 and not online.needs_refresh(order)


def test_the_sweep_gives_back_money_that_arrived_after_the_order_closed(online_store, stocked, place):
    """Nobody looks at the order again: the sweep still asks about its late payment and refunds it."""
    store = online_store()
    order = place(store, (stocked({store: 5}, price="8.00"), 1))
    with pytest.raises(PaymentPending):
        online.pay(order, "wechat", TIMEOUT_THEN_PAID)
    online.expire_if_due(order, utcnow() + timedelta(hours=1))  # closed while the payment was unconfirmed
    assert order.status == "expired" and online.needs_refresh(order)
    online.expire_unpaid(utcnow() + timedelta(hours=1))
    assert order.paid == 0 and not online.needs_refresh(order)
    assert sorted(p.amount for p in order.order.payments if p.status == "succeeded") == [Decimal("-8.00"),
                                                                                         Decimal("8.00")]
