"""The demo stores' tills, and the managers' PINs for approving discounts."""
from webapp.auth.models import User
from webapp.pos.services import save_register, set_pin
from webapp.stores.models import Store

# store code → (till name, receipt paper in mm)
TILLS = {
    "HZ01": [("1号收银台", 80), ("2号收银台", 58)],
    "HZ02": [("1号收银台", 80)],
    "HZ03": [("1号收银台", 58)],
}
MANAGER_PIN = "1234"  # printed by `flask load-demo`
APPROVERS = ("manager", "manager2", "franchisee")


def create_tills(stores: dict[str, Store], users: dict[str, User]) -> None:
    for code, tills in TILLS.items():
        for name, width in tills:
            save_register(None, store=stores[code], name=name, receipt_width=width)
    for username in APPROVERS:
        set_pin(users[username], MANAGER_PIN)
