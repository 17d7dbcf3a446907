"""fulfilment: items the store could not find for an online order

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 02:40:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.numbers


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fulfil_shortages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('online_order_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.Integer(), nullable=False),
    sa.Column('quantity', webapp.numbers.Quantity(), nullable=False),
    sa.Column('amount', webapp.numbers.Money(), nullable=False),
    sa.Column('refunded', webapp.numbers.Money(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['online_order_id'], ['online_orders.id'], name=op.f('fk_fulfil_shortages_online_order_id_online_orders')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_fulfil_shortages_sku_id_skus')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_fulfil_shortages_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fulfil_shortages'))
    )
    with op.batch_alter_table('fulfil_shortages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fulfil_shortages_online_order_id'), ['online_order_id'], unique=False)


def downgrade():
    with op.batch_alter_table('fulfil_shortages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fulfil_shortages_online_order_id'))
    op.drop_table('fulfil_shortages')
