"""Supply routes: the store's side (store_views) and head office's (hq_views), on one blueprint."""
from webapp.supply import hq_views, store_views  # noqa: F401
from webapp.supply.blueprint import bp  # noqa: F401
