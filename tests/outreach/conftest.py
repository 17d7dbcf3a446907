"""Fixtures for member growth: members (customer accounts) and their completed sales at a till."""
import itertools
from datetime import timedelta

import pytest

import webapp.outreach.models  # noqa: F401  (tables for create_all)
from webapp.auth.models import Role
from webapp.clock import utcnow
from webapp.extensions import db

_phones = itertools.count(13900000001)


@pytest.fixture
def member(make_user):
    """A customer account with a password (a member), by mobile number."""
    def make(name="", phone=None):
        phone = str(phone or next(_phones))
        return make_user(role=Role.CUSTOMER, phone=phone, username=f"c{phone}", display_name=name)

    return make


@pytest.fixture
def bought(till):
    """A completed till sale for the member, ``days_ago`` in the past: bought(member, (sku, 2), days_ago=3)."""
    def make(who, *lines, days_ago=0, at=None):
        order = till.sell(*lines)
        order.customer_id = who.id
        order.completed_at = at or utcnow() - timedelta(days=days_ago)
        db.session.flush()
        return order

    return make
