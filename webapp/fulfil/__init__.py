"""Fulfilment: the store's queue of online orders, picking, pick lists, dispatch notes (see views.py)."""
