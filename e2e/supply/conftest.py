"""The supply journey gets a server and database of its own: its stores, franchisees and goods never show
up in the other journeys' pages (the HQ journey expects its one store)."""
import pytest

from e2e.conftest import ADMIN
from e2e.harness import fresh_app, serving
from webapp.auth.models import Role
from webapp.auth.services import save_user
from webapp.extensions import db
from webapp.stock.services import ensure_locations
from webapp.stores.services import save_store


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    app = fresh_app(tmp_path_factory, "supply")
    with app.app_context():
        store = save_store(None, code="XH01", name="西湖一号店", kind="direct", city="杭州", district="西湖区")
        ensure_locations(store)
        save_user(None, username=ADMIN[0], display_name="总部管理员", role=Role.HQ_ADMIN, stores=[], password=ADMIN[1])
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def base_url(live_app):
    with serving(live_app) as url:
        yield url
