"""points multiplier per promotion: promotions.points_multiplier, order_lines.points_multiplier (what the
line's promotions multiply its points by, stored when it is priced), points_lots.tier_multiplier (the tier's
multiplier the lot was earned with, for the receipt)

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-07 09:10:00

"""
from alembic import op
import sqlalchemy as sa

from webapp.numbers import Money


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0023'
branch_labels = None
depends_on = None

ONE = '100'  # 1.00 stored as Money (hundredths)


def upgrade():
    for table in ('promotions', 'order_lines', 'points_lots'):
        column = 'tier_multiplier' if table == 'points_lots' else 'points_multiplier'
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, Money(), nullable=False, server_default=ONE))


def downgrade():
    for table in ('points_lots', 'order_lines', 'promotions'):
        column = 'tier_multiplier' if table == 'points_lots' else 'points_multiplier'
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
