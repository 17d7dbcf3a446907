"""From a customer's phone to the store's shelf: an online pickup order is placed and paid, appears
in the store's fulfilment queue by itself, is picked, scanned at the till and handed over; the stock
ledger shows the goods left with the order. (A delivery order cancelled before picking giving its
stock back is the shop's journey: e2e/shop/test_customer_journey.py.)"""
import re
from decimal import Decimal

from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.fulfil.conftest import CUSTOMER_AT, GOODS, PHONE, STOCK, TABLET, TOKEN
from e2e.harness import sign_in
from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.sales.models import Order
from webapp.sales.online import services as online
from webapp.stock.models import StockMove
from webapp.stock.queries import level_at
from webapp.stores.models import Store


def add_to_cart(page: Page, base_url: str, product_id: int, quantity: int) -> None:
    page.goto(f"{base_url}/shop/products/{product_id}")
    page.get_by_label("数量").fill(str(quantity))
    with page.expect_navigation():  # the cart has the item before the next page is opened
        page.get_by_role("button", name="加入购物车").click()


def levels(live_app, world, name):
    with live_app.app_context():
        sku_id, _product = world["skus"][name]
        return level_at(db.session.get(Store, world["store_id"]), db.session.get(SKU, sku_id))


def test_a_pickup_order_from_phone_to_shelf(contexts, base_url, live_app, world, scanner):
    tea, dumplings, _cake = (name for name, _barcode, _price in GOODS)
    store_id = world["store_id"]

    # Store staff keep the queue open on a tablet.
    staff = contexts(TABLET)
    sign_in(staff, base_url, "fl-picker", "fl-picker-1")
    staff.goto(f"{base_url}/fulfil/stores/{store_id}/")
    expect(staff.get_by_role("heading", name=re.compile("网上订单"))).to_be_visible()

    # The customer, on a phone, orders two items for pickup at the nearest store and pays.
    phone = contexts(PHONE, is_mobile=True, has_touch=True, geolocation=CUSTOMER_AT, permissions=["geolocation"])
    add_to_cart(phone, base_url, world["skus"][tea][1], 1)
    add_to_cart(phone, base_url, world["skus"][dumplings][1], 2)
    phone.goto(f"{base_url}/shop/cart")
    phone.get_by_role("button", name="使用我的位置").click()
    nearest = phone.locator("ul.stores > li").first
    expect(nearest).to_contain_text("文三路店")
    expect(nearest).to_contain_text("最近且有货")  # taken for the customer
    phone.get_by_role("link", name="去结算").click()
    phone.get_by_label("姓名").fill("李雷")
    phone.get_by_label("手机号").fill("13912345678")
    phone.get_by_label("微信支付").check()
    phone.get_by_role("button", name=re.compile("提交订单")).click()
    phone.get_by_role("button", name="确认支付").click()  # at the wallet's (sandbox) cashier
    expect(phone.get_by_role("heading", name=re.compile("订单 "))).to_be_visible()
    number = phone.get_by_role("heading", name=re.compile("订单 ")).inner_text().split(" ", 1)[1].strip()
    code = phone.get_by_label("取货码", exact=True).last.inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert levels(live_app, world, dumplings) == (Decimal(STOCK), Decimal(2))

    # The store's queue shows it without a reload, with the badge.
    card = staff.locator("#col-new").get_by_role("link", name=re.compile(number))
    expect(card).to_be_visible(timeout=6000)
    expect(staff.locator("#col-new li.order-card").first).to_have_class(re.compile("fresh"))  # it flashes
    expect(staff).to_have_title(re.compile(r"^\(1\) "))
    expect(staff.locator("#queue-signal")).to_have_text(re.compile("1"))

    # Staff pick it and mark it ready; the customer is told.
    card.click()
    staff.get_by_role("button", name="开始拣货").click()
    expect(staff.get_by_text("拣货中", exact=True).first).to_be_visible()
    staff.get_by_role("button", name="拣完：可以取货").click()
    expect(staff.locator(".state")).to_have_text("已备好")
    expect(phone.locator("#order-status .state")).to_have_text("已备好", timeout=8000)

    # At the till the cashier scans the pickup QR (the emulated USB scanner types what it holds).
    with live_app.app_context():
        token = db.session.scalar(select(Order).where(Order.number == number)).online.pickup_token
    till = contexts(TABLET)
    till.add_init_script(f"localStorage.setItem('huotong.bridge.token', '{TOKEN}');"
                         f"localStorage.setItem('huotong.bridge.url', '{scanner['url']}');")
    sign_in(till, base_url, "fl-cashier", "fl-cashier-1")
    till.goto(f"{base_url}/pos/registers/{world['register_id']}")
    expect(till.locator("[data-bridge-kind=scanner]")).to_have_text("扫码枪就绪")
    scanner["scanner"].scan(token)
    panel = till.get_by_role("dialog")
    expect(panel).to_contain_text(number)
    expect(panel).to_contain_text(tea)
    expect(panel).to_contain_text(dumplings)
    expect(panel).to_contain_text("已在线支付")
    hand_over = panel.get_by_role("button", name="交货")
    hand_over.dblclick()  # a double tap hands it over once
    expect(panel).to_contain_text("已交货")

    # The customer's page says collected, by itself.
    expect(phone.locator("#order-status .state")).to_have_text("已取货", timeout=8000)

    # The shelf is down by exactly those items, nothing is held any more, and the ledger names the order.
    assert levels(live_app, world, tea) == (Decimal(STOCK - 1), Decimal(0))
    assert levels(live_app, world, dumplings) == (Decimal(STOCK - 2), Decimal(0))
    with live_app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert online.reservations(order.online) == []
        moves = db.session.scalars(select(StockMove).where(StockMove.document_id == number)).all()
        assert sorted((m.sku.product.name, m.quantity, m.document_type, m.reason) for m in moves) == sorted([
            (tea, Decimal(1), "order", "handover"), (dumplings, Decimal(2), "order", "handover")])

    # The ledger page of the store shows the move with the order as its document.
    staff.goto(f"{base_url}/stock/stores/{store_id}/skus/{world['skus'][dumplings][0]}")
    expect(staff.get_by_role("cell", name=number).first).to_be_visible()
