"""The online shop: storefront, cart, checkout and the customer's orders (see views.py)."""
