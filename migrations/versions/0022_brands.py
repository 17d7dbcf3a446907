"""brands (products.brand_id, promotions.brand_ids), the member a coupon was given to, and who paid a
wallet payment (payments.payer_account)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'brands',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_brands')),
        sa.UniqueConstraint('name', name=op.f('uq_brands_name')),
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('brand_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_products_brand_id'), ['brand_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_products_brand_id_brands'), 'brands', ['brand_id'], ['id'])
    with op.batch_alter_table('promotions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('brand_ids', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('promotions', schema=None) as batch_op:
        batch_op.alter_column('brand_ids', server_default=None)
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_coupons_customer_id'), ['customer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_coupons_customer_id_users'), 'users', ['customer_id'], ['id'])
    # The coupons already given to members (messages, referral rewards) are theirs.
    op.execute("UPDATE coupons SET customer_id = (SELECT member_coupons.customer_id FROM member_coupons "
               "WHERE member_coupons.coupon_id = coupons.id) "
               "WHERE id IN (SELECT coupon_id FROM member_coupons)")
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payer_account', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_payments_payer_account'), ['payer_account'], unique=False)


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_payer_account'))
        batch_op.drop_column('payer_account')
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_coupons_customer_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_coupons_customer_id'))
        batch_op.drop_column('customer_id')
    with op.batch_alter_table('promotions', schema=None) as batch_op:
        batch_op.drop_column('brand_ids')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_products_brand_id_brands'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_products_brand_id'))
        batch_op.drop_column('brand_id')
    op.drop_table('brands')
