"""The customer's phone: 390×844, Chinese, the browser's position near Wulin Square in Hangzhou."""
import pytest


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "is_mobile": True,
            "has_touch": True, "geolocation": {"latitude": 30.2760, "longitude": 120.1620},
            "permissions": ["geolocation"]}
