"""Pages that add up money in the browser do it in whole fen (static/js/app.js: HuotongMoney), under the
Content-Security-Policy (the autouse guard in e2e/conftest.py fails a test on any violation)."""
import pytest
from playwright.sync_api import Page, expect

from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.extensions import db
from webapp.pos.services import save_register
from webapp.stock import services as stock
from webapp.stores.services import save_store


def test_typed_amounts_become_whole_fen(page: Page, base_url):
    page.goto(f"{base_url}/login")
    fen = page.evaluate("""() => ["12.50", "12.5", "0.1", "0.2", "19.99", ".5", "１２.５", "1,250.00", "3.000",
                                  "-3.2", "", "abc", "1.005", "1e3", null]
                                 .map(HuotongMoney.fen)""")
    assert fen == [1250, 1250, 10, 20, 1999, 50, 1250, 125000, 300, -320, 0, 0, 0, 0, 0]
    # 0.1 + 0.2 is 0.30000000000000004 in floating point; in fen it is 30, and 3 × 19.99 is 59.97.
    assert page.evaluate("HuotongMoney.format(HuotongMoney.fen('0.1') + HuotongMoney.fen('0.2'))") == "¥0.30"
    assert page.evaluate("HuotongMoney.format(3 * HuotongMoney.fen('19.99'))") == "¥59.97"
    assert page.evaluate("[123456789, 5, -120, 0].map(HuotongMoney.format)") == \
        ["¥1,234,567.89", "¥0.05", "-¥1.20", "¥0.00"]


@pytest.fixture(scope="module")
def cashier(live_app):
    with live_app.app_context():
        store = save_store(None, code="FEN1", name="分币店", kind="direct")
        stock.ensure_locations(store)
        register = save_register(None, store=store, name="9号收银台", receipt_width=58)
        save_user(None, username="fen-cashier", display_name="钱收银", role=Role.CASHIER, stores=[store],
                  password="fen-cashier-1")
        db.session.commit()
        return {"register_id": register.id}


def test_closing_a_shift_counts_the_drawer_to_the_fen(page: Page, base_url, sign_in, cashier):
    sign_in("fen-cashier", "fen-cashier-1")
    page.goto(f"{base_url}/pos/registers/{cashier['register_id']}")
    page.get_by_label("备用金（元）").fill("0")
    page.get_by_role("button", name="开班").click()
    page.get_by_role("link", name="交班").click()
    counted = page.locator("[data-counted]")
    expect(counted).to_have_text("¥0.00")
    page.get_by_label("¥0.1", exact=True).fill("3")
    expect(counted).to_have_text("¥0.30")
    page.get_by_label("¥100", exact=True).fill("12")
    page.get_by_label("¥0.01", exact=True).fill("7")
    expect(counted).to_have_text("¥1,200.37")
    page.get_by_label("¥0.01", exact=True).fill("")  # emptied: counts as none
    expect(counted).to_have_text("¥1,200.30")
