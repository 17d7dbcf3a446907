"""The demo chain comes with suppliers' terms and a purchase order waiting to be received."""
from sqlalchemy import select

from webapp.demo import load_demo
from webapp.extensions import db
from webapp.purchasing.models import OrderStatus, PurchaseOrder, SupplierItem


def test_the_demo_has_case_sizes_cost_prices_and_one_sent_purchase_order():
    load_demo()
    items = db.session.scalars(select(SupplierItem)).all()
    assert len(items) > 20 and all(item.pack_size > 1 and item.cost_price > 0 for item in items)
    [order] = db.session.scalars(select(PurchaseOrder)).all()
    assert order.status == OrderStatus.SENT and order.store.code == "HZ01" and len(order.lines) == 3
    assert all(line.quantity % line.pack_size == 0 for line in order.lines)
