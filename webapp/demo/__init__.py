"""Demo data: a convenience and grocery chain in Hangzhou, loaded by `flask --app webapp load-demo`.

load_demo() writes the stores, one login per role, about 300 products and
their opening stock through the domain services, commits once, and returns
the logins. It is idempotent: when the HQ warehouse is already there it writes
nothing and only returns the logins.
"""
from flask import current_app
from sqlalchemy import select

from webapp.catalog.photos.services import media_folder
from webapp.demo.counts import count_and_write_off
from webapp.demo.fulfil import place_online_orders
from webapp.demo.members import enrol_members
from webapp.demo.photos import add_demo_photos
from webapp.demo.products import create_catalog
from webapp.demo.purchasing import create_purchasing
from webapp.demo.reports import record_report_history
from webapp.demo.shop import open_online_shop
from webapp.demo.stock import open_stock, record_sales, set_warning_lines
from webapp.demo.stores import HQ_CODE, create_stores
from webapp.demo.supply import create_supply
from webapp.demo.tills import MANAGER_PIN, create_tills
from webapp.demo.transfers import create_transfers
from webapp.demo.users import LOGINS, create_users
from webapp.extensions import db
from webapp.stores.models import Store

__all__ = ["LOGINS", "MANAGER_PIN", "load_demo"]

# Who rings up the demo sales in each store: someone who works there.
SELLERS = {"HZ01": "cashier", "HZ02": "manager2", "HZ03": "franchisee"}


def demo_loaded() -> bool:
    return db.session.scalar(select(Store.id).where(Store.code == HQ_CODE)) is not None


def load_demo() -> list[tuple[str, str, str]]:
    """Load the demo chain once; return the logins (username, password, role)."""
    if demo_loaded():
        return list(LOGINS)
    stores = create_stores()
    open_online_shop(stores)
    users = create_users(stores)
    skus = create_catalog(stores)
    add_demo_photos(media_folder(current_app))
    received = open_stock(stores, skus, users["admin"])
    set_warning_lines(stores, skus, received)
    record_sales(stores, skus, {code: users[name] for code, name in SELLERS.items()})
    create_tills(stores, users)
    create_transfers(stores, skus, users)
    count_and_write_off(stores, skus, users)
    create_purchasing(stores, skus, users["admin"])
    record_report_history(stores, skus, {code: users[name] for code, name in SELLERS.items()})
    place_online_orders(stores, skus, users["customer"], users["cashier"])
    create_supply(stores, skus, users)
    enrol_members(stores, users)
    db.session.commit()
    return list(LOGINS)
