"""The shop's online payment step: to the provider's cashier, back to the order, and the provider's
notification. No payment code is ever typed by an online customer.

    order page ── "使用微信支付" ──▶ provider's cashier (``start_payment``) ── 确认支付 / 取消
        ▲                                   │                       │
        └──── return URL (signed fields) ◀──┘        notify URL ◀───┘ (asynchronous, signed)

Both the return and the notification are believed only once the provider has verified their
signature, and both record through ``online.payment_notified``: the same payment twice is
recorded once. The sandbox's cashier page is served here too (``/shop/sandbox-pay``), shaped
like WeChat Pay's and Alipay's; a real provider's cashier is on the provider's own site.
"""
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from webapp.errors import DomainError
from webapp.extensions import csrf, db
from webapp.sales.models import PaymentMethod
from webapp.sales.online import services as online
from webapp.sales.online.models import OnlineOrder
from webapp.sales.providers import NotificationRefused, SandboxProvider, get_provider
from webapp.sales.tenders import WALLETS
from webapp.sales.tenders import order_number_of as tenders_order_number
from webapp.shop.blueprint import bp
from webapp.shop.web import customer
from webapp.web import is_htmx, render, writes

METHODS = {m.value for m in WALLETS}


def to_cashier(order: OnlineOrder, method: str):
    """Off to the provider's cashier for what the order still owes (a plain redirect: never an htmx swap)."""
    if method not in METHODS:
        abort(400)
    address = online.start_payment(
        order, method, return_url=url_for("shop.payment_return", token=order.access_token, method=method,
                                          _external=True),
        notify_url=url_for("shop.payment_notify", method=method, _external=True))
    db.session.commit()
    if is_htmx():  # a boosted form: the whole page goes to the cashier (a real one is on another site)
        return Response(status=200, headers={"HX-Redirect": address})
    return redirect(address, 303)


@bp.get("/orders/<token>/paid/<method>")
@writes
def payment_return(token: str, method: str):
    """Back from the provider's cashier: what its signed fields say is recorded (once), then the order."""
    found = online.by_access_token(token[:40]) or abort(404)
    if method not in METHODS:
        abort(404)
    try:
        notice = get_provider(method).verify_notification(request.args)
    except NotificationRefused:
        flash(_("The payment could not be confirmed here; its confirmation will follow."), "error")
        return redirect(url_for("shop.order", token=token), 303)
    if tenders_order_number(notice.reference) != found.order.number:  # a payment of another order
        abort(404)
    payment = online.payment_notified(found, method, notice)
    db.session.commit()
    if payment is None:
        flash(_("Payment cancelled. Your order is kept: pay when you are ready."), "error")
    elif found.is_paid:
        flash(_("Paid. Thank you!"), "success")
    return redirect(url_for("shop.order", token=token), 303)


@bp.post("/pay/notify/<method>")
@csrf.exempt
def payment_notify(method: str):
    """The provider's asynchronous notification (server to server): verified, then recorded once."""
    if method not in METHODS:
        abort(404)
    provider = get_provider(method)
    body = request.get_data(cache=True)  # read first: the form is parsed from the cached body
    try:
        notice = provider.verify_notification(request.form, request.headers, body)
    except NotificationRefused as refused:
        current_app.logger.warning("payment notification refused (%s): %s", method, refused)
        return Response("fail", status=400, mimetype="text/plain")
    found = online.by_payment_reference(notice.reference)
    if found is None:
        return Response("fail", status=404, mimetype="text/plain")
    online.payment_notified(found, method, notice)
    db.session.commit()
    body, mimetype = provider.acknowledge()
    return Response(body, mimetype=mimetype)


# ---------------------------------------------------------------- the sandbox's cashier (the provider's side)


def _sandbox(method: str) -> SandboxProvider:
    provider = get_provider(method) if method in METHODS else None
    if not isinstance(provider, SandboxProvider):
        abort(404)  # a real provider's cashier is on its own site
    return provider


def _checkout(fields) -> tuple[SandboxProvider, dict]:
    provider = _sandbox(str(fields.get("method", ""))[:20])
    try:
        return provider, provider.open_checkout(fields)
    except NotificationRefused:
        abort(400)


@bp.get("/sandbox-pay")
def sandbox_cashier():
    provider, checkout = _checkout(request.args)
    return render("shop/sandbox_cashier.html", checkout=checkout, amount=Decimal(checkout["total_amount"]),
                  wechat=provider.method == PaymentMethod.WECHAT, fields=request.args,
                  payer=_sandbox_payer(provider, checkout))


@bp.post("/sandbox-pay")
def sandbox_confirm():
    """确认支付 or 取消: the provider tells the shop (the notification, unless ``SANDBOX_NOTIFY`` is off)
    and sends the customer back to the return URL with the same signed result."""
    provider, checkout = _checkout(request.form)
    result = provider.confirm(checkout, paid=request.form.get("action") == "pay",
                              payer=_sandbox_payer(provider, checkout, request.form.get("payer", "")))
    if current_app.config.get("SANDBOX_NOTIFY", True):
        _deliver(checkout["notify_url"], result)
    back = checkout["return_url"]
    return redirect(f"{back}{'&' if '?' in back else '?'}{urlencode(result)}", 303)


def _sandbox_payer(provider: SandboxProvider, checkout: dict, typed: str = "") -> str:
    """The wallet account that pays at the sandbox's cashier: the one typed there (to play someone else's
    wallet), else the signed-in customer's own, else one for this payment alone (a guest)."""
    typed = "".join(c for c in (typed or "")[:64] if c.isascii() and (c.isalnum() or c in "-_"))
    if typed:
        return typed
    me = customer()
    return provider.account_of(f"customer:{me.id}" if me else f"guest:{checkout['out_trade_no']}")


def _deliver(notify_url: str, fields: dict) -> None:
    """The sandbox's notification, sent as the provider would (a POST of signed fields to the notify
    URL), through this app's own stack (its own request, in this request's app context and session)."""
    try:
        answer = current_app.test_client().post(urlsplit(notify_url).path, data=fields)
    except DomainError as refused:  # the shop refused it: a real provider would retry later
        current_app.logger.warning("sandbox notification refused: %s", refused)
        return
    if answer.status_code != 200:
        current_app.logger.warning("sandbox notification answered %s", answer.status_code)
