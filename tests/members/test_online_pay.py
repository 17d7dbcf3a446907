"""Paying an online order with stored value and points (#13): all of it, or part with the rest at the wallet's
cashier; what is applied is frozen on the order until the rest is paid, given back exactly when the order is
cancelled or expires, and spent once however often the wallet's notification comes."""
import threading
import uuid
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from tests.members.conftest import pay, ring_up
from webapp.auth import customers
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.members import cards, online_pay, points, wallet
from webapp.members.errors import (
    InsufficientBalance,
    InsufficientPoints,
    MoreThanOwed,
    NotAWholePointsAmount,
    NothingApplied,
    NotYourOrder,
    PointsNotANumber,
)
from webapp.members.models import MemberCard, PointsEntry, PointsLot, StoredValueEntry, ValueKind
from webapp.numbers import NotANumber
from webapp.sales.errors import PaymentDeclined
from webapp.sales.models import Order, Payment
from webapp.sales.online import services as online
from webapp.sales.online.errors import DueChanged
from webapp.sales.online.models import OnlineOrder
from webapp.sales.services import Tender

PASSWORD = "secret-pass-1"
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def shopper(till):
    """王芳, a member with a shop account: ¥300 of stored value (¥250 paid in, ¥50 bonus) and 1,000 points."""
    member = customers.sign_up("13800138000", "王芳", PASSWORD)
    cards.card_of(member, till.store)
    wallet.save_rule("250", "50")
    wallet.top_up(member, "250", [Tender("cash", "250")], store=till.store, user=till.cashier,
                  register=till.register, shift=till.shift, client_uuid=str(uuid.uuid4()))
    cards.settings().points_per_yuan_earned = 100
    pay(till, ring_up(till, member, (_sku(till, "10.00"), 1)))  # cash: earns 1,000 points
    db.session.commit()
    return member


_skus = iter(range(10**6))


def _sku(till, price):
    from webapp.catalog.services import VariantInput, save_product
    from webapp.stock import services as stock

    number = next(_skus)
    product = save_product(None, name=f"茶{number}", tracking="none", weighed=False, unit="piece", plu=None,
                           variants=[VariantInput(code=f"TEA{number}", list_price=price, barcodes=[])])
    sku = product.skus[0]
    stock.receive(till.store, sku, 20, "1.00", user=None, document=("receipt", f"R{number}"))
    return sku


def place(till, member, price="80.00", key=None):
    placed = online.place_order(till.store, member, [(_sku(till, price), 1)], phone=member.phone,
                                checkout_key=key or uuid.uuid4().hex)
    db.session.commit()
    return placed


def card(member) -> MemberCard:
    found = db.session.get(MemberCard, member.id)
    db.session.refresh(found)
    return found


def fresh(order: OnlineOrder) -> OnlineOrder:
    db.session.expire_all()
    return db.session.get(OnlineOrder, order.id)


def ledger_is_the_balance(member) -> bool:
    principal, bonus = db.session.execute(
        select(func.coalesce(func.sum(StoredValueEntry.principal), 0), func.coalesce(func.sum(StoredValueEntry.bonus), 0))
        .where(StoredValueEntry.customer_id == member.id)).one()
    held = card(member)
    lots = db.session.scalar(select(func.coalesce(func.sum(PointsLot.left), 0)).where(PointsLot.customer_id == member.id))
    moved = db.session.scalar(select(func.coalesce(func.sum(PointsEntry.points), 0))
                              .where(PointsEntry.customer_id == member.id))
    return (Decimal(principal), Decimal(bonus)) == (held.principal, held.bonus) and int(lots) == int(moved)


def sign_in(client, phone="13800138000"):
    assert client.post("/shop/account/sign-in", data={"phone": phone, "password": PASSWORD}).status_code == 303
    return client


def apply_form(client, order, **fields):
    fields.setdefault("expected_due", str(fresh(order).order.due))
    return client.post(f"/shop/orders/{order.access_token}/member-pay", data=fields, headers=ZH)


def to_cashier(client, order, method="wechat"):
    answer = client.post(f"/shop/orders/{order.access_token}/pay", data={"payment": method})
    assert answer.status_code == 303 and answer.location.startswith("/shop/sandbox-pay?")
    return answer


