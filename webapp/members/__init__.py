"""Members: one member per mobile number across every store and channel — the member card (tier,
growth), the member code, stored value (储值) and points (积分). A member is the shop's customer
``User``; this room keeps what membership adds, keyed by ``customer_id``."""
