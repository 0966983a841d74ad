"""cases.language: the case's language, set at registration (the record's default language)

Revision ID: 0003_finnish_case_language
Revises: 0002_decision_case_roles
Create Date: 2026-12-02 05:10:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0003_finnish_case_language"
down_revision = "0002_decision_case_roles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("language", sa.String(length=5), nullable=False, server_default="sv"))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("language")
