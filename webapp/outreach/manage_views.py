"""The managers' member-growth pages under /manage/growth (phone first): the overview with the
segments' counts and "recompute now", a member's tags, the segment editor with its live count, messages
to a segment (dry run, then send), the settings (HQ) and the reports.

HQ works on the whole chain; a store manager or franchisee on members who bought at their stores (a
segment they save is bound to one of their stores)."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from webapp.auth import customers
from webapp.auth.guards import require_role
from webapp.auth.models import Role
from webapp.clock import utcnow
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.manage.scope import readable_stores
from webapp.outreach import messages, queries, referrals, segments, tags
from webapp.outreach import settings as chain
from webapp.outreach.blueprint import bp
from webapp.outreach.models import Campaign, MemberFigures, Segment
from webapp.promotions.models import Promotion, Status
from webapp.sales.models import Order
from webapp.web import form_id, render

MANAGERS = (Role.STORE_MANAGER, Role.FRANCHISEE)  # and HQ
CHOICES = ("all", "any", "none")


@bp.get("/manage/growth")
@require_role(*MANAGERS)
def overview():
    counts = dict(db.session.execute(select(MemberFigures.segment, func.count()).group_by(MemberFigures.segment)).all())
    computed = db.session.scalar(select(func.max(MemberFigures.computed_at)))
    return render("outreach/overview.html", counts=counts, computed=computed, segments_named=tags.SEGMENTS)


@bp.post("/manage/growth/recompute")
@require_role(*MANAGERS)
def recompute():
    found = tags.recompute()
    db.session.commit()
    flash(_("Tags recomputed for %(count)s members.", count=found["members"]), "success")
    return redirect(url_for("outreach.overview"), 303)


@bp.get("/manage/growth/find")
@require_role(*MANAGERS)
def find_member():
    member = customers.customer_by_phone(request.args.get("phone", ""))
    if member is None or not _may_read(member.id):
        return render("outreach/member.html", member=None, phone=request.args.get("phone", "")[:20], status=404)
    return redirect(url_for("outreach.member", customer_id=member.id), 303)


@bp.get("/manage/growth/<int:customer_id>")
@require_role(*MANAGERS)
def member(customer_id: int):
    found = _member_or_404(customer_id)
    own = tags.tags_of(found.id)
    return render("outreach/member.html", member=found, tags=own, labels=tags.labels(own), phone=found.phone,
                  figures=db.session.get(MemberFigures, found.id), profile=tags.profile(found.id),
                  invites=referrals.invites_of(found))


@bp.post("/manage/growth/<int:customer_id>/tags")
@require_role(*MANAGERS)
def add_tag(customer_id: int):
    found = _member_or_404(customer_id)
    tags.add_manual(found.id, request.form.get("tag", ""))
    db.session.commit()
    return redirect(url_for("outreach.member", customer_id=found.id), 303)


@bp.post("/manage/growth/<int:customer_id>/tags/remove")
@require_role(*MANAGERS)
def remove_tag(customer_id: int):
    found = _member_or_404(customer_id)
    tags.remove_manual(found.id, request.form.get("tag", "")[:60])
    db.session.commit()
    return redirect(url_for("outreach.member", customer_id=found.id), 303)


def _member_or_404(customer_id: int):
    found = db.session.get(customers.User, customer_id)
    if found is None or found.role != Role.CUSTOMER:
        abort(404)
    if not _may_read(found.id):
        abort(403)
    return found


def _may_read(customer_id: int) -> bool:
    """HQ reads every member; a store's manager those who bought at their stores."""
    if current_user.is_hq:
        return True
    ids = [s.id for s in readable_stores()]
    return bool(ids) and db.session.scalar(select(Order.id).where(Order.customer_id == customer_id,
                                                                  Order.store_id.in_(ids)).limit(1)) is not None


# ------------------------------------------------------------------ segments

def _rule_from_form() -> segments.Rule:
    rule = segments.Rule()
    for key, choice in request.values.items():
        if key.startswith("tag:") and choice in CHOICES and len(key) <= 64:
            getattr(rule, f"{choice}_tags").append(key[4:].replace("\x00", ""))
    rule.store_id = _store_from_form()
    return rule


def _store_from_form() -> int | None:
    store_id = form_id("store") or request.args.get("store", type=int)
    stores = {s.id for s in readable_stores()}
    if store_id is None:
        if current_user.is_hq:
            return None
        if len(stores) == 1:
            return next(iter(stores))
        abort(422)
    if store_id not in stores:
        abort(403)
    return store_id


def _visible_segments():
    query = select(Segment).order_by(Segment.id.desc())
    if not current_user.is_hq:
        query = query.where(Segment.store_id.in_([s.id for s in readable_stores()]))
    return list(db.session.scalars(query))


