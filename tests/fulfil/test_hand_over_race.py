"""Taps at once against a live server: a pickup order is handed over exactly once."""
import http.client
import re
import threading
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from webapp.extensions import db
from webapp.sales.online import services as online
from webapp.sales.online.models import OnlineOrder
from webapp.stock.models import StockMove
from webapp.stock.queries import level_at

TAPS = 8


def _post(port: int, path: str, fields: dict, cookie: str = "") -> tuple[int, str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", path, urlencode(fields), {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "HX-Request": "true"})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace"), response.getheader("Set-Cookie") or ""
    finally:
        connection.close()


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    yield server.server_port
    server.shutdown()


@pytest.mark.parametrize("same_tap", [True, False], ids=["a double tap", "two tills"])
def test_taps_at_once_hand_an_order_over_once(served, make_till, online_store, stocked, paid_order, same_tap):
    till = make_till(store=online_store())
    tea = stocked({till.store: 5})
    order = paid_order(till.store, (tea, 2))
    online.start_picking(order, None)
    online.mark_ready(order, None)
    db.session.commit()
    _status, _body, cookie = _post(served, "/login", {"username": till.cashier.username, "password": PASSWORD})
    cookie = re.match(r"[^;]+", cookie).group(0)
    path = f"/pos/registers/{till.register.id}/pickups/{order.id}/hand-over"
    gate, answers = threading.Barrier(TAPS), [None] * TAPS

    def tap(i):
        gate.wait()
        answers[i] = _post(served, path, {"client_uuid": "tap" if same_tap else f"tap-{i}"}, cookie)[:2]

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(TAPS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(status for status, _body in answers)
    assert statuses == ([200] * TAPS if same_tap else [200] + [422] * (TAPS - 1))
    db.session.remove()
    assert db.session.get(OnlineOrder, order.id).status == "handed_over"
    assert level_at(till.store, tea) == (Decimal("3.000"), Decimal("0.000"))
    moves = db.session.scalars(select(StockMove).where(StockMove.sku_id == tea.id, StockMove.reason == "handover"))
    assert [m.quantity for m in moves] == [Decimal("2.000")]
