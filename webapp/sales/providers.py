"""Payment providers: WeChat Pay, Alipay, the card terminal, stored value and points behind one interface.

A provider charges the customer's payment code (the code scanned from their
phone, or for a card the terminal's reference), refunds a transaction, and
answers a query about a charge whose outcome it did not give in time. Real
adapters implement ``PaymentProvider`` and register a factory under a name;
``PAYMENT_PROVIDER`` in the app config chooses it (default ``"sandbox"``),
either one name for all methods or a dict per method
(``{"wechat": "wechatpay", "alipay": "sandbox", "card": "sandbox"}``).

The sandbox decides by the last four digits of the payment code:

============  ====================================  ===========================
last four     charge                                query() afterwards
============  ====================================  ===========================
0000–8999     succeeded                             succeeded
9001          declined: insufficient balance        declined
9002          timeout                               succeeded (the money went)
9003          timeout                               pending (customer still at it)
9004          timeout                               declined
9006          succeeded, but its refunds decline    succeeded
other         declined: invalid payment code        declined
============  ====================================  ===========================

A card's transaction id is the terminal's reference itself. The sandbox
remembers its charges in memory, per process, as a provider would on its side.

Who paid: a wallet names its payer (WeChat Pay's ``openid``, Alipay's ``buyer_user_id``
/ ``buyer_id``) in the charge's answer and in the notification; ``payer_account`` carries
it to the payment row (self-referral is checked by it). The sandbox gives a stable fake
one: at the till from the payment code without its last four digits (the same phone's
wallet pays with the same leading digits), online the one the cashier page was paid with
(by default one per signed-in customer, ``SandboxProvider.account_of``).

The shop pays the other way round, as WeChat Pay's H5 payment and Alipay's wap payment
do: no code is typed. ``start_checkout`` answers the address of the provider's cashier
page for one payment; the customer confirms there; the provider tells us by an
asynchronous notification to our notify URL (``verify_notification`` believes only what
the provider signed) and sends the customer back to our return URL with the same signed
fields. The sandbox's cashier is a page at our own URL (``SANDBOX_CASHIER_URL``, served
by the shop) shaped like the real ones; its fields are signed with HMAC-SHA256 under a
key from the app's secret, as a real adapter verifies the provider's RSA signature.
"""
import hashlib
import hmac
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import ClassVar, Protocol
from urllib.parse import urlencode

from flask import current_app
from flask_babel import gettext as _

from webapp.sales.models import PaymentMethod, PaymentStatus


@dataclass(frozen=True)
class PaymentResult:
    status: PaymentStatus
    transaction_id: str = ""
    message: str = ""
    payer_account: str = ""  # who paid, as the wallet names them (WeChat Pay's openid, Alipay's buyer_user_id)

    @property
    def succeeded(self) -> bool:
        return self.status == PaymentStatus.SUCCEEDED


@dataclass(frozen=True)
class Notification:
    """What the provider signed about one payment started with ``start_checkout``."""

    reference: str  # ours (WeChat Pay's out_trade_no, Alipay's out_trade_no)
    status: PaymentStatus  # succeeded, or declined when the customer cancelled
    transaction_id: str = ""
    amount: Decimal = Decimal("0")
    message: str = ""
    payer_account: str = ""  # who paid: WeChat Pay's payer.openid, Alipay's buyer_id


class NotificationRefused(Exception):
    """A notification or return whose signature or fields do not hold: never believed."""


class PaymentProvider(Protocol):
    def charge(self, amount: Decimal, auth_code: str, reference: str) -> PaymentResult:
        """Take ``amount`` with the customer's code; ``reference`` is our unique id for the charge."""

    def refund(self, transaction_id: str, amount: Decimal, reference: str) -> PaymentResult:
        """Give back part or all of a charge. The same ``reference`` again must not refund twice
        (WeChat Pay's out_refund_no and Alipay's out_request_no work this way): it answers as before."""

    def query(self, reference: str) -> PaymentResult:
        """What became of the charge made with ``reference``."""

    def start_checkout(self, amount: Decimal, reference: str, subject: str, return_url: str,
                       notify_url: str) -> str:
        """The address of the provider's cashier page where the customer pays ``amount`` (an online
        payment: the customer confirms on the provider's side, nothing is typed on ours)."""

    def verify_notification(self, fields: Mapping[str, str], headers: Mapping[str, str] | None = None,
                            body: bytes = b"") -> Notification:
        """Believe a notification (or the fields the return URL carries) only when the provider
        signed it; ``NotificationRefused`` otherwise. ``fields``: the form or query fields (Alipay signs
        these); ``headers`` and ``body``: the raw request (WeChat Pay API v3 signs the JSON body, its
        signature and serial in Wechatpay-* headers, the resource encrypted with the API v3 key)."""

    def acknowledge(self) -> tuple[str, str]:
        """The body and mimetype the provider expects back when a notification is taken."""


