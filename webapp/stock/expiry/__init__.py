"""Near-expiry lots per store, the chain's warning days per category, markdown suggestions."""
