"""Report fixtures: stocked SKUs, sales and returns through the real services, and a way back in time.

Orders and moves are made now; ``backdate`` moves a document's orders and
moves into the past (a Core UPDATE: the ledger refuses edits through the ORM,
and a test is the one place where "this happened ten days ago" is set up).
"""
import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from tests.conftest import manager_of
from webapp.auth.models import Role, User
from webapp.auth.services import save_user
from webapp.catalog.services import category_by_path
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.sales import services as sales
from webapp.sales.models import Order
from webapp.sales.services import Tender
from webapp.stock import services as stock
from webapp.stock.models import StockMove

_uuids = itertools.count(1)


@pytest.fixture
def stocked(make_sku):
    """A SKU with stock received on a store's shelf at a cost, optionally in a category."""
    def make(store, qty=10, cost="2.00", category=None, **sku_fields):
        sku = make_sku(**sku_fields)
        if category:
            sku.product.category = category_by_path(category)
        stock.receive(store, sku, qty, cost, user=None, document=("receipt", f"R{sku.id}"))
        return sku

    return make


def cashier_of(store) -> User:
    """The store's cashier for these tests, made on first use."""
    username = f"report-cashier-{store.id}"
    return (db.session.scalar(select(User).where(User.username == username))
            or save_user(None, username=username, display_name="", role=Role.CASHIER, stores=[store],
                         password="secret-pass-1"))


def sell(store, sku, qty) -> Order:
    """A completed till sale (no register: the sales services allow it), paid in cash."""
    order = sales.open_sale(store)
    sales.add_item(order, sku, qty)
    return sales.complete_sale(order, [Tender("cash", str(order.total))], user=cashier_of(store),
                               client_uuid=f"report-sale-{next(_uuids)}")


def give_back(order: Order, qty, damaged: bool = False) -> Order:
    """A completed return of the sale's first line."""
    return sales.return_lines(order, [(order.lines[0], Decimal(qty))], user=cashier_of(order.store),
                              refund_method="cash", damaged=damaged, approver=manager_of(order.store))


def backdate(days: int = 0, *, order: Order | None = None, document: tuple[str, str] | None = None,
             when=None) -> None:
    """Move an order (and its stock moves), or a document's moves, ``days`` into the past (or to ``when``, UTC)."""
    when = when or utcnow() - timedelta(days=days)
    if order is not None:
        db.session.execute(update(Order.__table__).where(Order.__table__.c.id == order.id)
                           .values(completed_at=when, created_at=when))
        document = ("order", order.number)
    moves = StockMove.__table__
    db.session.execute(update(moves).where(moves.c.document_type == document[0],
                                           moves.c.document_id == document[1]).values(created_at=when))
    db.session.expire_all()
