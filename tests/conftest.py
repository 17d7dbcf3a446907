"""Fixtures for the whole suite: one app and database per run, emptied after each test.

The database is an SQLite file in a temp dir, or PostgreSQL when
TEST_DATABASE_URL is set (`make test` does both).
"""
import itertools
import os
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal

import pytest
from flask import g
from sqlalchemy import text

from webapp import create_app
from webapp.auth.models import Role, User
from webapp.auth.services import save_user
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.pos import services as pos
from webapp.pos.models import Register, Shift
from webapp.promotions import rules
from webapp.sales import services as sales
from webapp.sales.models import Order
from webapp.stock import services as stock
from webapp.stores.models import Store
from webapp.stores.services import save_store

PASSWORD = "secret-pass-1"


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Compile the .po catalogues, so `pytest` alone (not only `make test`) sees translations."""
    pybabel = os.path.join(os.path.dirname(sys.executable), "pybabel")
    subprocess.run([pybabel, "compile", "-d", "webapp/translations"], check=True, capture_output=True,
                   cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),  # product photos: never in the checkout's instance/
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test",
    })
    # Tests hold an app context open, which Flask reuses for the client's requests;
    # start each request with an empty `g` as a real request would (locale, user).
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: g.__dict__.clear())
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def clean_database(app):
    """Each test starts in an app context on empty tables."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        _empty_tables()
        rules.drop_cached()  # the tables were emptied behind the session's back: no rule book survives them


def _empty_tables():
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture(autouse=True)
def fresh_limits(app):
    """Throttling counts (failed logins, PIN guesses) start from nothing in each test."""
    from webapp.extensions import limiter

    limiter.reset()


@pytest.fixture(autouse=True)
def fresh_sold_out_memo():
    """What this process saw sold out (``stock.sold_out``) is keyed by ids each test's tables use again."""
    from webapp.stock import sold_out

    sold_out.forget_all()


@pytest.fixture(autouse=True)
def fresh_sandbox_provider():
    """The sandbox remembers charges and refunds as a provider would: forget them between tests."""
    from webapp.sales.providers import SandboxProvider

    for memory in (SandboxProvider._charges, SandboxProvider._refunds, SandboxProvider._no_refunds):
        memory.clear()


@pytest.fixture
def client(app):
    return app.test_client()


_numbers = itertools.count(1)


@pytest.fixture
def make_store():
    def make(code=None, name=None, **fields):
        number = next(_numbers)
        store = save_store(None, code=code or f"S{number}", name=name or f"门店{number}", **fields)
        stock.ensure_locations(store)
        return store

    return make


@pytest.fixture
def make_user():
    def make(role=Role.STORE_MANAGER, stores=(), username=None, password=PASSWORD, **fields) -> User:
        return save_user(None, username=username or f"{role}{next(_numbers)}", display_name=fields.pop("display_name", ""),
                         role=role, stores=list(stores), password=password, **fields)

    return make


@pytest.fixture
def make_sku():
    """A product with one SKU; returns the SKU."""
    def make(name=None, price="3.50", barcode=None, tracking="none", weighed=False, unit="piece", plu=None, **fields):
        number = next(_numbers)
        product = save_product(
            None, name=name or f"商品{number}", tracking=tracking, weighed=weighed, unit=unit, plu=plu,
            variants=[VariantInput(code=fields.pop("code", f"SKU{number}"), list_price=price,
                                   barcodes=[barcode] if barcode else [], **fields)],
        )
        return product.skus[0]

    return make


@pytest.fixture
def login(client):
    def log_in(user: User, password: str = PASSWORD):
        db.session.commit()
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return log_in


def manager_of(store) -> User:
    """A manager of the store (made on first use): approves refunds, which every store asks for by default."""
    found = db.session.scalar(db.select(User).where(User.username == f"manager-of-{store.code}"))
    return found or save_user(None, username=f"manager-of-{store.code}", display_name="店长", role=Role.STORE_MANAGER,
                              stores=[store], password=PASSWORD)


def qty(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.001"))


# ---------------------------------------------------------------- the till (pos, sales, fulfilment tests)

_tills = itertools.count(1)


@dataclass
class Till:
    """A register with its open shift and its cashier (李四)."""

    store: Store
    register: Register
    cashier: User
    shift: Shift

    def sale(self) -> Order:
        return sales.open_sale(self.store, self.register, self.shift, self.cashier)

    def sell(self, *skus_and_quantities, pay=None, discount=None, approver=None) -> Order:
        """Ring up and complete a sale; ``pay``: Tenders (default: exact cash)."""
        order = self.sale()
        for sku, qty in skus_and_quantities:
            sales.add_item(order, sku, qty)
        if discount:
            sales.apply_order_discount(order, discount, user=self.cashier, approver=approver)
        pay = pay or [sales.Tender("cash", str(order.total))]
        return sales.complete_sale(order, pay, user=self.cashier, client_uuid=f"sale-{order.number}")


@pytest.fixture
def make_till(make_store, make_user):
    def make(store=None, width=80, opening_float="200.00", **store_fields) -> Till:
        store = store or make_store(**store_fields)
        register = pos.save_register(None, store=store, name=f"{next(_tills)}号收银台", receipt_width=width)
        cashier = make_user(role=Role.CASHIER, stores=[store], display_name="李四")
        return Till(store, register, cashier, pos.open_shift(register, cashier, opening_float))

    return make


@pytest.fixture
def till(make_till) -> Till:
    return make_till()
