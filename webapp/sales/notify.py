"""Messages to customers about their online orders: an outbox, and pluggable senders.

``notify`` writes an ``OrderNotification`` row in the caller's transaction, in
the customer's language, so a message exists exactly when the change it tells
of was committed. ``send_pending`` hands unsent rows to the sender that
``NOTIFICATION_SENDER`` in the app config names (default ``"log"``: writes
each message to the application log, for development). A real SMS or
WeChat adapter is a class with ``send(phone, body)`` registered with
``register_sender``; an exception from it leaves the row for the next run.
"""
import logging
from collections.abc import Callable
from typing import Protocol

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.sales.online.models import NotificationKind, OnlineOrder, OrderNotification

log = logging.getLogger(__name__)

MESSAGES = {
    (NotificationKind.ACCEPTED, "pickup"): _l(
        "Huotong: order %(number)s is accepted at %(store)s. Your pickup code is %(code)s."),
    (NotificationKind.ACCEPTED, "delivery"): _l(
        "Huotong: order %(number)s is accepted; %(store)s will deliver it to %(address)s."),
    (NotificationKind.READY, "pickup"): _l(
        "Huotong: order %(number)s is ready for pickup at %(store)s. Show code %(code)s at the counter."),
    (NotificationKind.OUT_FOR_DELIVERY, "delivery"): _l(
        "Huotong: order %(number)s is out for delivery to %(address)s."),
    (NotificationKind.DELIVERED, "delivery"): _l("Huotong: order %(number)s is delivered. Thank you!"),
    (NotificationKind.CANCELLED, "pickup"): _l("Huotong: order %(number)s is cancelled."),
    (NotificationKind.CANCELLED, "delivery"): _l("Huotong: order %(number)s is cancelled."),
    (NotificationKind.EXPIRED, "pickup"): _l("Huotong: order %(number)s was not paid in time and is cancelled."),
    (NotificationKind.EXPIRED, "delivery"): _l("Huotong: order %(number)s was not paid in time and is cancelled."),
    (NotificationKind.ITEM_UNAVAILABLE, "pickup"): _l(
        "Huotong: sorry, %(store)s could not find %(item)s for order %(number)s; %(amount)s is taken off your order."),
    (NotificationKind.ITEM_UNAVAILABLE, "delivery"): _l(
        "Huotong: sorry, %(store)s could not find %(item)s for order %(number)s; %(amount)s is taken off your order."),
}


class Sender(Protocol):
    def send(self, phone: str, body: str) -> None:
        """Deliver one message; raise to have it tried again later."""


class LogSender:
    """Development: the message goes to the log (and stays visible on the order page)."""

    def send(self, phone: str, body: str) -> None:
        log.info("notification to %s: %s", phone, body)


_SENDERS: dict[str, Callable[[], Sender]] = {"log": LogSender}


def register_sender(name: str, factory: Callable[[], Sender]) -> None:
    _SENDERS[name] = factory


def get_sender() -> Sender:
    name = current_app.config.get("NOTIFICATION_SENDER", "log")
    try:
        return _SENDERS[name]()
    except KeyError:
        raise LookupError(f"no notification sender called {name!r}; known: {', '.join(_SENDERS)}") from None


def notify(online: OnlineOrder, kind: NotificationKind, **more) -> OrderNotification:
    """Queue the message for this change of the order, in the customer's language (``more``: its own facts)."""
    locale = (online.customer.locale if online.customer else None) or current_app.config.get(
        "BABEL_DEFAULT_LOCALE", "zh_Hans_CN")
    facts = {"number": online.order.number, "store": online.order.store.name,
             "code": online.pickup_code, "address": online.address, **more}
    with force_locale(locale):
        body = str(MESSAGES[kind, online.fulfilment]) % facts
    message = OrderNotification(online_order=online, kind=kind.value, phone=online.phone, body=body)
    db.session.add(message)
    return message


def send_pending(limit: int = 200) -> int:
    """Send what the outbox holds; returns how many went. Failures stay for the next run."""
    sender = get_sender()
    sent = 0
    rows = db.session.scalars(select(OrderNotification).where(OrderNotification.sent_at.is_(None))
                              .order_by(OrderNotification.id).limit(limit))
    for message in rows:
        message.attempts += 1
        try:
            sender.send(message.phone, message.body)
        except Exception as e:  # a sender's failure must not stop the others
            message.error = str(e)[:200]
            continue
        message.sent_at, message.error = utcnow(), ""
        sent += 1
    db.session.flush()
    return sent
