"""The till sells cans held for online orders: the sale goes through, the receipt tells the cashier
gently, and the store's fulfilment queue flags the newest order at once — "short: sold at the till" —
with the store's choices on its page."""
import os

from playwright.sync_api import expect

from e2e.harness import ROOT, sign_in
from e2e.till.conftest import PHONE, TABLET
from webapp.auth.models import User
from webapp.catalog.models import SKU
from webapp.extensions import db
from webapp.pos.models import Register
from webapp.pos.queries import open_shift_of
from webapp.sales import services as sales
from webapp.sales.online.models import OnlineOrder

SHOTS = os.path.join(ROOT, "screenshots")


def sell_cans_at_the_till(live_app, world, count):
    """The cashier rings up cans and takes cash (the till's own journeys drive the pay panel)."""
    with live_app.app_context():
        register = db.session.get(Register, world["register_id"])
        cashier = db.session.scalar(db.select(User).where(User.username == "tl-cashier"))
        order = sales.open_sale(register.store, register, open_shift_of(register), cashier)
        sales.add_item(order, db.session.get(SKU, world["cans"]), count)
        sales.complete_sale(order, [sales.Tender("cash", str(order.total))], user=cashier,
                            client_uuid=f"tl-sale-{order.number}")
        db.session.commit()
        return order.id


def test_the_queue_flags_the_order_a_till_sale_left_short(contexts, base_url, live_app, world):
    queue = contexts(TABLET)
    sign_in(queue, base_url, "tl-picker", "tl-picker-1")
    queue.goto(f"{base_url}/fulfil/stores/{world['store_id']}/")
    expect(queue.get_by_test_id("short-at-till")).to_have_count(0)

    sale_id = sell_cans_at_the_till(live_app, world, 3)  # 1 can was free: 2 were held

    # The cashier's receipt says so, gently; the sale stands.
    till = contexts(PHONE)
    sign_in(till, base_url, "tl-cashier", "tl-cashier-1")
    till.goto(f"{base_url}/pos/orders/{sale_id}/receipt")
    expect(till.get_by_test_id("online-held")).to_have_text("2 × 可口可乐 330ml 已为线上订单预留：门店将处理。")
    till.screenshot(path=os.path.join(SHOTS, "till-receipt-held-phone.png"), full_page=True)

    # The queue flags the newest order by itself (it polls), and only that one.
    newest = world["orders"][-1]
    card = queue.locator(f'li.order-card[data-order-id="{newest}"]')
    expect(card.get_by_test_id("short-at-till")).to_have_text("短缺：收银台已售出", timeout=10000)
    expect(queue.get_by_test_id("short-at-till")).to_have_count(1)
    queue.screenshot(path=os.path.join(SHOTS, "fulfil-queue-short-tablet.png"), full_page=True)

    # Its page offers the store's choices; marking the cans unavailable refunds them and clears the flag.
    card.get_by_role("link").click()
    box = queue.get_by_test_id("short-box")
    expect(box).to_contain_text("收银台卖出了本订单预留的 可口可乐 330ml × 2")
    expect(box.get_by_role("button", name="申请调拨")).to_have_count(0)  # no other store has them
    expect(box.get_by_text("没有其他门店有 2 可用。")).to_be_visible()
    expect(box.get_by_role("button", name="取消订单并退款")).to_be_visible()
    queue.screenshot(path=os.path.join(SHOTS, "fulfil-order-short-tablet.png"), full_page=True)
    queue.once("dialog", lambda dialog: dialog.accept())
    box.get_by_role("button", name="标记缺货（退款）").click()
    expect(queue.get_by_text("已退款 ¥9.00")).to_be_visible()
    expect(queue.get_by_test_id("short-box")).to_have_count(0)
    with live_app.app_context():
        online = db.session.get(OnlineOrder, newest)
        assert [line.sku.code for line in online.order.lines] == ["TL-TEA"]
        assert str(online.paid) == "48.00"
    queue.goto(f"{base_url}/fulfil/stores/{world['store_id']}/")
    expect(queue.get_by_test_id("short-at-till")).to_have_count(0)
