"""Staff take an online order through its steps on the fulfilment screens."""
from decimal import Decimal

from tests.fulfil.conftest import HX
from webapp.catalog.models import Category
from webapp.extensions import db
from webapp.sales.online import services as online
from webapp.stock.queries import level_at

ZH = {"Accept-Language": "zh-CN"}


def url(store, order, action=""):
    return f"/fulfil/stores/{store.id}/orders/{order.id}{action}"


def test_picked_and_ready_tells_the_customer_once_even_on_a_double_tap(
        client, login, online_store, stocked, paid_order, staff):
    store = online_store()
    order = paid_order(store, (stocked({store: 5}), 2))
    login(staff(store))
    assert client.post(url(store, order, "/start")).status_code == 303
    first, second = client.post(url(store, order, "/ready")), client.post(url(store, order, "/ready"))
    assert first.status_code == second.status_code == 303
    db.session.refresh(order)
    assert order.status == "ready"
    assert [n.kind for n in order.notifications] == ["accepted", "ready"]


def test_ready_for_an_order_the_customer_cancelled_meanwhile_is_refused_and_nothing_is_consumed(
        client, login, online_store, stocked, paid_order, staff):
    store = online_store()
    tea = stocked({store: 5})
    order = paid_order(store, (tea, 2))
    login(staff(store))
    page = client.get(url(store, order), headers=ZH)  # staff open it while it is new...
    assert page.status_code == 200
    online.cancel(order, by_customer=True)  # ...and the customer cancels on their phone
    db.session.commit()
    refused = client.post(url(store, order, "/start"), headers=ZH)
    assert refused.status_code == 409
    assert order.order.number in refused.get_data(as_text=True)
    assert "已取消" in refused.get_data(as_text=True)
    assert client.post(url(store, order, "/ready")).status_code == 409
    db.session.refresh(order)
    assert order.status == "cancelled"
    assert level_at(store, tea) == (Decimal("5.000"), Decimal("0.000"))
    assert order.paid == 0


def test_marking_an_item_unavailable_on_the_order_page_refunds_it_once(
        client, login, online_store, stocked, paid_order, staff):
    store = online_store()
    tea, cake = stocked({store: 5}, price="4.50"), stocked({store: 3}, price="12.00", name="月饼")
    order = paid_order(store, (tea, 2), (cake, 1))
    login(staff(store))
    client.post(url(store, order, "/start"))
    page = client.get(url(store, order)).get_data(as_text=True)
    cake_line = next(ln for ln in order.order.lines if ln.sku_id == cake.id)
    assert f"/lines/{cake_line.id}/unavailable" in page
    for _tap in range(2):
        assert client.post(url(store, order, f"/lines/{cake_line.id}/unavailable"), headers=HX).status_code == 204
    db.session.expire_all()
    assert order.order.total == Decimal("9.00") and order.paid == Decimal("9.00")
    assert [p.amount for p in order.order.payments] == [Decimal("21.00"), Decimal("-12.00")]
    assert level_at(store, cake)[1] == 0
    page = client.get(url(store, order)).get_data(as_text=True)
    assert "<s>月饼 × 1</s>" in page


def test_a_delivery_goes_out_with_a_dispatch_note_and_its_stock_leaves(
        client, login, online_store, stocked, paid_order, staff):
    store = online_store()
    tea = stocked({store: 5}, price="15.00", name="龙井")
    order = paid_order(store, (tea, 2), delivery=online.Delivery("文三路 100 号 3 单元 501", "西湖区", fee=Decimal("5")))
    login(staff(store))
    note = client.get(url(store, order, "/dispatch-note"), headers=ZH).get_data(as_text=True)
    for fact in ("文三路 100 号 3 单元 501", order.phone, "龙井", "¥5.00", "¥35.00"):
        assert fact in note
    client.post(url(store, order, "/start"))
    client.post(url(store, order, "/ready"))
    assert client.post(url(store, order, "/dispatch")).status_code == 303
    db.session.refresh(order)
    assert order.status == "out_for_delivery"
    assert [n.kind for n in order.notifications] == ["accepted", "out_for_delivery"]
    assert level_at(store, tea) == (Decimal("3.000"), Decimal("0.000"))
    client.post(url(store, order, "/delivered"))
    db.session.refresh(order)
    assert order.status == "delivered"


def test_a_pickup_order_has_no_dispatch_note(client, login, online_store, stocked, paid_order, staff):
    store = online_store()
    order = paid_order(store, (stocked({store: 5}), 1))
    login(staff(store))
    assert client.get(url(store, order, "/dispatch-note")).status_code == 404


def test_the_store_cancels_with_a_reason_and_everything_goes_back(
        client, login, online_store, stocked, paid_order, staff):
    store = online_store()
    tea = stocked({store: 5})
    order = paid_order(store, (tea, 2))
    login(staff(store))
    client.post(url(store, order, "/start"))
    assert client.post(url(store, order, "/cancel"), data={"reason": "冷柜坏了"}).status_code == 303
    db.session.refresh(order)
    assert (order.status, order.cancel_reason, order.paid) == ("cancelled", "冷柜坏了", Decimal("0.00"))
    assert level_at(store, tea)[1] == 0


def test_a_combined_pick_list_walks_the_store_by_category(client, login, online_store, stocked, paid_order, staff):
    store = online_store()
    drinks, snacks = Category(name="饮料", position=2), Category(name="零食", position=1)
    db.session.add_all([drinks, snacks])
    cola = stocked({store: 9}, name="可乐")
    chips = stocked({store: 9}, name="薯片")
    cola.product.category, chips.product.category = drinks, snacks
    first, second = paid_order(store, (cola, 2), (chips, 1)), paid_order(store, (cola, 1))
    login(staff(store))
    page = client.get(f"/fulfil/stores/{store.id}/pick-list?order={first.id}&order={second.id}").get_data(as_text=True)
    assert page.index("薯片") < page.index("可乐")  # snacks come first on the walk
    assert "<strong>3</strong>" in page  # the cola of both orders, picked together
    assert f"{first.order.number} × 2" in page and f"{second.order.number} × 1" in page
    single = client.get(url(store, second, "/pick-list")).get_data(as_text=True)
    assert "可乐" in single and "薯片" not in single
