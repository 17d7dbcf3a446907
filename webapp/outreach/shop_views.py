"""The customer's side: their invitation (link, QR, invites and coupons), the invitation landing page,
message settings (birthday, opt-out) and the unsubscribe link every marketing message carries."""
from datetime import date

import segno
from flask import abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.auth.models import Role
from webapp.clock import business_day, utcnow
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.outreach import messages, referrals, tags
from webapp.outreach.blueprint import bp
from webapp.outreach.errors import BirthdayInvalid
from webapp.outreach.models import ReferralState
from webapp.web import render

SESSION_KEY = "referral_code"
STATE_LABELS = {  # what the referrer reads about each invite
    ReferralState.SIGNED_UP.value: _l("Signed up: waiting for their first order"),
    ReferralState.REWARDED.value: _l("Rewarded: you both have a coupon"),
    ReferralState.RETURNED.value: _l("First order returned: no reward"),
    ReferralState.REFUSED.value: _l("Not rewarded: ordered with your number"),
}
REFUSAL_LABELS = {  # a refused invite, by what was found
    referrals.SAME_PHONE: _l("Not rewarded: ordered with your number"),
    referrals.SAME_PAYER: _l("Not rewarded: paid with a WeChat Pay or Alipay account that also pays for you"),
}


def invite_label(referral) -> str:
    """What the referrer reads about one invite (a refusal says what was found)."""
    if referral.state == ReferralState.REFUSED.value and referral.reason in REFUSAL_LABELS:
        return str(REFUSAL_LABELS[referral.reason])
    return str(STATE_LABELS.get(referral.state, referral.state))
COUPON_LABELS = {"usable": _l("Ready to use"), "held": _l("On an order"), "redeemed": _l("Used")}


def _member():
    if not current_user.is_authenticated or current_user.role != Role.CUSTOMER:
        return None
    return current_user._get_current_object()


def _sign_in_first():
    return redirect(url_for("shop.sign_in", next=request.path), 303)


@bp.app_template_global()
def referral_block(member) -> dict:
    """What ``outreach/_referral.html`` shows for a member: their link, its QR, their invites."""
    code = referrals.code_of(member)
    link = url_for("outreach.invited", code=code, _external=True)
    return {"code": code, "link": link, "qr": segno.make(link, error="m").svg_inline(scale=4, dark="#222"),
            "invites": referrals.invites_of(member), "labels": STATE_LABELS, "label": invite_label,
            "masked": referrals.masked}


@bp.get("/shop/invite")
def invite():
    member = _member()
    if member is None:
        return _sign_in_first()
    block = referral_block(member)
    return render("outreach/invite.html", member=member, block=block, coupons=referrals.coupons_of(member),
                  coupon_labels=COUPON_LABELS)


@bp.get("/shop/invite/<code>")
def invited(code: str):
    """A friend opens a member's link: remembered for their sign-up."""
    referrer = referrals.referrer_of_code(code)
    try:
        referrals.check_invitee(referrer, _member())
    except DomainError as refusal:
        return render("outreach/invited.html", referrer=referrer, refusal=str(refusal), status=refusal.status)
    session[SESSION_KEY] = referrals.code_of(referrer)  # the canonical form of the code
    return render("outreach/invited.html", referrer=referrer, refusal=None,
                  reward=messages.chain.current().referral_reward)


def record_sign_up(user) -> str | None:
    """Called by the shop's sign-up: the referral the browser carries is recorded; a refusal is returned
    as text (the account is made all the same)."""
    code = session.pop(SESSION_KEY, None)
    if not code:
        return None
    try:
        with db.session.begin_nested():
            referrals.record(user, code)
    except DomainError as refusal:
        return str(refusal)
    return None


@bp.route("/shop/message-settings", methods=["GET", "POST"])
def message_settings():
    member = _member()
    if member is None:
        return _sign_in_first()
    profile = tags.profile(member.id)
    if request.method == "GET":
        return render("outreach/message_settings.html", profile=profile, error=None)
    profile = tags.profile(member.id, make=True)
    try:
        profile.birthday = _birthday(request.form.get("birthday", ""))
    except BirthdayInvalid as refusal:
        db.session.rollback()
        return render("outreach/message_settings.html", profile=tags.profile(member.id), error=str(refusal),
                      status=422)
    wants = request.form.get("messages") == "yes"
    if profile.opted_out == wants:
        profile.opted_out, profile.opted_out_at = (not wants), (None if wants else utcnow())
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("outreach.message_settings"), 303)


def _birthday(raw: str) -> date | None:
    raw = (raw or "").strip()[:20]
    if not raw:
        return None
    try:
        born = date.fromisoformat(raw)
    except ValueError:
        raise BirthdayInvalid(value=raw.replace("\x00", "")) from None
    if not date(1900, 1, 1) <= born <= business_day():
        raise BirthdayInvalid(value=raw)
    return born


@bp.route("/shop/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    customer_id = messages.customer_of_token(token)
    if customer_id is None:
        abort(404)
    if request.method == "GET":
        return render("outreach/unsubscribe.html", token=token, done=False)
    profile = tags.profile(customer_id, make=True)
    if not profile.opted_out:
        profile.opted_out, profile.opted_out_at = True, utcnow()
    db.session.commit()
    return render("outreach/unsubscribe.html", token=token, done=True)
