"""The sandbox payment provider answers by the customer's payment code, as documented in payments.py."""
from decimal import Decimal

import pytest

from webapp.sales.models import PaymentStatus
from webapp.sales.providers import SandboxProvider, get_provider

TEN = Decimal("10.00")


@pytest.mark.parametrize(("code", "now", "later"), [
    ("130000000000000000", "succeeded", "succeeded"),
    ("130000000000008999", "succeeded", "succeeded"),
    ("130000000000009001", "declined", "declined"),
    ("130000000000009002", "timeout", "succeeded"),
    ("130000000000009003", "timeout", "pending"),
    ("130000000000009004", "timeout", "declined"),
    ("130000000000009999", "declined", "declined"),
    ("not-a-code", "declined", "declined"),
])
def test_the_sandbox_answers_by_the_payment_code(code, now, later):
    sandbox = SandboxProvider("wechat")
    reference = f"T-{code}"
    assert sandbox.charge(TEN, code, reference).status == now
    assert sandbox.query(reference).status == later


def test_a_card_payment_keeps_the_terminals_reference():
    result = SandboxProvider("card").charge(TEN, "T-004711", "HZ01-1")
    assert (result.status, result.transaction_id) == (PaymentStatus.SUCCEEDED, "T-004711")


def test_a_refund_is_refused_only_for_its_special_code():
    sandbox = SandboxProvider("alipay")
    paid = sandbox.charge(TEN, "280000000000001234", "A-1")
    assert sandbox.refund(paid.transaction_id, TEN, "A-1-R").succeeded
    stuck = sandbox.charge(TEN, "280000000000009006", "A-2")
    assert stuck.succeeded and not sandbox.refund(stuck.transaction_id, TEN, "A-2-R").succeeded


def test_the_sandbox_is_the_provider_unless_configured(app):
    assert isinstance(get_provider("wechat"), SandboxProvider)
    app.config["PAYMENT_PROVIDER"] = {"wechat": "wechatpay-v3"}
    try:
        with pytest.raises(LookupError):
            get_provider("wechat")
        assert isinstance(get_provider("alipay"), SandboxProvider)
    finally:
        app.config.pop("PAYMENT_PROVIDER")
    with pytest.raises(ValueError):
        get_provider("cash")
