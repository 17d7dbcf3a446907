"""hot reads: the newest products walked by an index; orders by customer through the tags' index alone

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 13:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_newest', ['created_at', 'id'], unique=False)
    # ix_orders_customer_sales (customer_id, status, kind, completed_at, total) starts with customer_id
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_customer_id')


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_customer_id', ['customer_id'], unique=False)
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_newest')
