"""Suppliers' terms, purchase orders, receiving notes (入库单) and replenishment."""
