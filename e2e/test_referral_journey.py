"""Member growth, end to end: a customer orders online and shares their invitation; a friend signs up by
the link and orders; both orders complete; after the return window both have their coupon; a message to
a segment reaches the outbox once per member, and not the member who opted out."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.harness import fresh_app, serving
from webapp.auth.models import Role, User
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.outreach.models import MemberMessage, Referral
from webapp.sales.online import services as online
from webapp.sales.online.models import OnlineOrder
from webapp.stock import services as stock
from webapp.stores.services import save_store

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
INVITER, FRIEND = ("13600000001", "王芳"), ("13600000002", "李明")
PASSWORD = "member-pass-1"


@pytest.fixture(scope="module")
def growth_app(tmp_path_factory):
    app = fresh_app(tmp_path_factory, "growth")
    with app.app_context():
        store = save_store(None, code="GR01", name="文三路店", district="西湖区", city="杭州", latitude=30.2750,
                           longitude=120.1630, address="文三路 1 号", opening_hours="00:00-24:00")
        store.online_pickup, store.minimum_order = True, Decimal("0.00")
        stock.ensure_locations(store)
        sku = save_product(None, name="冰美式咖啡", variants=[VariantInput(code="GR-COFFEE", list_price="28.00")]).skus[0]
        stock.receive(store, sku, 50, "8.00", user=None, document=("opening", "E2E"))
        save_user(None, username="hq", display_name="总部", role=Role.HQ_ADMIN, stores=[], password="hq-pass-123")
        db.session.commit()
    return app


@pytest.fixture(scope="module")
def growth_url(growth_app):
    with serving(growth_app) as url:
        yield url


def sign_up(page: Page, phone: str, name: str):
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("姓名").fill(name)
    page.get_by_label(re.compile("密码")).fill(PASSWORD)
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_text("欢迎")).to_be_visible()


def order_coffee(page: Page, url: str, phone: str, name: str):
    page.goto(f"{url}/shop/")
    page.get_by_role("searchbox", name="搜索商品").fill("冰美式")
    page.get_by_role("searchbox", name="搜索商品").press("Enter")
    expect(page.locator("#results")).to_be_visible()  # the search has come back (the home page may show it too)
    page.get_by_role("link", name=re.compile("冰美式咖啡")).first.click()
    page.get_by_role("button", name="加入购物车").click()
    expect(page.get_by_role("status")).to_contain_text("已将 冰美式咖啡")
    page.goto(f"{url}/shop/cart")
    expect(page.locator(".go")).to_contain_text("在文三路店自提")  # the store is taken for the customer
    page.get_by_role("link", name="去结算").click()
    page.get_by_label("姓名").fill(name)
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name=re.compile("提交订单")).click()
    page.get_by_role("button", name="确认支付").click()  # at the wallet's cashier: nothing typed
    expect(page.get_by_role("heading", name=re.compile("订单 "))).to_be_visible()


def complete_orders(app, days_ago: int):
    """The store picks and hands over every open order; then it is as if that happened days ago."""
    with app.app_context():
        staff = db.session.scalar(db.select(User).where(User.username == "hq"))
        for found in db.session.scalars(db.select(OnlineOrder)).all():
            if found.is_open:
                online.start_picking(found, staff)
                online.mark_ready(found, staff)
                online.hand_over(found, staff)
            found.order.completed_at -= timedelta(days=days_ago)
        db.session.commit()


def run(app, *command):
    result = app.test_cli_runner().invoke(args=["outreach", *command])
    assert result.exit_code == 0, result.output
    return result.output


def test_referral_rewards_both_and_a_segment_message_skips_the_opted_out(browser: Browser, growth_app, growth_url):
    inviter = browser.new_context(**PHONE).new_page()
    inviter.goto(f"{growth_url}/shop/account/sign-up")
    sign_up(inviter, *INVITER)
    order_coffee(inviter, growth_url, *INVITER)
    inviter.goto(f"{growth_url}/shop/invite")
    expect(inviter.get_by_role("img", name="您的邀请链接二维码")).to_be_visible()
    link = inviter.get_by_role("textbox", name="您的邀请链接").input_value()
    assert "/shop/invite/" in link

    friend = browser.new_context(**PHONE).new_page()
    friend.goto(link)
    expect(friend.get_by_role("heading", name="王芳 邀请您")).to_be_visible()
    friend.get_by_role("main").get_by_role("link", name="注册").click()
    sign_up(friend, *FRIEND)
    order_coffee(friend, growth_url, *FRIEND)
    with growth_app.app_context():
        assert db.session.scalar(db.select(db.func.count(Referral.id))) == 1

    complete_orders(growth_app, days_ago=3)
    assert "rewarded 0" in run(growth_app, "referrals")  # inside the 7-day return window
    complete_orders(growth_app, days_ago=5)  # now 8 days ago
    assert "rewarded 1" in run(growth_app, "referrals")
    for page in (inviter, friend):
        page.goto(f"{growth_url}/shop/invite")
        expect(page.get_by_role("region", name="我的优惠券").locator("li")).to_have_count(1)
        expect(page.get_by_text("可以使用")).to_be_visible()
    expect(inviter.get_by_text("136****0002")).to_be_visible()
    expect(inviter.get_by_text("已奖励：你们各得一张券")).to_be_visible()

    friend.goto(f"{growth_url}/shop/message-settings")
    friend.get_by_label("不接收营销消息").check()
    friend.get_by_role("button", name="保存").click()
    expect(friend.get_by_text("已保存")).to_be_visible()

    manager = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    manager.goto(f"{growth_url}/login")
    manager.get_by_label("用户名").fill("hq")
    manager.get_by_label("密码").fill("hq-pass-123")
    manager.get_by_role("button", name="登录").click()
    manager.goto(f"{growth_url}/manage/growth")
    manager.get_by_role("button", name="立即重新计算标签").click()
    expect(manager.get_by_text("已为 2 位会员重新计算标签")).to_be_visible()
    manager.get_by_role("link", name="人群与消息").click()
    manager.get_by_label("人群名称").fill("新客")
    manager.get_by_label("新客").select_option("all")
    expect(manager.locator("#segment-count")).to_have_text("2 位会员")
    manager.get_by_role("button", name="保存人群").click()
    manager.get_by_label(re.compile("^内容")).fill("{name}您好,本周冰美式第二杯半价")
    manager.get_by_role("button", name="试发送：统计人数并预览").click()
    expect(manager.get_by_role("status").filter(has_text="将有 1 位会员收到")).to_be_visible()
    manager.get_by_role("button", name="发送", exact=True).click()
    expect(manager.get_by_text("已排队 1 条消息；1 位已退订")).to_be_visible()
    with growth_app.app_context():
        sent = db.session.scalars(db.select(MemberMessage).where(MemberMessage.kind == "campaign")).all()
        assert [m.phone for m in sent] == [INVITER[0]]
        assert sent[0].body.startswith("王芳您好")
    assert "sent 3" in run(growth_app, "send")  # two referral rewards and the one campaign message
