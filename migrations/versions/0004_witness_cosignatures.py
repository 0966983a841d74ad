"""audit_cosignatures and audit_timestamps: witnesses' cosignatures and TSA tokens on checkpoints (issue 16)

Revision ID: 0004_witness_cosignatures
Revises: 0003_finnish_case_language
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_witness_cosignatures"
down_revision = "0005_todo_notification_codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_cosignatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=True),
        sa.Column("witness_name", sa.String(length=200), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("cosignature", sa.Text(), nullable=False),
        sa.Column("cosigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["checkpoint_id"], ["audit_checkpoints.id"], ondelete="SET NULL",
                                name=op.f("fk_audit_cosignatures_checkpoint_id_audit_checkpoints")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_cosignatures")),
    )
    with op.batch_alter_table("audit_cosignatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_cosignatures_checkpoint_id"), ["checkpoint_id"], unique=False)
        batch_op.create_index("ix_audit_cosignatures_witness_size", ["witness_name", "tree_size"], unique=False)

    op.create_table(
        "audit_timestamps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=True),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("tsa_url", sa.String(length=500), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("gen_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["checkpoint_id"], ["audit_checkpoints.id"], ondelete="SET NULL",
                                name=op.f("fk_audit_timestamps_checkpoint_id_audit_checkpoints")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_timestamps")),
    )
    with op.batch_alter_table("audit_timestamps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_timestamps_checkpoint_id"), ["checkpoint_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_timestamps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_timestamps_checkpoint_id"))
    op.drop_table("audit_timestamps")
    with op.batch_alter_table("audit_cosignatures", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_cosignatures_witness_size")
        batch_op.drop_index(batch_op.f("ix_audit_cosignatures_checkpoint_id"))
    op.drop_table("audit_cosignatures")