class SandboxProvider:
    """A provider for development and tests, deterministic by the payment code (see above)."""

    _charges: ClassVar[dict[str, tuple[str, PaymentResult]]] = {}  # reference → (method, final result)
    _no_refunds: ClassVar[set[str]] = set()
    _refunds: ClassVar[dict[str, PaymentResult]] = {}  # refund reference → its result, as a provider keeps
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, method: str) -> None:
        self.method = PaymentMethod(method)

    def charge(self, amount: Decimal, auth_code: str, reference: str) -> PaymentResult:
        code = auth_code.strip()
        last = code[-4:] if len(code) >= 4 and code[-4:].isdigit() else ""
        paid = PaymentResult(PaymentStatus.SUCCEEDED, self._transaction_id(code, reference), _("Sandbox: paid"),
                             self._payer(code))
        declined = PaymentResult(PaymentStatus.DECLINED, message=_("Sandbox: insufficient balance"))
        outcomes = {
            "9001": (declined, declined),
            "9002": (PaymentResult(PaymentStatus.TIMEOUT, message=_("Sandbox: no answer in time")), paid),
            "9003": (PaymentResult(PaymentStatus.TIMEOUT, message=_("Sandbox: no answer in time")),
                     PaymentResult(PaymentStatus.PENDING, message=_("Sandbox: waiting for the customer to confirm"))),
            "9004": (PaymentResult(PaymentStatus.TIMEOUT, message=_("Sandbox: no answer in time")), declined),
            "9006": (paid, paid),
        }
        if last and last < "9000":
            now, final = paid, paid
        else:
            invalid = PaymentResult(PaymentStatus.DECLINED, message=_("Sandbox: invalid payment code"))
            now, final = outcomes.get(last, (invalid, invalid))
        if amount <= 0:
            now = final = PaymentResult(PaymentStatus.DECLINED, message=_("Sandbox: nothing to charge"))
        with self._lock:
            self._charges[reference] = (self.method.value, final)
            if last == "9006":
                self._no_refunds.add(final.transaction_id)
        return now

    def refund(self, transaction_id: str, amount: Decimal, reference: str) -> PaymentResult:
        with self._lock:
            if reference not in self._refunds:
                if transaction_id in self._no_refunds or amount <= 0:
                    self._refunds[reference] = PaymentResult(PaymentStatus.DECLINED, message=_("Sandbox: refund refused"))
                else:
                    self._refunds[reference] = PaymentResult(PaymentStatus.SUCCEEDED, f"sandbox-refund-{reference}",
                                                             _("Sandbox: refunded"))
            return self._refunds[reference]

    def query(self, reference: str) -> PaymentResult:
        with self._lock:
            known = self._charges.get(reference)
        if known is None:
            return PaymentResult(PaymentStatus.DECLINED, message=_("Sandbox: no such payment"))
        return known[1]

    # ------------------------------------------------------------ the online cashier

    def start_checkout(self, amount: Decimal, reference: str, subject: str, return_url: str,
                       notify_url: str) -> str:
        fields = {"method": self.method.value, "out_trade_no": reference, "total_amount": f"{amount:.2f}",
                  "subject": subject[:60], "return_url": return_url, "notify_url": notify_url}
        base = current_app.config.get("SANDBOX_CASHIER_URL", "/shop/sandbox-pay")
        return f"{base}?{urlencode(sign(fields))}"

    def open_checkout(self, fields: Mapping[str, str]) -> dict[str, str]:
        """The cashier page's own check of the payment it was sent to show (the provider's side)."""
        checked = verified(fields, ("method", "out_trade_no", "total_amount", "subject", "return_url",
                                    "notify_url"))
        if checked["method"] != self.method.value or _amount(checked["total_amount"]) <= 0:
            raise NotificationRefused("not a payment of this provider")
        return checked

    def confirm(self, checkout: Mapping[str, str], paid: bool, payer: str = "") -> dict[str, str]:
        """The customer confirmed (or cancelled) on the cashier page: the signed result the provider
        sends to the notify URL and, with the customer, to the return URL; ``payer``: the wallet account
        that paid (``account_of``)."""
        reference = checkout["out_trade_no"]
        amount = _amount(checkout["total_amount"])
        if paid:
            result = PaymentResult(PaymentStatus.SUCCEEDED, f"sandbox-{self.method.value}-{reference}",
                                   _("Sandbox: paid"), payer[:64])
        else:
            result = PaymentResult(PaymentStatus.DECLINED, message=_("Sandbox: cancelled by the customer"))
        with self._lock:
            known = self._charges.get(reference)
            if known is None or not known[1].succeeded:  # paid stays paid, as at a real provider
                self._charges[reference] = (self.method.value, result)
            result = self._charges[reference][1]
        fields = {"method": self.method.value, "out_trade_no": reference, "total_amount": f"{amount:.2f}",
                  "trade_status": "SUCCESS" if result.succeeded else "CLOSED",
                  "transaction_id": result.transaction_id}
        if result.payer_account:
            fields["payer"] = result.payer_account
        return sign(fields)

    def verify_notification(self, fields: Mapping[str, str], headers: Mapping[str, str] | None = None,
                            body: bytes = b"") -> Notification:
        names = ("method", "out_trade_no", "total_amount", "trade_status", "transaction_id")
        checked = verified(fields, (*names, "payer") if "payer" in fields else names)
        if checked["method"] != self.method.value:
            raise NotificationRefused("a notification for another method")
        paid = checked["trade_status"] == "SUCCESS"
        return Notification(checked["out_trade_no"], PaymentStatus.SUCCEEDED if paid else PaymentStatus.DECLINED,
                            checked["transaction_id"] if paid else "", _amount(checked["total_amount"]),
                            _("Sandbox: paid") if paid else _("Sandbox: cancelled by the customer"),
                            checked.get("payer", "")[:64] if paid else "")

    def acknowledge(self) -> tuple[str, str]:
        return "success", "text/plain"

    def account_of(self, who: str) -> str:
        """The sandbox wallet account of someone (a customer, a payment code's phone): stable, and shaped
        like an openid (28 characters)."""
        digest = hmac.new(_sandbox_key(), f"payer:{self.method.value}:{who}".encode(), hashlib.sha256).hexdigest()
        return f"sb{self.method.value[:2]}{digest[:24]}"

    def _payer(self, code: str) -> str:
        """A wallet's payer from its payment code: the digits before the last four (a card names none)."""
        if self.method == PaymentMethod.CARD or len(code) < 8:
            return ""
        return self.account_of("code:" + code[:-4])

    def _transaction_id(self, code: str, reference: str) -> str:
        return code if self.method == PaymentMethod.CARD else f"sandbox-{self.method.value}-{reference}"

    @classmethod
    def charges_for(cls, order_number: str) -> list[str]:
        """The references of the charges made for an order (for tests and demos)."""
        with cls._lock:
            return sorted(ref for ref in cls._charges if ref.startswith(order_number + "-"))