def confirm_at_cashier(client, app, monkeypatch, answer) -> dict:
    """Pay at the sandbox's cashier with the notification held back; the signed result it sends."""
    monkeypatch.setitem(app.config, "SANDBOX_NOTIFY", False)
    fields = dict(parse_qsl(urlsplit(answer.location).query))
    back = client.post("/shop/sandbox-pay", data={**fields, "action": "pay"})
    return dict(parse_qsl(urlsplit(back.location).query))


# ---------------------------------------------------------------- paying


def test_stored_value_pays_part_and_the_wallet_cashier_takes_the_rest(app, client, till, shopper, monkeypatch):
    order = place(till, shopper, "80.00")
    sign_in(client)
    page = client.get(f"/shop/orders/{order.access_token}", headers=ZH).get_data(as_text=True)
    assert "用会员储值和积分支付" in page and "¥300.00" in page and "1000 积分" in page
    assert apply_form(client, order, stored_value="50.00", points="").status_code == 303
    assert card(shopper).balance == Decimal("250.00") and not fresh(order).is_paid
    page = client.get(f"/shop/orders/{order.access_token}", headers=ZH).get_data(as_text=True)
    assert "应付：¥30.00" in page and "冻结中：储值 ¥50.00。" in page
    answer = to_cashier(client, order)
    assert "total_amount=30.00" in answer.location  # the cashier asks only for the rest
    result = confirm_at_cashier(client, app, monkeypatch, answer)
    for _ in range(3):  # the provider retries its notification: the order is paid once, nothing spent twice
        assert client.post("/shop/pay/notify/wechat", data=result).status_code == 200
    order = fresh(order)
    assert order.is_paid and order.paid == Decimal("80.00")
    assert sorted((p.method, p.amount) for p in order.order.payments) == [("stored_value", Decimal("50.00")),
                                                                           ("wechat", Decimal("30.00"))]
    assert card(shopper).balance == Decimal("250.00") and online_pay.frozen(shopper.id) == []
    assert db.session.scalar(select(func.count()).select_from(StoredValueEntry).where(
        StoredValueEntry.kind == ValueKind.SPEND.value, StoredValueEntry.customer_id == shopper.id)) == 1
    assert ledger_is_the_balance(shopper)


def test_stored_value_and_points_covering_the_order_pay_it_without_a_cashier(client, till, shopper):
    order = place(till, shopper, "80.00")
    sign_in(client)
    answer = apply_form(client, order, stored_value="75.00", points="500")
    assert answer.status_code == 303 and answer.location == f"/shop/orders/{order.access_token}"
    order = fresh(order)
    assert order.is_paid and order.paid == Decimal("80.00")
    assert card(shopper).balance == Decimal("225.00") and points.balance(shopper.id) == 500
    page = client.get(answer.location, headers=ZH).get_data(as_text=True)
    assert "已支付 ¥80.00" in page and 'id="pay"' not in page and 'id="member-pay"' not in page
    assert ledger_is_the_balance(shopper)


def test_spending_takes_the_principal_first_and_a_refund_of_the_paid_order_gives_back_bonus_first(till, shopper):
    order = place(till, shopper, "280.00")
    online_pay.apply(order, shopper, stored_value="270.00", points="1000")
    db.session.commit()
    assert (card(shopper).principal, card(shopper).bonus) == (Decimal("0.00"), Decimal("30.00"))
    assert points.balance(shopper.id) == 0 and fresh(order).is_paid
    online.refund_part(fresh(order), Decimal("40.00"), "line-1")  # a line the store could not find
    db.session.commit()
    assert (card(shopper).principal, card(shopper).bonus) == (Decimal("20.00"), Decimal("50.00"))
    online.cancel(fresh(order), by_customer=False, reason="关店")  # the store cancels the paid order
    db.session.commit()
    assert (card(shopper).principal, card(shopper).bonus) == (Decimal("250.00"), Decimal("50.00"))
    assert points.balance(shopper.id) == 1000 and ledger_is_the_balance(shopper)


# ---------------------------------------------------------------- frozen: not spendable elsewhere, given back


def test_what_is_frozen_on_an_order_cannot_be_spent_at_a_till(till, shopper):
    order = place(till, shopper, "280.00")
    online_pay.apply(order, shopper, stored_value="260.00", points="")
    db.session.commit()
    sale = ring_up(till, shopper, (_sku(till, "50.00"), 1))
    with pytest.raises(PaymentDeclined):
        pay(till, sale, Tender("stored_value", "50.00"))
    db.session.rollback()
    assert card(shopper).balance == Decimal("40.00")
    assert [(f.number, f.stored_value) for f in online_pay.frozen(shopper.id)] == [(order.order.number,
                                                                                    Decimal("260.00"))]


