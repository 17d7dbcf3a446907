"""Sales: one order model for every channel (till, online shop, store orders), payments, returns."""
