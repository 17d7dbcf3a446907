"""Online orders: placed in the shop, paid online or at pickup, fulfilled by the store (models, services, errors)."""
