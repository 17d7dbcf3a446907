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
"""
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Protocol

from flask import current_app
from flask_babel import gettext as _

from webapp.sales.models import PaymentMethod, PaymentStatus


@dataclass(frozen=True)
class PaymentResult:
    status: PaymentStatus
    transaction_id: str = ""
    message: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == PaymentStatus.SUCCEEDED


class PaymentProvider(Protocol):
    def charge(self, amount: Decimal, auth_code: str, reference: str) -> PaymentResult:
        """Take ``amount`` with the customer's code; ``reference`` is our unique id for the charge."""

    def refund(self, transaction_id: str, amount: Decimal, reference: str) -> PaymentResult:
        """Give back part or all of a charge. The same ``reference`` again must not refund twice
        (WeChat Pay's out_refund_no and Alipay's out_request_no work this way): it answers as before."""

    def query(self, reference: str) -> PaymentResult:
        """What became of the charge made with ``reference``."""


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
        paid = PaymentResult(PaymentStatus.SUCCEEDED, self._transaction_id(code, reference), _("Sandbox: paid"))
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

    def _transaction_id(self, code: str, reference: str) -> str:
        return code if self.method == PaymentMethod.CARD else f"sandbox-{self.method.value}-{reference}"

    @classmethod
    def charges_for(cls, order_number: str) -> list[str]:
        """The references of the charges made for an order (for tests and demos)."""
        with cls._lock:
            return sorted(ref for ref in cls._charges if ref.startswith(order_number + "-"))


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
