"""A store's stock alerts, computed from the current levels and moves on each read."""
