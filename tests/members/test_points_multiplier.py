"""积分 ×N per promotion: the lines a promotion applies to earn its multiple, multiplied with the tier's; the
refund takes back exactly what each returned line earned; the editor checks the multiplier; and two tills
spending the member's last points at once: exactly one wins."""
import threading
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.members.conftest import pay, ring_up, take_back
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.members import cards, points
from webapp.members.models import MemberCard, PointsEntry, PointsLot, Tier
from webapp.members.receipts import receipt_lines
from webapp.promotions import editing, engine
from webapp.promotions.errors import PointsMultiplierInvalid
from webapp.promotions.models import Promotion
from webapp.sales.errors import PaymentDeclined
from webapp.sales.models import Order
from webapp.sales.services import Tender


def promotion(**fields):
    made = editing.save(None, editing.PromotionInput(name=fields.pop("name", "坚果双倍积分"), **fields), user=None)
    editing.start(made)
    return made


def held(member) -> int:
    return points.balance(member.id)


def assert_points_ledger_is_the_lots(member):
    """Every change of every lot is a ledger row: a lot's points and the rows that changed it since it was
    earned (its earning row is its points, when it was earned by a sale) sum to what it has left."""
    for lot in db.session.scalars(select(PointsLot).where(PointsLot.customer_id == member.id)):
        db.session.refresh(lot)
        changes = db.session.scalar(select(func.coalesce(func.sum(PointsEntry.points), 0))
                                    .where(PointsEntry.lot_id == lot.id, PointsEntry.kind != "earn"))
        earned = db.session.scalar(select(PointsEntry.points).where(PointsEntry.lot_id == lot.id,
                                                                    PointsEntry.kind == "earn"))
        assert earned in (None, lot.points) and lot.points + changes == lot.left, lot.id


def test_a_double_points_promotion_doubles_its_lines_times_the_tier_and_a_refund_takes_back_exactly(
        till, member, stocked):
    nuts, water = stocked(till.store, price="100.00"), stocked(till.store, price="10.00")
    promotion(kind="percent", percent="10", sku_ids=[nuts.id], points_multiplier="2")
    card = db.session.get(MemberCard, member.id)
    card.tier, card.growth = Tier.GOLD.value, 6000  # ×1.5
    sale = pay(till, ring_up(till, member, (nuts, 1), (water, 1)))  # 90.00 (×2) + 10.00 (×1)
    assert [line.points_multiplier for line in sale.lines] == [Decimal("2.00"), Decimal("1.00")]
    assert held(member) == (90 * 2 + 10) * 3 // 2 == 285  # multiplied: promotion × tier
    assert points.earned_by(sale) == 285
    earned = next(line for line in receipt_lines(sale) if "285" in line)
    assert "×1.5" in earned and "×2" in earned
    take_back(till, sale.lines[0], 1)  # the nuts earned 90 × 2 × 1.5 = 270 of the 285
    assert held(member) == 15
    take_back(till, sale.lines[1], 1)
    assert held(member) == 0
    assert_points_ledger_is_the_lots(member)


def test_a_half_returned_doubled_line_takes_back_half_of_its_points_rounded_half_up(till, member, stocked):
    nuts, water = stocked(till.store, price="3.33"), stocked(till.store, price="5.00")
    promotion(kind="percent", percent="10", sku_ids=[nuts.id], points_multiplier="1.5")
    sale = pay(till, ring_up(till, member, (nuts, 2), (water, 1)))  # 5.99 (3.33 × 2 − 10 %) ×1.5 + 5.00
    earned = int((Decimal("5.99") * Decimal("1.5") + 5).to_integral_value(rounding="ROUND_DOWN"))
    assert held(member) == earned == 13
    take_back(till, sale.lines[0], 1)  # half the nuts: 2.99 or 3.00 of 5.99 refunded, its share of 13 points
    refunded = Order.query.filter_by(original_order_id=sale.id).one().total
    weight = Decimal("5.99") * Decimal("1.5") + Decimal("5.00")
    assert held(member) == earned - int((earned * refunded * Decimal("1.5") / weight).to_integral_value())
    take_back(till, sale.lines[0], 1)
    take_back(till, sale.lines[1], 1)
    assert held(member) == 0  # all its refunds together take back exactly what it earned
    assert_points_ledger_is_the_lots(member)


