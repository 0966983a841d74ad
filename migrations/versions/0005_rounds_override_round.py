"""deadline overrides record the case round they belong to (issue 14 item 1)

Revision ID: 0005_rounds_override_round
Revises: 0004_merkle_tree
Create Date: 2026-12-02 05:20:00

"""
from alembic import op
import sqlalchemy as sa

# A revision is frozen history: it carries its own SQL and imports nothing from `tracker`.

revision = '0005_rounds_override_round'
down_revision = '0004_merkle_tree'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deadline_overrides', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('deadline_overrides', schema=None) as batch_op:
        batch_op.drop_column('round')
