"""Stores: the HQ warehouse, direct and franchise stores."""