def test_the_engine_says_which_lines_have_which_multiplier():
    doubled = engine.Rule(id=1, name="双倍", kind="percent", skus=frozenset({1}), percent=Decimal("10"),
                          points_multiplier=Decimal("2"))
    tripled_but_beaten = engine.Rule(id=2, name="三倍", kind="percent", skus=frozenset({1}), percent=Decimal("5"),
                                     points_multiplier=Decimal("3"))
    items = [engine.Item(1, 1, None, Decimal("1"), Decimal("10.00")),
             engine.Item(2, 2, None, Decimal("1"), Decimal("10.00"))]
    context = engine.Context(store_id=1, channel="pos", at=None)
    result = engine.price(items, [doubled, tripled_but_beaten], context)
    assert result.points_multipliers() == [Decimal("2"), Decimal("1")]  # only the rule that applied counts


@pytest.mark.parametrize("typed", ["0.5", "11", "1.25", "abc", "-2", "0"])
def test_a_points_multiplier_outside_1_to_10_or_with_two_decimals_is_refused(typed):
    with pytest.raises(PointsMultiplierInvalid):
        editing.points_multiplier(typed)


def test_the_editor_saves_a_points_multiplier_and_refuses_a_bad_one_in_chinese(make_user, login):
    client = login(make_user(role=Role.HQ_ADMIN))
    refused = client.post("/manage/promotions/new/percent", data={
        "name": "双倍积分", "percent": "5", "everything": "1", "points_multiplier": "12"},
        headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 422
    assert "积分倍数" in refused.get_data(as_text=True) and "12" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Promotion.id))) == 0
    saved = client.post("/manage/promotions/new/percent", data={
        "name": "双倍积分", "percent": "5", "everything": "1", "points_multiplier": "2"})
    assert saved.status_code == 303
    made = db.session.scalar(select(Promotion))
    assert made.points_multiplier == Decimal("2.00")
    assert "积分 ×2" in client.get(saved.headers["Location"]).get_data(as_text=True)
    form = client.get(f"/manage/promotions/{made.id}/edit").get_data(as_text=True)
    assert 'name="points_multiplier"' in form and 'value="2"' in form


def test_two_tills_spending_the_last_points_at_once_exactly_one_wins(app, make_till, stocked, make_store):
    from datetime import timedelta

    from webapp.clock import utcnow

    store = make_store()
    tills = [make_till(store=store), make_till(store=store)]
    customer, _ = cards.enrol("13900139001", store=store)
    cards.settings()
    db.session.add(PointsLot(customer_id=customer.id, points=500, left=500, expires_at=utcnow() + timedelta(days=9)))
    sku = stocked(store, price="5.00")
    orders = [ring_up(t, customer, (sku, 1)) for t in tills]
    ids = [(t.cashier.id, o.id) for t, o in zip(tills, orders, strict=True)]
    db.session.commit()  # and nothing read here until the threads are done: SQLite has one writer
    outcomes, start = [], threading.Barrier(2)

    def spend(cashier_id, order_id):
        from webapp.auth.models import User
        from webapp.sales import services as sales

        with app.app_context():
            start.wait(timeout=60)
            try:
                order, cashier = db.session.get(Order, order_id), db.session.get(User, cashier_id)
                sales.complete_sale(order, [Tender("points", "5.00")], user=cashier, client_uuid=str(uuid.uuid4()))
                db.session.commit()
                outcomes.append("paid")
            except PaymentDeclined:
                db.session.rollback()
                outcomes.append("declined")
            except Exception as failed:  # noqa: BLE001  (recorded: the assertion below shows it)
                db.session.rollback()
                outcomes.append(repr(failed))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=spend, args=pair) for pair in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["declined", "paid"]
    db.session.expire_all()
    assert held(customer) == 0
    assert_points_ledger_is_the_lots(customer)