def test_the_member_page_shows_what_is_frozen_and_on_which_order(client, till, shopper):
    order = place(till, shopper, "80.00")
    online_pay.apply(order, shopper, stored_value="50.00", points="300")
    db.session.commit()
    sign_in(client)
    page = client.get("/shop/account/member", headers=ZH).get_data(as_text=True)
    number = order.order.number
    assert f"冻结中 ¥50.00 · 订单 {number}" in page and f"冻结中 300 积分 · 订单 {number}" in page
    assert 'data-testid="member-balance">¥250.00<' in page and 'data-testid="member-points">700<' in page


@pytest.mark.parametrize("by", ["customer", "store", "expiry"])
def test_cancelling_or_expiring_gives_back_exactly_what_was_frozen(till, shopper, by):
    lots_before = dict(db.session.execute(select(PointsLot.id, PointsLot.left)).all())
    order = place(till, shopper, "80.00")
    online_pay.apply(order, shopper, stored_value="60.00", points="1000")
    db.session.commit()
    assert card(shopper).balance == Decimal("240.00") and points.balance(shopper.id) == 0
    if by == "expiry":
        assert online.expire_unpaid(utcnow() + timedelta(hours=2)) == 1
    else:
        online.cancel(fresh(order), by_customer=by == "customer")
    db.session.commit()
    assert fresh(order).status == ("expired" if by == "expiry" else "cancelled")
    assert (card(shopper).principal, card(shopper).bonus) == (Decimal("250.00"), Decimal("50.00"))
    assert dict(db.session.execute(select(PointsLot.id, PointsLot.left)).all()) == lots_before
    assert online_pay.frozen(shopper.id) == [] and ledger_is_the_balance(shopper)


def test_a_cashier_opened_before_stored_value_was_applied_gives_the_extra_back(app, client, till, shopper,
                                                                               monkeypatch):
    order = place(till, shopper, "80.00")
    sign_in(client)
    answer = to_cashier(client, order)  # for ¥80, in another tab
    assert apply_form(client, order, stored_value="50.00").status_code == 303
    result = confirm_at_cashier(client, app, monkeypatch, answer)
    client.post("/shop/pay/notify/wechat", data=result)
    order = fresh(order)
    assert order.is_paid and order.paid == Decimal("80.00")
    wechat = [p for p in order.order.payments if p.method == "wechat"]
    assert sorted(p.amount for p in wechat) == [Decimal("-50.00"), Decimal("80.00")]


# ---------------------------------------------------------------- bad input: refused, nothing applied


@pytest.mark.parametrize(("stored_value", "points_", "refused"), [
    ("300.01", "", InsufficientBalance),
    ("", "1001", InsufficientPoints),
    ("80.01", "", MoreThanOwed),
    ("79.00", "200", MoreThanOwed),
    ("-5", "", NothingApplied),
    ("", "-100", NothingApplied),
    ("", "", NothingApplied),
    ("0", "0", NothingApplied),
    ("abc", "", NotANumber),
    ("", "1.5", PointsNotANumber),
    ("", "十", PointsNotANumber),
    ("", "99999999999", PointsNotANumber),
])
def test_bad_amounts_are_refused_and_nothing_is_applied(till, shopper, stored_value, points_, refused):
    order = place(till, shopper, "80.00")
    with pytest.raises(refused):
        online_pay.apply(order, shopper, stored_value=stored_value, points=points_)
    db.session.rollback()
    assert card(shopper).balance == Decimal("300.00") and points.balance(shopper.id) == 1000
    assert fresh(order).order.payments == []


def test_points_that_do_not_make_whole_fen_at_the_chains_rate_are_refused(till, shopper):
    cards.settings().points_per_yuan_spent = 300  # 3 points pay 1 fen
    order = place(till, shopper, "80.00")
    with pytest.raises(NotAWholePointsAmount):
        online_pay.apply(order, shopper, points="100")
    db.session.rollback()
    cards.settings().points_per_yuan_spent = 300
    online_pay.apply(fresh(order), shopper, points="99")
    assert points.balance(shopper.id) == 901 and fresh(order).order.due == Decimal("79.67")


