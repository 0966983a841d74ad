"""notifications as code + parameters, task keys, the daily digest preference

Revision ID: 0005_todo_notification_codes
Revises: 0004_merkle_tree

Notifications stop storing a sentence in one language (`text`): each row keeps its kind and the
parameters its sentence needs (`params`), rendered in the reader's language; `task_key` names the
task it announces and `resolved_at` says when that task was done. Existing rows are converted
where their parameters can be recovered: the case's diary number and title for every case row,
the minutes version (meeting title, number) from the dedup key, the deadline code and due date of
reminders, the member's role from the steering group. Old "stage started/completed" rows (no
longer made) are marked read and done: they announced no task.
"""
import json

import sqlalchemy as sa
from alembic import op

# A revision is frozen history: it carries its own SQL and imports nothing from `tracker`.

revision = '0005_todo_notification_codes'
down_revision = '0005_rounds_override_round'
branch_labels = None
depends_on = None


def _params(conn, row) -> tuple[dict, str | None]:
    """The parameters and task key an existing row can be given."""
    params: dict = {}
    task_key = None
    if row.case_id is not None:
        case = conn.execute(sa.text("SELECT diary_number, title FROM cases WHERE id = :id"), {"id": row.case_id}).first()
        if case is not None:
            params.update(case=case.diary_number, title=case.title)
    parts = (row.dedup_key or "").split(":")
    if row.kind == "minutes_awaiting_approval" and len(parts) == 3 and parts[1].isdigit():
        version = conn.execute(sa.text(
            "SELECT v.number, m.title FROM minutes_versions v JOIN minutes mi ON mi.id = v.minutes_id "
            "JOIN meetings m ON m.id = mi.meeting_id WHERE v.id = :id"), {"id": int(parts[1])}).first()
        if version is not None:
            params.update(n=version.number, meeting=version.title)
        task_key = f"minutes:{parts[1]}"
    elif row.kind in ("deadline_soon", "evaluation_overdue") and len(parts) == 5:
        params.update(deadline=parts[3], due=parts[4])
        task_key = f"deadline:{parts[2]}:{parts[3]}:{parts[4]}" if row.kind == "deadline_soon" else None
    elif row.kind == "member_added" and row.case_id is not None:
        role = conn.execute(sa.text(
            "SELECT role FROM steering_members WHERE case_id = :case AND user_id = :user ORDER BY id DESC"),
            {"case": row.case_id, "user": row.user_id}).scalar()
        if role:
            params["role"] = role
    return params, task_key


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('task_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_task_key'), ['task_key'], unique=False)

    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, user_id, kind, case_id, dedup_key, read_at, created_at FROM notifications")).all()
    for row in rows:
        params, task_key = _params(conn, row)
        values = {"id": row.id, "params": json.dumps(params, ensure_ascii=False, sort_keys=True),
                  "task_key": task_key}
        if row.kind == "stage_changed":
            conn.execute(sa.text(
                "UPDATE notifications SET params = :params, task_key = :task_key, "
                "read_at = COALESCE(read_at, created_at), resolved_at = created_at WHERE id = :id"), values)
        else:
            conn.execute(sa.text("UPDATE notifications SET params = :params, task_key = :task_key WHERE id = :id"),
                         values)
    conn.execute(sa.text("UPDATE notifications SET params = '{}' WHERE params IS NULL"))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('params', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('text')

    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('daily_digest', sa.Boolean(), nullable=False),
    sa.Column('last_digest_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_preferences'))
    )


def downgrade():
    op.drop_table('notification_preferences')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_task_key'))
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('task_key')
        batch_op.drop_column('params')
