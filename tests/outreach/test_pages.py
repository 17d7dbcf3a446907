"""The managers' and customers' member-growth pages: who may open them, what they show, bad input."""
import pytest

from webapp.auth.models import Role
from webapp.extensions import db
from webapp.outreach import segments, tags
from webapp.outreach.models import Segment


@pytest.fixture
def shop_with_members(member, bought, make_sku, till):
    sku = make_sku(name="冰美式", price="15.00")
    people = [member("王芳"), member("李强")]
    for person in people:
        bought(person, (sku, 1), days_ago=2)
    tags.recompute()
    return till.store, people


def test_hq_sees_the_overview_segments_reports_and_settings(client, login, make_user, shop_with_members):
    login(make_user(role=Role.HQ_ADMIN))
    for url in ("/manage/growth", "/manage/growth/segments", "/manage/growth/reports", "/manage/growth/settings"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "新客" in client.get("/manage/growth").get_data(as_text=True)
    report = client.get("/manage/growth/reports").get_data(as_text=True)
    assert "100.0%" not in report and "0.0%" in report


def test_recompute_now_button(client, login, make_user, shop_with_members):
    login(make_user(role=Role.HQ_ADMIN))
    tags.sql("DELETE FROM member_tags")
    db.session.commit()
    assert client.post("/manage/growth/recompute").status_code == 303
    assert tags.tag_counts()


def test_cashiers_and_customers_may_not_enter(client, login, make_user, shop_with_members, member):
    store, _people = shop_with_members
    login(make_user(role=Role.CASHIER, stores=[store]))
    assert client.get("/manage/growth").status_code == 403
    assert client.get("/manage/growth/settings").status_code == 403


def test_a_segment_is_saved_with_its_count_and_the_live_count_answers(client, login, make_user, shop_with_members):
    store, people = shop_with_members
    login(make_user(role=Role.STORE_MANAGER, stores=[store]))
    count = client.get("/manage/growth/segments/count", query_string={"tag:rfm:new": "all"})
    assert "2" in count.get_data(as_text=True)
    response = client.post("/manage/growth/segments", data={"name": "新客", "tag:rfm:new": "all"})
    assert response.status_code == 303
    saved = db.session.scalar(db.select(Segment))
    assert (saved.all_tags, saved.store_id) == (["rfm:new"], store.id)  # a store's manager: their store
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "王芳" not in page and ">2<" in page
    dry = client.post(f"/manage/growth/segments/{saved.id}/dry-run", data={"body": "{name}您好"})
    assert dry.status_code == 200 and "2" in dry.get_data(as_text=True)
    bad = client.post(f"/manage/growth/segments/{saved.id}/dry-run", data={"body": "{nmae}您好"})
    assert bad.status_code == 422 and "{nmae}" in bad.get_data(as_text=True)
    sent = client.post(f"/manage/growth/segments/{saved.id}/send", data={"body": "{name}您好"})
    assert sent.status_code == 303


def test_an_empty_segment_form_is_refused_in_the_users_language(client, login, make_user, shop_with_members):
    store, _people = shop_with_members
    login(make_user(role=Role.STORE_MANAGER, stores=[store]))
    response = client.post("/manage/growth/segments", data={"name": "空"})
    assert response.status_code == 422
    assert "至少选择一个标签" in response.get_data(as_text=True)
    long_name = client.post("/manage/growth/segments", data={"name": "x" * 61, "tag:rfm:new": "all"})
    assert long_name.status_code == 422
    nul = client.post("/manage/growth/segments", data={"name": "a\x00", "tag:rfm:\x00": "all"})
    assert nul.status_code in (400, 422)  # the app's guard refuses NUL bytes before any view


def test_another_stores_segment_and_member_are_out_of_reach(client, login, make_user, make_store, shop_with_members):
    store, people = shop_with_members
    theirs = segments.save("别家", segments.Rule(all_tags=["rfm:new"], store_id=store.id), user=None)
    login(make_user(role=Role.STORE_MANAGER, stores=[make_store()]))
    assert client.get(f"/manage/growth/segments/{theirs.id}").status_code == 403
    assert client.get(f"/manage/growth/{people[0].id}").status_code == 403
    assert client.post("/manage/growth/segments", data={"name": "x", "tag:rfm:new": "all",
                                                        "store": store.id}).status_code == 403
    assert client.get("/manage/growth/segments/999999").status_code == 404


def test_a_manager_tags_a_member_by_hand(client, login, make_user, shop_with_members):
    store, people = shop_with_members
    login(make_user(role=Role.STORE_MANAGER, stores=[store]))
    found = client.get("/manage/growth/find", query_string={"phone": people[0].phone})
    assert found.status_code == 303
    assert client.post(f"/manage/growth/{people[0].id}/tags", data={"tag": "爱喝咖啡"}).status_code == 303
    assert "manual:爱喝咖啡" in tags.tags_of(people[0].id)
    assert "爱喝咖啡" in client.get(f"/manage/growth/{people[0].id}").get_data(as_text=True)
    refused = client.post(f"/manage/growth/{people[0].id}/tags", data={"tag": "a:b"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert client.get("/manage/growth/find", query_string={"phone": "12345"}).status_code in (404, 422)


def test_settings_refuse_nonsense(client, login, make_user):
    login(make_user(role=Role.HQ_ADMIN))
    for bad in ({"cap_messages": "-1"}, {"cap_days": "abc"}, {"referral_reward": "99", "reward_minimum": "20"}):
        assert client.post("/manage/growth/settings", data=bad).status_code == 422, bad
    assert client.post("/manage/growth/settings", data={"cap_messages": "3", "referral_reward": "15.00",
                                                        "reward_minimum": "30.00"}).status_code == 303


def test_customers_set_their_birthday_and_opt_out(client, member):
    me = member()
    db.session.commit()
    assert client.get("/shop/message-settings").status_code == 303  # sign in first
    client.post("/shop/account/sign-in", data={"phone": me.phone, "password": "secret-pass-1"})
    assert client.post("/shop/message-settings", data={"messages": "no", "birthday": "1990-05-17"}).status_code == 303
    profile = tags.profile(me.id)
    assert profile.opted_out and profile.birthday.month == 5
    for bad in ("1990-13-01", "2999-01-01", "x" * 100):
        assert client.post("/shop/message-settings", data={"messages": "yes", "birthday": bad}).status_code == 422
    assert client.post("/shop/message-settings", data={"messages": "yes", "birthday": ""}).status_code == 303
    assert not tags.profile(me.id).opted_out


def test_often_bought_together_shows_on_the_product_page(client, member, bought, make_sku):
    milk, cereal = make_sku(name="婴儿奶粉"), make_sku(name="宝宝米粉")
    someone = member()
    for _ in range(2):
        bought(someone, (milk, 1), (cereal, 1))
    tags.recompute()
    db.session.commit()
    page = client.get(f"/shop/products/{milk.product_id}").get_data(as_text=True)
    assert "宝宝米粉" in page and "together-title" in page