def _sandbox_key() -> bytes:
    configured = current_app.config.get("SANDBOX_PAY_KEY") or ""
    secret = configured or str(current_app.config["SECRET_KEY"])
    return hmac.new(secret.encode(), b"huotong sandbox pay", hashlib.sha256).digest()


def _signature(fields: Mapping[str, str]) -> str:
    text = "&".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "sign")
    return hmac.new(_sandbox_key(), text.encode(), hashlib.sha256).hexdigest()


def sign(fields: dict[str, str]) -> dict[str, str]:
    """The fields with their sandbox signature (sorted key=value pairs, as Alipay signs them)."""
    return {**fields, "sign": _signature(fields)}


def verified(fields: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """The named fields, when the signature over them holds; ``NotificationRefused`` otherwise."""
    try:
        checked = {name: str(fields[name])[:500] for name in names}
    except KeyError as missing:
        raise NotificationRefused(f"missing {missing}") from None
    if not hmac.compare_digest(_signature(checked), str(fields.get("sign", ""))[:100]):
        raise NotificationRefused("bad signature")
    return checked


def _amount(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise NotificationRefused("not an amount") from None
    if not amount.is_finite():
        raise NotificationRefused("not an amount")
    return amount


_FACTORIES: dict[str, Callable[[str], PaymentProvider]] = {"sandbox": SandboxProvider}


def register_provider(name: str, factory: Callable[[str], PaymentProvider]) -> None:
    """Make a provider available under ``name`` for PAYMENT_PROVIDER."""
    _FACTORIES[name] = factory


def get_provider(method: str) -> PaymentProvider:
    """The provider that takes this method's payments (never cash)."""
    method = PaymentMethod(method)
    if method == PaymentMethod.CASH:
        raise ValueError("cash is taken at the till, not by a payment provider")
    if method == PaymentMethod.STORED_VALUE:  # the member's own accounts: providers of the members room
        from webapp.members.wallet import StoredValueProvider
        return StoredValueProvider(method.value)
    if method == PaymentMethod.POINTS:
        from webapp.members.points import PointsProvider
        return PointsProvider(method.value)
    configured = current_app.config.get("PAYMENT_PROVIDER", "sandbox")
    name = configured.get(method.value, "sandbox") if isinstance(configured, dict) else configured
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise LookupError(f"no payment provider called {name!r}; known: {', '.join(_FACTORIES)}") from None
    return factory(method.value)
