"""till_shortfalls: online orders whose held units a till sale took ("short: sold at the till")

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 06:30:00

"""
from alembic import op
import sqlalchemy as sa

from webapp.numbers import Quantity


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'till_shortfalls',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('online_order_id', sa.Integer(), nullable=False),
        sa.Column('sku_id', sa.Integer(), nullable=False),
        sa.Column('quantity', Quantity(), nullable=False),
        sa.Column('sale_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('resolution', sa.String(length=20), nullable=True),
        sa.Column('transfer_id', sa.Integer(), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['online_order_id'], ['online_orders.id'],
                                name=op.f('fk_till_shortfalls_online_order_id_online_orders')),
        sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_till_shortfalls_sku_id_skus')),
        sa.ForeignKeyConstraint(['sale_id'], ['orders.id'], name=op.f('fk_till_shortfalls_sale_id_orders')),
        sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], name=op.f('fk_till_shortfalls_transfer_id_transfers')),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_till_shortfalls_resolved_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_till_shortfalls')),
    )
    with op.batch_alter_table('till_shortfalls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_till_shortfalls_online_order_id'), ['online_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_till_shortfalls_sale_id'), ['sale_id'], unique=False)


def downgrade():
    with op.batch_alter_table('till_shortfalls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_till_shortfalls_sale_id'))
        batch_op.drop_index(batch_op.f('ix_till_shortfalls_online_order_id'))
    op.drop_table('till_shortfalls')
