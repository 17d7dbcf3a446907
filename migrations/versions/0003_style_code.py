"""a product's style number (款号), scanned at the till to choose size and colour

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('style_code', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_products_style_code'), ['style_code'])


def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_products_style_code'), type_='unique')
        batch_op.drop_column('style_code')
