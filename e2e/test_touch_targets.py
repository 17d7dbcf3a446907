"""A finger on a phone (390×844): every control on the main pages of each role is at least 44×44 px,
and the till is usable on a 360×780 phone (issue #11, items 27 and 28).

The rule measured: every visible `a, button, [role=button], input[type=submit], summary, select` has a
`bounding_box()` at least 44 px high and 44 px wide. Exempt is only an inline text link inside a paragraph
(`<p>`) of running text — a link that is part of a sentence, tapped like a word; every link or button
that stands on its own (navigation, toolbars, chips, lists, the footer's 登录 · 注册) is measured.
"""
import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import ADMIN
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, category_by_path, save_product
from webapp.extensions import db
from webapp.pos.services import open_shift, save_register
from webapp.stock import services as stock
from webapp.stores.services import save_store

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 780}
TAP = 44
CONTROLS = "a, button, [role=button], input[type=submit], summary, select"
CASHIER, MANAGER = ("tt-cashier", "tt-cashier-1"), ("tt-manager", "tt-manager-1")
GOODS = [("农夫山泉饮用天然水 550ml", "6924440001011", "2.00"), ("康师傅红烧牛肉面 五连包", "6924440001028", "13.50")]
# An inline link in running text: its own box is a word's, the sentence around it is the target.
IN_A_SENTENCE = """element => element.tagName === 'A' && getComputedStyle(element).display === 'inline'
    && !!element.parentElement.closest('p')
    && element.parentElement.closest('p').textContent.trim() !== element.textContent.trim()"""


@pytest.fixture(scope="module")
def store(live_app):
    """A small shop with a till (a shift open), its cashier and manager, two goods in a category, sold online."""
    with live_app.app_context():
        store = save_store(None, code="TT01", name="文三路便利店", kind="direct", city="杭州", district="西湖区")
        store.online_pickup = True
        stock.ensure_locations(store)
        registers = [save_register(None, store=store, name=name, receipt_width=58) for name in ("手机收银", "小屏收银")]
        cashier = save_user(None, username=CASHIER[0], display_name="陈收银", role=Role.CASHIER, stores=[store],
                            password=CASHIER[1])
        save_user(None, username=MANAGER[0], display_name="林店长", role=Role.STORE_MANAGER, stores=[store],
                  password=MANAGER[1])
        drinks = category_by_path("饮料/瓶装水")
        for name, barcode, price in GOODS:
            product = save_product(None, name=name, category=drinks,
                                   variants=[VariantInput(code=f"TT-{barcode}", list_price=price, barcodes=[barcode])])
            stock.receive(store, product.skus[0], 20, "1.00", user=None, document=("opening", "TT"))
        for register in registers:
            open_shift(register, cashier, "200")
        db.session.commit()
        return {"registers": [register.id for register in registers]}


def phone(browser: Browser, base_url: str, viewport=PHONE, user=None) -> Page:
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    if user:
        page.goto(f"{base_url}/login")
        page.get_by_label("用户名").fill(user[0])
        page.get_by_label("密码").fill(user[1])
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("networkidle")
    return page


def too_small(page: Page) -> list[str]:
    """Every visible control under 44×44 px on this page, described so a failure says which and where."""
    small = []
    for control in page.locator(CONTROLS).all():
        if not control.is_visible() or control.evaluate(IN_A_SENTENCE):
            continue
        box = control.bounding_box()
        if box and (box["width"] < TAP - 0.5 or box["height"] < TAP - 0.5):
            label = control.evaluate("e => (e.getAttribute('aria-label') || e.textContent || e.value || '').trim()")
            small.append(f"{page.url} <{control.evaluate('e => e.tagName.toLowerCase()')}> "
                         f"{label[:30]!r} {box['width']:.0f}×{box['height']:.0f}")
    return small


def sell_one(page: Page, base_url: str, register_id: int) -> None:
    page.goto(f"{base_url}/pos/registers/{register_id}")
    page.locator("#scan-code").fill(GOODS[0][1])
    page.locator("#scan-code").press("Enter")
    expect(page.locator("#sale .line")).to_have_count(1)


def test_every_control_a_finger_hits_is_44_px_on_a_phone(browser: Browser, base_url, store):
    small = []
    cashier = phone(browser, base_url, user=CASHIER)
    sell_one(cashier, base_url, store["registers"][0])
    small += too_small(cashier)
    cashier.locator(".line-more summary").click()  # the line's menu: discount and remove
    small += too_small(cashier)
    cashier.locator(".order-discount summary").filter(has_text="整单折扣").click()
    small += too_small(cashier)
    for path in ("/pos/", "/stock/", "/fulfil/"):
        cashier.goto(f"{base_url}{path}")
        small += too_small(cashier)

    manager = phone(browser, base_url, user=MANAGER)
    for path in ("/manage/", "/stock/", "/purchasing/", "/supply", "/manage/reports/"):
        manager.goto(f"{base_url}{path}")
        small += too_small(manager)

    head_office = phone(browser, base_url, user=ADMIN)
    for path in ("/admin/", "/admin/products/", "/admin/stores/", "/admin/users"):
        head_office.goto(f"{base_url}{path}")
        small += too_small(head_office)

    guest = phone(browser, base_url)
    for path in ("/shop/", "/shop/search", "/shop/cart", "/shop/account/sign-in"):
        guest.goto(f"{base_url}{path}")
        small += too_small(guest)
    assert not small, "Under 44×44 px:\n" + "\n".join(small)


def test_the_till_works_on_a_360_px_phone(browser: Browser, base_url, store):
    page = phone(browser, base_url, viewport=SMALL_PHONE, user=CASHIER)
    sell_one(page, base_url, store["registers"][1])
    page.evaluate("window.scrollTo(0, 0)")

    scan, basket = page.locator("#scan-code").bounding_box(), page.locator("#sale .lines").bounding_box()
    assert scan["y"] + scan["height"] <= basket["y"], "the scan box sits above the basket"

    pay = page.get_by_role("button", name="收款 ¥2.00").bounding_box()
    assert pay["y"] >= 0 and pay["y"] + pay["height"] <= SMALL_PHONE["height"], "收款 is reachable without scrolling"
    assert pay["x"] >= 0 and pay["x"] + pay["width"] <= SMALL_PHONE["width"]

    name = page.locator("#sale .line-name strong").first
    one_character = name.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert name.bounding_box()["width"] >= 6 * one_character, "a line's name shows at least ~6 characters a row"
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"], "nothing scrolls sideways"
