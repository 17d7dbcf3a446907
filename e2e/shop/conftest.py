"""The customer's phone: 390×844, Chinese, the browser's position near Wulin Square in Hangzhou.

The shop's journeys run against a server and database of their own, so the
stores they open do not show up in the staff journeys that share the main one.
"""
import os

import pytest

from e2e.harness import fresh_app, serving

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "is_mobile": True,
            "has_touch": True, "geolocation": {"latitude": 30.2760, "longitude": 120.1620},
            "permissions": ["geolocation"]}


@pytest.fixture(scope="module")
def shop_app(tmp_path_factory):
    return fresh_app(tmp_path_factory, "shop")


@pytest.fixture(scope="module")
def shop_url(shop_app):
    with serving(shop_app) as url:
        yield url
