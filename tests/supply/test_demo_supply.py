"""The demo chain's franchisee finds suggestions, an order on its way, and an account that adds up."""
from decimal import Decimal

from sqlalchemy import select

from webapp.demo import load_demo
from webapp.extensions import db
from webapp.stores.models import Store
from webapp.supply import account, queries
from webapp.supply.models import OrderStatus
from webapp.supply.suggestions import suggested_order


def test_the_demo_franchisee_sees_suggestions_an_order_on_its_way_and_the_account():
    load_demo()
    franchise = db.session.scalar(select(Store).where(Store.code == "HZ03"))
    assert len(suggested_order(franchise)) >= 3
    [shipped] = queries.on_its_way(franchise)
    assert shipped.status == OrderStatus.SHIPPED and all(li.shipped == li.asked for li in shipped.lines)
    assert account.balance(franchise) == shipped.approved_total - Decimal("50.00")
    assert [o.store.code for o in queries.queue()] == ["HZ01"]
