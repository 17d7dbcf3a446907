"""An online payment records who paid: the wallet account the provider's notification names."""
import pytest

from tests.shop.conftest import WEST_LAKE
from tests.shop.test_shop_pages import add, checkout, choose, only_order
from webapp.extensions import db
from webapp.sales.providers import SandboxProvider


@pytest.fixture
def west(online_store):
    return online_store(WEST_LAKE, "西湖区", name="西湖店")


def test_the_payment_of_an_online_order_keeps_the_payer_the_notification_named(client, west, stocked):
    tea = stocked({west: 9}, price="8.00")
    db.session.commit()
    add(client, tea, "4")
    choose(client, fulfilment="pickup", store=west.id)
    assert checkout(client, password="my-password-1").status_code == 303
    order = only_order()
    payment = order.order.payments[0]
    assert payment.payer_account == SandboxProvider("wechat").account_of(f"customer:{order.order.customer_id}")
