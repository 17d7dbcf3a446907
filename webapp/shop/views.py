"""The online shop's pages: browsing, the cart, checkout and orders, the customer's account."""
from webapp.shop import (  # noqa: F401  (their routes join bp)
    account_views,
    browse_views,
    cart_views,
    member_pay_views,
    order_views,
    payment_views,
)
