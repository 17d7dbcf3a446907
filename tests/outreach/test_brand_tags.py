"""The favourite-brand tag: the brand a member spent most on over two orders or more, set-based with the
other tags, named for the shop owner, and chosen in the segment editor like any tag."""
from sqlalchemy import delete

from webapp.auth.models import Role
from webapp.catalog.services import brand_by_name
from webapp.extensions import db
from webapp.outreach import brand_tags, segments, tags
from webapp.outreach.models import MemberTag


def branded(make_sku, price, brand):
    sku = make_sku(price=price)
    sku.product.brand = brand_by_name(brand) if brand else None
    db.session.flush()
    return sku


def test_the_favourite_brand_is_the_one_spent_most_on_over_two_orders(member, bought, make_sku):
    water = branded(make_sku, "2.00", "农夫山泉")
    noodles = branded(make_sku, "4.50", "康师傅")
    cola = branded(make_sku, "30.00", "可口可乐")
    loose = branded(make_sku, "99.00", None)
    fan, once, nobody = member("水迷"), member("一次"), member("无品牌")
    bought(fan, (water, 5), (noodles, 1), days_ago=3)
    bought(fan, (water, 5), (noodles, 1), (cola, 1), days_ago=10)  # cola: more money, but in one order
    bought(once, (cola, 2), days_ago=2)
    bought(nobody, (loose, 1), days_ago=1)
    bought(nobody, (loose, 1), days_ago=2)
    counts = tags.recompute()
    nfsq = brand_by_name("农夫山泉")
    assert counts["brand"] == 1
    assert [t for t in tags.tags_of(fan.id) if t.startswith("brand:")] == [f"brand:{nfsq.id}"]
    assert [t for t in tags.tags_of(once.id) + tags.tags_of(nobody.id) if t.startswith("brand:")] == []
    # Read from the orders themselves (no scratch table), the same member gets the same tag.
    db.session.execute(delete(MemberTag).where(MemberTag.tag.like("brand:%")))
    assert brand_tags.favourite_brands() == 1
    assert [t for t in tags.tags_of(fan.id) if t.startswith("brand:")] == [f"brand:{nfsq.id}"]
    assert tags.labels([f"brand:{nfsq.id}"]) == {f"brand:{nfsq.id}": "最爱品牌：农夫山泉"}


def test_a_segment_by_favourite_brand_counts_its_fans(client, login, make_user, member, bought, make_sku):
    water = branded(make_sku, "2.00", "农夫山泉")
    fans = [member(), member()]
    for fan in fans:
        bought(fan, (water, 3), days_ago=3)
        bought(fan, (water, 3), days_ago=5)
    tags.recompute()
    tag = f"brand:{brand_by_name('农夫山泉').id}"
    assert segments.count(segments.Rule(all_tags=[tag])) == 2
    db.session.commit()
    login(make_user(role=Role.HQ_ADMIN))
    editor = client.get("/manage/growth/segments", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "最爱品牌：农夫山泉" in editor
    assert client.get("/manage/growth/segments/count", query_string={f"tag:{tag}": "all"}).status_code == 200
