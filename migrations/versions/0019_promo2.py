"""promotions, second part: the chain's default margin floor, a coupon code typed in the shop's cart

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-07 06:30:00

"""
from alembic import op
import sqlalchemy as sa

from webapp.numbers import Money


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'promotion_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('margin_floor', Money(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_promotion_settings')))
    with op.batch_alter_table('shop_carts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coupon_code', sa.String(length=32), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('shop_carts', schema=None) as batch_op:
        batch_op.drop_column('coupon_code')
    op.drop_table('promotion_settings')
