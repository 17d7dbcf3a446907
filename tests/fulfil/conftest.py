"""Fixtures for fulfilment: the shop's online stores, stocked SKUs and orders, the till's registers."""
import pytest

import webapp.fulfil.models  # noqa: F401  (tables for create_all)
from tests.shop.conftest import customer, online_store, place, stocked  # noqa: F401  (fixtures, shared)
from webapp.auth.models import Role
from webapp.sales.online import services as online

PAID_CODE = "134567890123450001"
NO_REFUNDS_CODE = "134567890123459006"  # the sandbox takes it and refuses its refunds
HX = {"HX-Request": "true", "Accept-Language": "zh-CN"}


@pytest.fixture
def staff(make_user):
    """A store's cashier (store staff pick online orders too)."""
    def make(store, role=Role.CASHIER):
        return make_user(role=role, stores=[store], display_name="王芳")

    return make


@pytest.fixture
def paid_order(place):  # noqa: F811  (the shared fixture, asked for)
    """A placed pickup (or delivery) order, paid online with the sandbox."""
    def make(store, *lines, code=PAID_CODE, **options):
        order = place(store, *lines, **options)
        online.pay(order, "wechat", code)
        return order

    return make
