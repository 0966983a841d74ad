"""organisation_units: the employer's register of units a case's affected units are chosen from (issue 17)

Revision ID: 0006_units_register
Revises: 0004_witness_cosignatures
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_units_register"
down_revision = "0004_witness_cosignatures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_units")),
        sa.UniqueConstraint("name", name=op.f("uq_organisation_units_name")),
    )
    # The units cases already name become the register's first entries.
    op.execute("INSERT INTO organisation_units (name, active, created_at) "
               "SELECT DISTINCT name, TRUE, CURRENT_TIMESTAMP FROM case_units")


def downgrade() -> None:
    op.drop_table("organisation_units")