def test_someone_elses_order_is_refused(client, till, shopper):
    other = customers.sign_up("13900139000", "李雷", PASSWORD)
    order = place(till, other, "80.00")
    with pytest.raises(NotYourOrder):
        online_pay.apply(order, shopper, stored_value="10.00")
    db.session.rollback()
    sign_in(client)
    assert apply_form(client, order, stored_value="10.00").status_code == 403
    assert 'id="member-pay"' not in client.get(f"/shop/orders/{order.access_token}").get_data(as_text=True)
    assert card(shopper).balance == Decimal("300.00") and fresh(order).order.payments == []


def test_a_guest_is_sent_to_sign_in(client, till, shopper):
    order = place(till, shopper, "80.00")
    answer = client.post(f"/shop/orders/{order.access_token}/member-pay", data={"stored_value": "10.00"})
    assert answer.status_code == 303 and "/shop/account/sign-in" in answer.location
    assert card(shopper).balance == Decimal("300.00")


def test_a_double_tap_on_apply_applies_once(client, till, shopper):
    order = place(till, shopper, "80.00")
    sign_in(client)
    shown = str(fresh(order).order.due)
    first = apply_form(client, order, stored_value="20.00", expected_due=shown)
    second = apply_form(client, order, stored_value="20.00", expected_due=shown)
    assert first.status_code == 303 and second.status_code == 409
    assert "现在还需支付 ¥60.00" in second.get_data(as_text=True)
    assert card(shopper).balance == Decimal("280.00") and fresh(order).order.due == Decimal("60.00")
    with pytest.raises(DueChanged):
        online_pay.apply(fresh(order), shopper, stored_value="20.00", expected_due=shown)


def test_bad_input_on_the_form_answers_in_chinese_and_never_a_500(client, till, shopper):
    order = place(till, shopper, "80.00")
    sign_in(client)
    for fields in ({"stored_value": "9" * 30}, {"stored_value": "1e400"}, {"points": "NaN"},
                   {"stored_value": "300.01"}, {"stored_value": "1.001"}, {"expected_due": "abc"}):
        answer = apply_form(client, order, **fields)
        assert 400 <= answer.status_code < 500, (fields, answer.status_code)
    assert client.post(f"/shop/orders/{order.access_token}/member-pay",
                       data={"stored_value": "1\x00"}).status_code == 400
    answer = apply_form(client, order, stored_value="300.01")
    assert "¥300.00" in answer.get_data(as_text=True) and "储值" in answer.get_data(as_text=True)
    assert card(shopper).balance == Decimal("300.00") and fresh(order).order.payments == []


def test_a_paid_or_closed_order_takes_nothing_more(till, shopper):
    from webapp.sales.online.errors import AlreadyPaid, OrderClosed

    paid = place(till, shopper, "10.00")
    online_pay.apply(paid, shopper, stored_value="10.00")
    with pytest.raises(AlreadyPaid):
        online_pay.apply(fresh(paid), shopper, stored_value="0.01")
    db.session.rollback()
    closed = place(till, shopper, "10.00")
    online.cancel(closed, by_customer=True)
    db.session.commit()
    with pytest.raises(OrderClosed):
        online_pay.apply(fresh(closed), shopper, stored_value="1.00")


# ---------------------------------------------------------------- the last ¥100, at once


