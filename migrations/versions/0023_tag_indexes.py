"""tag indexes: the members' completed orders with their time and total, for recomputing tags

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 09:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_customer_sales',
                              ['customer_id', 'status', 'kind', 'completed_at', 'total'], unique=False)


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_customer_sales')
