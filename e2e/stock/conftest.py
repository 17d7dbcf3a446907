"""Stock journeys get a server and database of their own: the stores and stock they make never
show up in the other journeys' pages (the HQ journey expects its one store)."""
import os

import pytest

from e2e.harness import fresh_app, serving

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def stock_app(tmp_path_factory):
    return fresh_app(tmp_path_factory, "stock")


@pytest.fixture(scope="module")
def stock_url(stock_app):
    with serving(stock_app) as url:
        yield url
