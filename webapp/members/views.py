"""Members for managers: what the chain owes its members (stored value, points), top-ups against spend,
a member's ledgers and the audited adjustment of a balance; HQ sets the recharge rules."""
from datetime import timedelta

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.auth.guards import require_role
from webapp.auth.models import MANAGERS, Role, User
from webapp.clock import utcnow
from webapp.errors import DomainError, check_length
from webapp.extensions import db
from webapp.members import cards, online_pay, points, queries, wallet
from webapp.members.blueprint import bp
from webapp.members.models import PointsKind, ValueKind
from webapp.web import render

PERIODS = (7, 30, 90, 365)
VALUE_KINDS = {ValueKind.TOP_UP: _l("Top-up"), ValueKind.SPEND: _l("Spent"), ValueKind.REFUND: _l("Given back by a refund"),
               ValueKind.TOP_UP_REFUND: _l("Top-up refunded"), ValueKind.ADJUST: _l("Adjusted by a manager")}
POINTS_KINDS = {PointsKind.EARN: _l("Earned"), PointsKind.SPEND: _l("Spent"), PointsKind.GIVE_BACK: _l("Given back"),
                PointsKind.TAKE_BACK: _l("Taken back by a refund"), PointsKind.EXPIRE: _l("Expired")}


@bp.get("/")
@require_role(*MANAGERS)
def index():
    """The liability now, top-ups against spend over the period, and finding a member by phone."""
    days = {str(d): d for d in PERIODS}.get(request.args.get("days", ""), 30)
    found, error = None, None
    phone = request.args.get("phone", "").strip()[:20]
    if phone:
        try:
            found = cards.member_by_phone(phone)
        except DomainError as e:
            error = str(e)
    if found is not None:
        return redirect(url_for("members.member", customer_id=found.id), 303)
    return render("members/index.html", figures=queries.liability(utcnow() - timedelta(days=days)), days=days,
                  periods=PERIODS, phone=phone, error=error, rules=wallet.rules(), chain=cards.settings())


@bp.get("/<int:customer_id>")
@require_role(*MANAGERS)
def member(customer_id: int):
    customer = _customer(customer_id)
    return render("members/member.html", member=queries.summary(customer), values=wallet.ledger(customer.id),
                  points_ledger=points.ledger(customer.id), value_kinds=VALUE_KINDS, points_kinds=POINTS_KINDS,
                  frozen=online_pay.frozen(customer.id))


@bp.post("/<int:customer_id>/adjust")
@require_role(*MANAGERS)
def adjust(customer_id: int):
    """A manager's correction of a balance, with the reason (kept with who made it)."""
    customer = _customer(customer_id)
    wallet.adjust(customer, check_length(request.form.get("principal", "").strip(), 12, _("Principal")) or "0",
                  check_length(request.form.get("bonus", "").strip(), 12, _("Bonus")) or "0",
                  reason=check_length(request.form.get("reason", ""), 200, _("Reason")), user=current_user)
    db.session.commit()
    return redirect(url_for("members.member", customer_id=customer.id), 303)


@bp.post("/rules")
@require_role(Role.HQ_ADMIN)
def add_rule():
    wallet.save_rule(check_length(request.form.get("threshold", "").strip(), 12, _("Top-up")) or "0",
                     check_length(request.form.get("bonus", "").strip(), 12, _("Bonus")) or "0")
    db.session.commit()
    return redirect(url_for("members.index"), 303)


@bp.post("/rules/<int:rule_id>/retire")
@require_role(Role.HQ_ADMIN)
def retire_rule(rule_id: int):
    from webapp.members.models import RechargeRule

    wallet.retire_rule(db.get_or_404(RechargeRule, rule_id))
    db.session.commit()
    return redirect(url_for("members.index"), 303)


def _customer(customer_id: int) -> User:
    found = db.session.get(User, customer_id)
    if found is None or found.role != Role.CUSTOMER:
        abort(404)
    return found
