"""The reports own no tables; they own three indexes on other domains' tables, for their reads.

(Declared here so that the tables' own modules stay as their domains wrote
them; importing this module adds the indexes to the models' metadata.)
"""
from sqlalchemy import Index

from webapp.sales.models import Order
from webapp.stock.models import StockMove

# Orders completed in a period, of the whole chain or of one store: hot and slow sellers.
ORDERS_COMPLETED = Index("ix_orders_completed_at", Order.completed_at)
STORE_ORDERS_COMPLETED = Index("ix_orders_store_completed", Order.store_id, Order.completed_at)
# Moves of one reason in a period: sales and returns (turnover), count adjustments (variances).
MOVES_BY_REASON = Index("ix_stock_moves_reason_created", StockMove.reason, StockMove.created_at)
