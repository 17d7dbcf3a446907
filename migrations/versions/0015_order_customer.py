"""orders: who bought (the customer of an online order, the member named at the till)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_customer_id'), ['customer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_orders_customer_id_users'), 'users', ['customer_id'], ['id'])
    # The online orders placed so far: their customer is known.
    op.execute("UPDATE orders SET customer_id = (SELECT customer_id FROM online_orders"
               " WHERE online_orders.order_id = orders.id)"
               " WHERE EXISTS (SELECT 1 FROM online_orders WHERE online_orders.order_id = orders.id)")


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orders_customer_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_orders_customer_id'))
        batch_op.drop_column('customer_id')
