"""Receiving serial-numbered goods without a purchase order: scan the item, then its serial number."""
import pytest
from playwright.sync_api import Page, expect

from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db

PHONE = ("小米 Redmi Note 13", "6934177700002")


@pytest.fixture(scope="module")
def phone_sku(live_app):
    with live_app.app_context():
        save_product(None, name=PHONE[0], tracking="serial", variants=[
            VariantInput(code="MI-RN13", list_price="1299.00", barcodes=[PHONE[1]])])
        db.session.commit()


def scan(page: Page, code: str):
    page.evaluate("""code => document.body.dispatchEvent(new CustomEvent("bridge:scan",
        {detail: {code: code, device: null, source: "bridge"}, bubbles: true}))""", code)


def test_the_scan_after_a_serial_item_is_its_serial_number(page: Page, sign_in, phone_sku):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in()
    page.get_by_role("link", name="采购", exact=True).click()
    page.get_by_role("listitem").filter(has_text="西湖一号店").get_by_role("link", name="采购单").click()
    page.get_by_role("link", name="收货", exact=True).click()
    page.get_by_role("button", name="开始收货", exact=True).click()
    expect(page.get_by_text("请扫描第一件商品。")).to_be_visible()

    scan(page, PHONE[1])
    serial = page.get_by_label("序列号")
    expect(serial).to_be_focused()
    scan(page, "SN-0001")
    expect(page.get_by_label("序列号")).to_have_value("SN-0001")
    expect(page.get_by_placeholder("扫描或输入条码")).to_be_focused()
    page.get_by_label("单位成本（元）").fill("980.00")
    page.get_by_label("单位成本（元）").press("Tab")
    expect(page.get_by_label("单位成本（元）")).to_have_value("980.00")
    page.get_by_role("button", name="确认收货").click()
    expect(page.get_by_test_id("note-status")).to_have_text("已确认")
    expect(page.get_by_role("row").filter(has_text=PHONE[0])).to_contain_text("SN-0001")
