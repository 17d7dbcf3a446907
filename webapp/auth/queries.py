"""Reads of users for the admin screens."""
from sqlalchemy import select

from webapp.auth.models import User
from webapp.extensions import db


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))
