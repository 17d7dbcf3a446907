"""floor: a manager's PIN for refunds above a store's threshold; customers found by phone

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 03:10:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.numbers


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stores', schema=None) as batch_op:
        # 0 fen: every refund needs a manager, the safe default for stores that had no rule
        batch_op.add_column(sa.Column('refund_approval_above', webapp.numbers.Money(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refund_approved_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_orders_refund_approved_by_id_users'), 'users',
                                    ['refund_approved_by_id'], ['id'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_phone'), ['phone'], unique=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_phone'))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orders_refund_approved_by_id_users'), type_='foreignkey')
        batch_op.drop_column('refund_approved_by_id')
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.drop_column('refund_approval_above')