@bp.route("/manage/growth/segments", methods=["GET", "POST"])
@require_role(*MANAGERS)
def segment_list():
    choices = tags.tag_counts()
    labels = tags.labels(t for t, _n in choices)
    if request.method == "POST":
        rule = _rule_from_form()
        try:
            saved = segments.save(request.form.get("name", ""), rule, user=current_user)
        except DomainError as refusal:
            db.session.rollback()
            return render("outreach/segments.html", segments=_visible_segments(), choices=choices, labels=labels,
                          stores=readable_stores(), error=str(refusal), chosen=request.form, status=422)
        db.session.commit()
        return redirect(url_for("outreach.segment", segment_id=saved.id), 303)
    return render("outreach/segments.html", segments=_visible_segments(), choices=choices, labels=labels,
                  stores=readable_stores(), error=None, chosen={})


@bp.get("/manage/growth/segments/count")
@require_role(*MANAGERS)
def segment_count():
    """The editor's live count of the members the ticked tags select."""
    rule = _rule_from_form()
    return render("outreach/_count.html", count=segments.count(rule), empty=rule.is_empty)


def _own_segment(segment_id: int) -> Segment:
    found = db.session.get(Segment, segment_id) or abort(404)
    if not current_user.is_hq and found.store_id not in {s.id for s in readable_stores()}:
        abort(403)
    return found


def _coupon_promotions():
    return list(db.session.scalars(select(Promotion).where(Promotion.status == Status.ACTIVE.value,
                                                           Promotion.needs_coupon.is_(True)).order_by(Promotion.name)))


@bp.get("/manage/growth/segments/<int:segment_id>")
@require_role(*MANAGERS)
def segment(segment_id: int):
    found = _own_segment(segment_id)
    rule = segments.Rule.of(found)
    return render("outreach/segment.html", segment=found, counts=messages.dry_run(rule),
                  labels=tags.labels(rule.all_tags + rule.any_tags + rule.none_tags),
                  promotions=_coupon_promotions(), campaigns=list(db.session.scalars(
                      select(Campaign).where(Campaign.segment_id == found.id).order_by(Campaign.id.desc()))),
                  form={}, error=None, checked=None)


def _message_input():
    promotion_id = form_id("promotion")
    promotion = db.session.get(Promotion, promotion_id) if promotion_id else None
    if promotion_id and promotion is None:
        abort(404)
    return request.form.get("body", ""), promotion


@bp.post("/manage/growth/segments/<int:segment_id>/dry-run")
@require_role(*MANAGERS)
def dry_run(segment_id: int):
    found = _own_segment(segment_id)
    body, promotion = _message_input()
    try:
        body = messages.checked_body(body, promotion)
    except DomainError as refusal:
        return render("outreach/_dry_run.html", error=str(refusal), counts=None, sample=None, status=422)
    counts = messages.dry_run(segments.Rule.of(found))
    sample = messages.fill(body, current_user, "ABCD2345EF" if promotion else None)
    return render("outreach/_dry_run.html", error=None, counts=counts, sample=sample)


@bp.post("/manage/growth/segments/<int:segment_id>/send")
@require_role(*MANAGERS)
def send(segment_id: int):
    found = _own_segment(segment_id)
    body, promotion = _message_input()
    try:
        campaign = messages.send_to_segment(found, body, promotion, user=current_user)
    except DomainError as refusal:
        db.session.rollback()
        rule = segments.Rule.of(found)
        return render("outreach/segment.html", segment=found, counts=messages.dry_run(rule),
                      labels=tags.labels(rule.all_tags + rule.any_tags + rule.none_tags),
                      promotions=_coupon_promotions(), campaigns=[], form=request.form, error=str(refusal),
                      checked=None, status=refusal.status)
    db.session.commit()
    flash(_("Queued %(count)s messages; %(opted)s opted out, %(capped)s held back by the frequency cap.",
            count=campaign.queued, opted=campaign.skipped_opted_out, capped=campaign.skipped_capped), "success")
    return redirect(url_for("outreach.segment", segment_id=found.id), 303)


# ------------------------------------------------------------------ settings and reports

@bp.route("/manage/growth/settings", methods=["GET", "POST"])
@require_role(Role.HQ_ADMIN)
def settings_page():
    row = chain.current()
    if request.method == "POST":
        try:
            chain.change(request.form)
        except DomainError as refusal:
            db.session.rollback()
            return render("outreach/settings.html", row=chain.current(), error=str(refusal), status=422)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("outreach.settings_page"), 303)
    db.session.commit()
    return render("outreach/settings.html", row=row, error=None)


@bp.get("/manage/growth/reports")
@require_role(*MANAGERS)
def reports():
    ids = None if current_user.is_hq else [s.id for s in readable_stores()]
    now = utcnow()
    return render("outreach/reports.html", members=queries.members(ids, now), repeat=queries.repeat_rate(ids, now),
                  referral=queries.referral_results(ids), sleeping_days=queries.SLEEPING_DAYS)

