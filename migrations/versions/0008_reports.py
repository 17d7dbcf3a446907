"""reports: indexes for orders completed and moves by reason in a period

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 02:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_completed_at', ['completed_at'], unique=False)
        batch_op.create_index('ix_orders_store_completed', ['store_id', 'completed_at'], unique=False)
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.create_index('ix_stock_moves_reason_created', ['reason', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_moves_reason_created')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_store_completed')
        batch_op.drop_index('ix_orders_completed_at')
