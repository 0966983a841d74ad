"""decision makers assigned to a case; material changes after closing

Revision ID: 0002_decision_case_roles
Revises: 0001_initial
Create Date: 2026-12-02 05:10:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0002_decision_case_roles'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_decision_makers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_case_decision_makers_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_decision_makers_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_case_decision_makers_ended_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_decision_makers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_decision_makers'))
    )
    with op.batch_alter_table('case_decision_makers', schema=None) as batch_op:
        batch_op.create_index('ix_case_decision_makers_case_current', ['case_id', 'ended_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_decision_makers_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_decision_makers_user_id'), ['user_id'], unique=False)

    op.create_table('material_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=False),
    sa.Column('resolution', sa.String(length=20), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_material_changes_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_material_changes_changed_by_id_users')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_material_changes_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_changes'))
    )
    with op.batch_alter_table('material_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_changes_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('material_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_changes_case_id'))
    op.drop_table('material_changes')
    with op.batch_alter_table('case_decision_makers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_decision_makers_user_id'))
        batch_op.drop_index(batch_op.f('ix_case_decision_makers_case_id'))
        batch_op.drop_index('ix_case_decision_makers_case_current')
    op.drop_table('case_decision_makers')
