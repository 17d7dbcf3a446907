"""Fixtures for members: stocked SKUs, a member with a card, sales and returns at the till."""
import pytest

from tests.conftest import manager_of
from webapp.members import cards
from webapp.sales import services as sales
from webapp.sales.services import Tender
from webapp.stock import services as stock


@pytest.fixture
def stocked(make_sku):
    def make(store, qty=50, cost="2.00", **sku_fields):
        sku = make_sku(**sku_fields)
        stock.receive(store, sku, qty, cost, user=None, document=("receipt", "R1"))
        return sku

    return make


@pytest.fixture
def member(till):
    customer, _ = cards.enrol("13800138000", "王芳", store=till.store)
    return customer


def ring_up(till, member, *skus_and_quantities):
    order = till.sale()
    if member is not None:
        sales.name_member(order, member)
    for sku, qty in skus_and_quantities:
        sales.add_item(order, sku, qty)
    return order


def pay(till, order, *tenders):
    return sales.complete_sale(order, list(tenders) or [Tender("cash", str(order.total))], user=till.cashier,
                               client_uuid=f"sale-{order.number}")


def take_back(till, line, qty, **options):
    options.setdefault("client_uuid", None)
    options.setdefault("approver", manager_of(till.store))
    return sales.return_lines(line.order, [(line, qty)], user=till.cashier, shift=till.shift,
                              register=till.register, **options)
