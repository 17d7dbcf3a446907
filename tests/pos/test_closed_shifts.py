"""Past Z reports: a manager finds every closed shift of a till, opens its Z report again and reprints it."""
from decimal import Decimal

from webapp.auth.models import Role
from webapp.extensions import db
from webapp.pos import services as pos

ZH = {"Accept-Language": "zh-CN"}


def close(till, sku, qty, counted):
    till.sell((sku, qty))
    pos.close_shift(till.shift, counted, till.cashier)


def test_a_manager_finds_the_closed_shifts_of_a_till_and_their_z_reports(client, till, stocked, make_user, login):
    sku = stocked(till.store, barcode="6921168509256", price="10.00")
    close(till, sku, 2, {"100": 2, "10": 2})  # ¥220 expected and counted
    first = till.shift
    till.shift = pos.open_shift(till.register, till.cashier, "200.00")
    close(till, sku, 1, {"100": 2, "5": 1})  # ¥210 expected, ¥205 counted: five short
    second = till.shift
    pos.open_shift(till.register, till.cashier, "200.00")  # the next shift, still open: not listed
    db.session.commit()
    login(make_user(Role.STORE_MANAGER, stores=[till.store]))
    assert till.register.name in client.get("/pos/", headers=ZH).get_data(as_text=True)
    assert f"/pos/registers/{till.register.id}/shifts" in client.get("/pos/").get_data(as_text=True)

    page = client.get(f"/pos/registers/{till.register.id}/shifts", headers=ZH).get_data(as_text=True)
    assert page.index(f"/pos/shifts/{second.id}/report") < page.index(f"/pos/shifts/{first.id}/report")
    assert f'data-testid="net-{first.id}">¥20.00' in page and f'data-testid="net-{second.id}">¥10.00' in page
    assert "-¥5.00" in page and page.count("/report?print=1") == 2
    report = client.get(f"/pos/shifts/{first.id}/report?print=1", headers=ZH).get_data(as_text=True)
    assert '<th class="num" data-testid="z-counted">¥220.00</th>' in report and "data-print-on-load" in report


def test_cashiers_and_other_stores_managers_do_not_see_a_tills_shifts(client, till, make_store, make_user, login):
    login(till.cashier)
    assert client.get(f"/pos/registers/{till.register.id}/shifts").status_code == 403
    login(make_user(Role.STORE_MANAGER, stores=[make_store()]))
    assert client.get(f"/pos/registers/{till.register.id}/shifts").status_code == 403


def test_a_till_without_closed_shifts_says_so(client, till, make_user, login):
    login(make_user(Role.STORE_MANAGER, stores=[till.store]))
    page = client.get(f"/pos/registers/{till.register.id}/shifts", headers=ZH).get_data(as_text=True)
    assert "还没有关闭过的班次" in page


def test_closed_shifts_come_in_pages(client, till, make_user, login):
    for _ in range(31):
        pos.close_shift(till.shift, {}, till.cashier)
        till.shift = pos.open_shift(till.register, till.cashier, "0.00")
    db.session.commit()
    login(make_user(Role.STORE_MANAGER, stores=[till.store]))
    first = client.get(f"/pos/registers/{till.register.id}/shifts").get_data(as_text=True)
    second = client.get(f"/pos/registers/{till.register.id}/shifts?page=2").get_data(as_text=True)
    assert first.count("/report?print=1") == 30 and second.count("/report?print=1") == 1
    assert Decimal("0.00") == till.shift.opening_float
