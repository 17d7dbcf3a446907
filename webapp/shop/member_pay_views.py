"""Stored value and points on the order page: a signed-in member applies them to what their online order
owes (``members.online_pay``); the rest, if any, is paid at the wallet's cashier as before."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from webapp.errors import check_length
from webapp.extensions import db
from webapp.i18n import format_money
from webapp.members import online_pay
from webapp.sales.online import services as online
from webapp.shop.blueprint import bp
from webapp.shop.web import member


@bp.post("/orders/<token>/member-pay")
def member_pay(token: str):
    """"使用储值/积分": applied at once, through the payment path; refusals come back as a toast or a flash."""
    found = online.by_access_token(token[:40]) or abort(404)
    me = member()
    if me is None:
        flash(_("Sign in as a member to pay with stored value or points."), "error")
        return redirect(url_for("shop.sign_in", next=url_for("shop.order", token=found.access_token)), 303)
    if me.id != found.customer_id:
        abort(403)
    form = request.form
    online_pay.apply(found, me, stored_value=check_length(form.get("stored_value", ""), 20, _("Stored value")),
                     points=check_length(form.get("points", ""), 20, _("Points")),
                     expected_due=check_length(form.get("expected_due", ""), 20, _("To pay")))
    db.session.commit()
    if found.is_paid:
        flash(_("Paid with your membership. Thank you!"), "success")
    else:
        flash(_("Applied. %(amount)s is left to pay: choose WeChat Pay or Alipay below.",
                amount=format_money(found.order.due)), "success")
    return redirect(url_for("shop.order", token=found.access_token), 303)
