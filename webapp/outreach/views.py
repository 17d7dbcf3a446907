"""The room's routes and template helpers: the view modules, imported once (and the senders registered)."""
from webapp.outreach import manage_views, senders, shop_views, together  # noqa: F401
