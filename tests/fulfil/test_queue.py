"""The store's queue of online orders as staff see it: by status, live, only their own store's."""
from tests.fulfil.conftest import HX
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.sales.online import services as online


def test_the_queue_shows_the_stores_orders_by_status(client, login, online_store, stocked, paid_order, staff):
    store = online_store()
    tea = stocked({store: 9}, name="龙井")
    waiting, picking = paid_order(store, (tea, 1)), paid_order(store, (tea, 2))
    cashier = staff(store)
    online.start_picking(picking, cashier)
    login(cashier)
    page = client.get(f"/fulfil/stores/{store.id}/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    new_column = page.split('id="col-new"')[1].split("</section>")[0]
    picking_column = page.split('id="col-picking"')[1].split("</section>")[0]
    assert waiting.order.number in new_column and picking.order.number not in new_column
    assert picking.order.number in picking_column
    assert 'data-waiting="1"' in page  # the badge


def test_a_cashier_of_one_store_never_sees_another_stores_orders(
        client, login, online_store, stocked, paid_order, staff):
    mine, theirs = online_store(), online_store()
    tea = stocked({mine: 5, theirs: 5})
    other = paid_order(theirs, (tea, 1))
    login(staff(mine))
    assert client.get(f"/fulfil/stores/{theirs.id}/").status_code == 403
    assert client.get(f"/fulfil/stores/{theirs.id}/signal").status_code == 403
    assert client.get(f"/fulfil/stores/{mine.id}/orders/{other.id}").status_code == 404
    assert client.post(f"/fulfil/stores/{mine.id}/orders/{other.id}/start").status_code == 404
    assert other.order.number not in client.get(f"/fulfil/stores/{mine.id}/").get_data(as_text=True)
    combined = client.get(f"/fulfil/stores/{mine.id}/pick-list?order={other.id}").get_data(as_text=True)
    assert other.order.number not in combined


def test_a_manager_of_one_store_is_refused_another_store_too(client, login, online_store, staff):
    mine, theirs = online_store(), online_store()
    login(staff(mine, role=Role.STORE_MANAGER))
    assert client.get(f"/fulfil/stores/{theirs.id}/").status_code == 403
    assert client.get("/fulfil/").location.endswith(f"/fulfil/stores/{mine.id}/")


def test_the_poll_tells_the_page_when_a_new_order_arrives(client, login, online_store, stocked, paid_order, staff):
    store = online_store()
    tea = stocked({store: 5})
    login(staff(store))
    quiet = client.get(f"/fulfil/stores/{store.id}/signal?v=0.0", headers=HX)
    assert "HX-Trigger" not in quiet.headers
    assert 'hx-trigger="every 3s"' in quiet.get_data(as_text=True)
    order = paid_order(store, (tea, 1))
    db.session.commit()
    arrived = client.get(f"/fulfil/stores/{store.id}/signal?v=0.0", headers=HX)
    assert arrived.headers["HX-Trigger"] == "queue-changed, new-online-order"
    assert 'data-waiting="1"' in arrived.get_data(as_text=True)
    stamp = arrived.get_data(as_text=True).split("v=")[1].split('"')[0]
    assert "HX-Trigger" not in client.get(f"/fulfil/stores/{store.id}/signal?v={stamp}", headers=HX).headers
    online.start_picking(order, None)
    db.session.commit()
    changed = client.get(f"/fulfil/stores/{store.id}/signal?v={stamp}", headers=HX)
    assert changed.headers["HX-Trigger"] == "queue-changed"  # a change, not a new order: no chime


def test_the_queue_fragment_is_what_htmx_fetches(client, login, online_store, stocked, paid_order, staff):
    store = online_store()
    order = paid_order(store, (stocked({store: 5}), 1))
    login(staff(store))
    fragment = client.get(f"/fulfil/stores/{store.id}/", headers=HX).get_data(as_text=True)
    assert 'id="queue"' in fragment and "<html" not in fragment
    assert order.order.number in fragment
