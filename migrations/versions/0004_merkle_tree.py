"""Merkle tree over the audit events; checkpoints as C2SP signed notes

Revision ID: 0004_merkle_tree
Revises: 0003_finnish_case_language
Create Date: 2026-12-02 05:20:00

"""
import hashlib

from alembic import op
import sqlalchemy as sa

# Frozen history: its own SQL and hashing, nothing imported from `tracker`.

revision = '0004_merkle_tree'
down_revision = '0003_finnish_case_language'
branch_labels = None
depends_on = None


def _backfill(bind) -> None:
    """Store every perfect subtree of the tree over the existing events (RFC 9162 hashing)."""
    nodes = sa.table('audit_tree_nodes', sa.column('level', sa.SmallInteger()), sa.column('idx', sa.BigInteger()),
                     sa.column('hash', sa.LargeBinary()))
    stack: list = []
    rows: list = []
    index = 0
    for (chain_hash,) in bind.execute(sa.text('SELECT hash FROM audit_events ORDER BY seq')):
        current = hashlib.sha256(b'\x00' + bytes.fromhex(chain_hash)).digest()
        rows.append({'level': 0, 'idx': index, 'hash': current})
        i, level = index, 0
        while i & 1:
            current = hashlib.sha256(b'\x01' + stack.pop() + current).digest()
            i >>= 1
            level += 1
            rows.append({'level': level, 'idx': i, 'hash': current})
        stack.append(current)
        index += 1
        if len(rows) >= 20000:
            bind.execute(nodes.insert(), rows)
            rows = []
    if rows:
        bind.execute(nodes.insert(), rows)


def upgrade():
    op.create_table('audit_tree_nodes',
    sa.Column('level', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('idx', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('hash', sa.LargeBinary(length=32), nullable=False),
    sa.PrimaryKeyConstraint('level', 'idx', name=op.f('pk_audit_tree_nodes'))
    )
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('root', sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=False, server_default=''))
    _backfill(op.get_bind())


def downgrade():
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.drop_column('note')
        batch_op.drop_column('root')
    op.drop_table('audit_tree_nodes')
