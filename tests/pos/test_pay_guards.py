"""The till's pay refuses what the database would refuse, before it does, the same on every database."""
from webapp.extensions import db
from webapp.pos import queries as pos_queries
from webapp.sales.models import Order, OrderStatus

HX = {"HX-Request": "true", "Accept-Language": "zh-CN"}


def test_the_tills_pay_with_an_over_long_client_uuid_is_refused_before_the_database(client, till, stocked, login):
    login(till.cashier)
    stocked(till.store, barcode="6921168509256", price="3.50")
    client.post(f"/pos/registers/{till.register.id}/scan", data={"code": "6921168509256"}, headers=HX)
    order = pos_queries.current_sale(till.shift)
    for key in ("x" * 37, "x" * 10_000):
        form = {"client_uuid": key, "method": ["cash"], "amount": ["10.00"], "auth_code": [""]}
        response = client.post(f"/pos/orders/{order.id}/pay", data=form, headers=HX)
        assert response.status_code == 422
        assert "太长" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.OPEN
    form = {"client_uuid": "x" * 36, "method": ["cash"], "amount": ["10.00"], "auth_code": [""]}
    assert client.post(f"/pos/orders/{order.id}/pay", data=form, headers=HX).status_code == 204
