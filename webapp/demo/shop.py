"""The demo chain's online shop: which stores take online orders, how far they deliver, and for what.

The stores' positions and districts (Hangzhou) come with the stores themselves.
"""
from decimal import Decimal

from webapp.extensions import db
from webapp.stores.models import Store

# code: pickup, delivery radius (m), delivery fee, minimum order, pay at pickup, unpaid hold (minutes)
ONLINE = {
    "HZ01": (True, 3000, "5.00", "29.00", True, 15),
    "HZ02": (True, 5000, "6.00", "39.00", False, 15),
    "HZ03": (True, 2500, "4.00", "25.00", True, 20),
}


def open_online_shop(stores: dict[str, Store]) -> None:
    for code, (pickup, radius, fee, minimum, at_pickup, hold) in ONLINE.items():
        store = stores[code]
        store.online_pickup, store.delivery_radius_m = pickup, radius
        store.delivery_fee, store.minimum_order = Decimal(fee), Decimal(minimum)
        store.pay_at_pickup, store.unpaid_hold_minutes = at_pickup, hold
    db.session.flush()
