"""The online shop's pages: browsing, the cart, checkout and orders, the customer's account."""
from webapp.shop import account_views, browse_views, cart_views, order_views, payment_views  # noqa: F401  (their routes join bp)
