"""One demo login per role, with simple passwords printed by `flask load-demo`."""
from webapp.auth.models import Role, User
from webapp.auth.services import save_user
from webapp.stores.models import Store

# username, password, role, display name, phone, store codes
USERS = [
    ("admin", "admin-8888", Role.HQ_ADMIN, "陈立伟", "13857100001", ()),
    ("manager", "manager-8888", Role.STORE_MANAGER, "王晓燕", "13857100002", ("HZ01",)),
    ("manager2", "manager2-8888", Role.STORE_MANAGER, "李建国", "13857100003", ("HZ02",)),
    ("cashier", "cashier-8888", Role.CASHIER, "张婷", "13857100004", ("HZ01",)),
    ("franchisee", "franchisee-8888", Role.FRANCHISEE, "刘海涛", "13857100005", ("HZ03",)),
    ("customer", "customer-8888", Role.CUSTOMER, "赵敏", "13857100006", ()),
]
# The customer signs in to the shop with their mobile number (and the same password), like any customer.
CUSTOMER_PHONE, CUSTOMER_PASSWORD = next((phone, password) for _u, password, role, _n, phone, _s in USERS
                                         if role == Role.CUSTOMER)

LOGINS = [(username, password, role.value) for username, password, role, *_ in USERS]


def create_users(stores: dict[str, Store]) -> dict[str, User]:
    users = {}
    for username, password, role, display_name, phone, codes in USERS:
        users[username] = save_user(
            None, username=username, display_name=display_name, role=role,
            stores=[stores[code] for code in codes], password=password, phone=phone,
        )
    return users