@pytest.mark.parametrize("other", ["online", "till"])
def test_the_last_100_applied_online_and_spent_elsewhere_at_once_exactly_one_wins(app, till, other):
    member = customers.sign_up("13700137000", "韩梅梅", PASSWORD)
    cards.card_of(member, till.store)
    wallet.top_up(member, "100", [Tender("cash", "100")], store=till.store, user=till.cashier,
                  register=till.register, shift=till.shift, client_uuid=str(uuid.uuid4()))
    first = place(till, member, "100.00")
    second = place(till, member, "100.00") if other == "online" else None
    sale = ring_up(till, member, (_sku(till, "100.00"), 1)) if other == "till" else None
    ids = (member.id, first.id, second.id if second else None, sale.id if sale else None, till.cashier.id)
    db.session.commit()  # and nothing read here until the threads are done: SQLite has one writer
    outcomes, start = [], threading.Barrier(2)

    def online_apply(online_id):
        with app.app_context():
            start.wait(timeout=60)
            try:
                from webapp.auth.models import User

                order, who = db.session.get(OnlineOrder, online_id), db.session.get(User, ids[0])
                online_pay.apply(order, who, stored_value="100.00")
                db.session.commit()
                outcomes.append("paid")
            except (PaymentDeclined, InsufficientBalance):
                db.session.rollback()
                outcomes.append("declined")
            except Exception as failed:  # noqa: BLE001  (recorded: the assertion below shows it)
                db.session.rollback()
                outcomes.append(repr(failed))
            finally:
                db.session.remove()

    def till_spend():
        with app.app_context():
            start.wait(timeout=60)
            try:
                from webapp.auth.models import User
                from webapp.sales import services as sales

                sales.complete_sale(db.session.get(Order, ids[3]), [Tender("stored_value", "100.00")],
                                    user=db.session.get(User, ids[4]), client_uuid=str(uuid.uuid4()))
                db.session.commit()
                outcomes.append("paid")
            except PaymentDeclined:
                db.session.rollback()
                outcomes.append("declined")
            except Exception as failed:  # noqa: BLE001
                db.session.rollback()
                outcomes.append(repr(failed))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=online_apply, args=(ids[1],)),
               threading.Thread(target=online_apply, args=(ids[2],)) if other == "online"
               else threading.Thread(target=till_spend)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["declined", "paid"]
    db.session.expire_all()
    assert card(member).balance == Decimal("0.00") and ledger_is_the_balance(member)
    spent = db.session.scalar(select(func.count()).select_from(Payment).where(Payment.method == "stored_value",
                                                                            Payment.amount > 0))
    assert spent == 1


def test_a_member_with_stored_value_chooses_it_at_checkout_and_lands_on_the_order_page(client, till, shopper):
    import re

    till.store.online_pickup = True
    sku = _sku(till, "80.00")
    db.session.commit()
    sign_in(client)
    client.post("/shop/cart/add", data={"sku": sku.id, "quantity": "1"})
    client.post("/shop/cart/fulfilment", data={"fulfilment": "pickup", "store": till.store.id})
    page = client.get("/shop/checkout", headers=ZH).get_data(as_text=True)
    assert "会员储值和积分（¥300.00 · 1000 积分）" in page
    shown = re.search(r'name="expected_due" value="([^"]*)"', page).group(1)
    placed = client.post("/shop/checkout", data={"checkout_key": "k-m", "payment": "member", "phone": shopper.phone,
                                                 "expected_due": shown})
    [order] = db.session.scalars(select(OnlineOrder).where(OnlineOrder.checkout_key == "k-m")).all()
    assert placed.status_code == 303 and placed.location == f"/shop/orders/{order.access_token}"
    assert not order.is_paid and 'id="member-pay"' in client.get(placed.location).get_data(as_text=True)


def test_the_double_tap_at_once_applies_once(app, till, shopper):
    order = place(till, shopper, "80.00")
    shown = str(order.order.due)
    ids = (order.id, shopper.id)
    db.session.commit()
    outcomes, start = [], threading.Barrier(2)

    def tap():
        with app.app_context():
            start.wait(timeout=60)
            try:
                from webapp.auth.models import User

                online_pay.apply(db.session.get(OnlineOrder, ids[0]), db.session.get(User, ids[1]),
                                 stored_value="30.00", expected_due=shown)
                db.session.commit()
                outcomes.append("applied")
            except DueChanged:
                db.session.rollback()
                outcomes.append("refused")
            except Exception as failed:  # noqa: BLE001
                db.session.rollback()
                outcomes.append(repr(failed))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["applied", "refused"]
    db.session.expire_all()
    assert card(shopper).balance == Decimal("270.00") and fresh(order).order.due == Decimal("50.00")


def test_the_managers_member_page_shows_what_is_frozen(client, login, till, shopper):
    from tests.conftest import manager_of

    order = place(till, shopper, "80.00")
    online_pay.apply(order, shopper, stored_value="50.00", points="300")
    manager = manager_of(till.store)
    db.session.commit()
    login(manager)
    page = client.get(f"/members/{shopper.id}", headers=ZH).get_data(as_text=True)
    number = order.order.number
    assert f"冻结中 ¥50.00 · 订单 {number} · 冻结中 300 积分 · 订单 {number}" in page


def test_an_order_past_its_hold_time_takes_nothing(till, shopper):
    from webapp.sales.online.errors import OrderClosed

    order = place(till, shopper, "80.00")
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(OrderClosed):
        online_pay.apply(fresh(order), shopper, stored_value="10.00")
    db.session.rollback()
    assert card(shopper).balance == Decimal("300.00") and fresh(order).order.payments == []
