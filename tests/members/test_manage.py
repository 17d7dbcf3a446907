"""Managers: the liability report (top-ups never counted as sales), a member's ledgers, the audited
adjustment; HQ sets recharge rules."""
import uuid
from decimal import Decimal

from tests.members.conftest import pay, ring_up
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.members import queries, wallet
from webapp.members.models import MemberCard, RechargeRule, StoredValueEntry
from webapp.sales.services import Tender


def test_the_liability_report_counts_stored_value_and_points_not_sales(till, member, stocked, make_user, login):
    wallet.save_rule("500", "50")
    wallet.top_up(member, "500", [Tender("cash", "500")], store=till.store, user=till.cashier,
                  register=till.register, shift=till.shift, client_uuid=str(uuid.uuid4()))
    pay(till, ring_up(till, member, (stocked(till.store, price="120.00"), 1)), Tender("stored_value", "120.00"))
    figures = queries.liability(since=db.session.get(MemberCard, member.id).enrolled_at)
    assert (figures.principal, figures.bonus, figures.stored_value) == (
        Decimal("380.00"), Decimal("50.00"), Decimal("430.00"))
    assert (figures.topped_up, figures.bonus_given, figures.spent) == (
        Decimal("550.00"), Decimal("50.00"), Decimal("120.00"))
    assert figures.points == 120 and figures.points_value == Decimal("1.20")
    client = login(make_user(stores=[till.store]))
    page = client.get("/members/").get_data(as_text=True)
    assert "¥430.00" in page and "充 ¥500.00 送 ¥50.00" in page


def test_a_manager_adjusts_a_balance_and_the_reason_is_kept(till, member, make_user, login):
    manager = make_user(stores=[till.store])
    client = login(manager)
    assert client.get("/members/?phone=13800138000").status_code == 303
    answer = client.post(f"/members/{member.id}/adjust", data={"principal": "20", "bonus": "", "reason": "补录"})
    assert answer.status_code == 303
    entry = db.session.query(StoredValueEntry).one()
    assert (entry.principal, entry.user_id, entry.reason) == (Decimal("20.00"), manager.id, "补录")
    assert "补录" in client.get(f"/members/{member.id}").get_data(as_text=True)
    refused = client.post(f"/members/{member.id}/adjust", data={"principal": "-50", "reason": "x"},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert client.get("/members/999999").status_code == 404
    assert client.post("/members/rules", data={"threshold": "100", "bonus": "10"}).status_code == 403


def test_hq_sets_recharge_rules_and_bad_ones_are_refused(make_user, login):
    client = login(make_user(role=Role.HQ_ADMIN))
    assert client.post("/members/rules", data={"threshold": "1000", "bonus": "120"}).status_code == 303
    assert client.post("/members/rules", data={"threshold": "-1", "bonus": "1"},
                       headers={"HX-Request": "true"}).status_code == 422
    assert client.post("/members/rules", data={"threshold": "abc", "bonus": "1"},
                       headers={"HX-Request": "true"}).status_code == 422
    assert [r.threshold for r in db.session.query(RechargeRule)] == [Decimal("1000.00")]
