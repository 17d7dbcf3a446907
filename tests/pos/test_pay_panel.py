"""The pay panel as a Chinese till works: scan the customer's code and it is charged; tap the note handed
over; nothing pre-filled can win, and a code typed is never ignored."""
import re
from decimal import Decimal

import pytest

from webapp.extensions import db
from webapp.pos import queries as pos_queries
from webapp.sales.models import Order, OrderStatus, Payment

HX = {"HX-Request": "true", "Accept-Language": "zh-CN"}


@pytest.fixture
def sale(client, till, login, stocked):
    """A cashier signed in with ¥9.50 rung up."""
    login(till.cashier)
    stocked(till.store, qty=10, barcode="6921168509256", price="9.50")
    client.post(f"/pos/registers/{till.register.id}/scan", data={"code": "6921168509256"}, headers=HX)
    db.session.expire_all()
    return pos_queries.current_sale(till.shift)


def pay(client, order, **form):
    return client.post(f"/pos/orders/{order.id}/pay", data={"client_uuid": f"t-{order.id}", **form}, headers=HX)


def test_a_scanned_wechat_code_is_charged_for_what_is_due_with_no_other_tap(client, sale):
    assert pay(client, sale, payment_code="134567890123450001").status_code == 204
    db.session.expire_all()
    assert sale.status == OrderStatus.COMPLETED
    assert [(p.method, p.amount) for p in sale.payments] == [("wechat", Decimal("9.50"))]


def test_an_alipay_code_is_told_apart_by_its_prefix(client, sale):
    assert pay(client, sale, payment_code="284567890123450001").status_code == 204
    db.session.expire_all()
    assert [(p.method, p.amount) for p in sale.payments] == [("alipay", Decimal("9.50"))]


@pytest.mark.parametrize("code", ["6921168509256", "994567890123450001", "13456789"])
def test_a_code_that_is_no_wallets_is_refused_and_nothing_is_taken(client, sale, code):
    refused = pay(client, sale, payment_code=code)
    assert refused.status_code == 422 and "不是微信或支付宝的付款码" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert sale.status == OrderStatus.OPEN and db.session.query(Payment).count() == 0


def test_a_payment_code_typed_without_its_amount_is_refused_never_ignored(client, sale):
    """The defect: cash pre-filled, a WeChat code scanned into its box, 完成收款 → recorded as cash, no charge."""
    form = {"method": ["cash", "wechat"], "amount": ["9.50", ""], "auth_code": ["", "134567890123450001"]}
    refused = pay(client, sale, **form)
    assert refused.status_code == 422 and "没有金额" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert sale.status == OrderStatus.OPEN and db.session.query(Payment).count() == 0


def test_the_pay_panel_prefills_no_amount_and_its_sums_match_the_screen(client, sale):
    html = client.get(f"/pos/orders/{sale.id}/pay", headers=HX).get_data(as_text=True)
    assert re.findall(r'<input name="amount"[^>]*value=', html) == []
    assert 'name="payment_code"' in html and "扫描顾客付款码" in html
    assert re.search(r"还需支付 <strong data-due>¥9.50</strong>", html)
    assert re.search(r"找零 <strong data-change>¥0.00</strong>", html)
    assert "现金，刚好" in html and "找零 ¥40.50" in html  # the ¥50 note shows its change before the tap


def test_a_cash_note_tapped_completes_the_sale_and_the_receipt_shows_tendered_and_change(client, sale):
    done = pay(client, sale, cash="50")
    assert done.status_code == 204
    receipt = client.get(done.headers["HX-Redirect"], headers=HX).get_data(as_text=True)
    assert re.search(r'实收 <strong data-testid="tendered">¥50.00</strong>', receipt)
    assert re.search(r'找零 <strong data-testid="change-large">¥40.50</strong>', receipt)
    assert "现金 ¥9.50" not in receipt
    assert db.session.query(Order).filter_by(status=OrderStatus.COMPLETED.value).count() == 1
