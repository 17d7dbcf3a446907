"""The supply journey gets a server and database of its own: its stores and goods never show up in the
other journeys' pages (the HQ journey expects its one store)."""
import pytest

from e2e.conftest import ADMIN
from e2e.harness import app_with_hq, serving


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    return app_with_hq(tmp_path_factory, "supply", ADMIN)


@pytest.fixture(scope="session")
def base_url(live_app):
    with serving(live_app) as url:
        yield url
