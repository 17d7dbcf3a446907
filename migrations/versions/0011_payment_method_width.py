"""payments: a method holds up to 40 characters (stored value, points, provider names)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 03:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.alter_column('method', existing_type=sa.String(length=10), type_=sa.String(length=40),
                              existing_nullable=False)


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.alter_column('method', existing_type=sa.String(length=40), type_=sa.String(length=10),
                              existing_nullable=False)
