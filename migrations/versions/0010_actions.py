"""actions: two record types (action, action_update) and their derived state

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


OLD_TYPES = ("visit", "count", "observation", "employee_note", "walk")
NEW_TYPES = (*OLD_TYPES, "action", "action_update")


def _types(values) -> str:
    return f"type IN ({', '.join(repr(v) for v in values)})"


def _record_types(values) -> None:
    # SQLite cannot alter a CHECK constraint: batch mode copies the table.
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_records_type"), type_="check")
        batch_op.create_check_constraint("type", _types(values))


def upgrade():
    _record_types(NEW_TYPES)
    op.create_table('actions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('observation_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_day', sa.Date(), nullable=False),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_day', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_day', sa.Date(), nullable=True),
    sa.Column('update_count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("priority IN ('low', 'medium', 'high', 'critical')", name=op.f('ck_actions_priority')),
    sa.CheckConstraint("status IN ('open', 'in_progress', 'done', 'verified', 'cancelled')", name=op.f('ck_actions_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_actions_created_by_id_users')),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_actions_done_by_id_users')),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_actions_id_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_actions_owner_id_users')),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_actions_station_id_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_closed_day'), ['closed_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_created_day'), ['created_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_observation_id'), ['observation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_station_id'), ['station_id'], unique=False)
        batch_op.create_index('ix_actions_status_due', ['status', 'due'], unique=False)

    op.create_table('action_updates',
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('action_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.CheckConstraint("status IS NULL OR status IN ('in_progress', 'done', 'verified', 'cancelled', 'reopened')", name=op.f('ck_action_updates_status')),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_updates_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_action_updates_author_id_users')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_action_updates_owner_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_action_updates_record_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', name=op.f('pk_action_updates')),
    sa.UniqueConstraint('action_id', 'position', name='action_position')
    )


def downgrade():
    op.drop_table('action_updates')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index('ix_actions_status_due')
        batch_op.drop_index(batch_op.f('ix_actions_station_id'))
        batch_op.drop_index(batch_op.f('ix_actions_owner_id'))
        batch_op.drop_index(batch_op.f('ix_actions_observation_id'))
        batch_op.drop_index(batch_op.f('ix_actions_created_day'))
        batch_op.drop_index(batch_op.f('ix_actions_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_actions_closed_day'))
        batch_op.drop_index(batch_op.f('ix_actions_change_seq'))

    op.drop_table('actions')
    # Foreign keys are off while SQLite migrates: no cascade, so each table by hand.
    actions = "SELECT id FROM records WHERE type IN ('action', 'action_update')"
    for table in ("record_photos", "record_versions"):
        op.execute(f"DELETE FROM {table} WHERE record_id IN ({actions})")
    op.execute("DELETE FROM records WHERE type IN ('action', 'action_update')")
    _record_types(OLD_TYPES)
