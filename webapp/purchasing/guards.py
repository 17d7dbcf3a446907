"""Who buys for a store."""
from webapp.auth.models import Role

BUYERS = (Role.STORE_MANAGER, Role.FRANCHISEE)  # a store's own purchase orders; HQ may do any store's
