"""summary indexes: a station's records over a range of days

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    # Station history (/stations/<code>) reads one station over 30 days; the day-first
    # index ix_records_day_station serves one day's summary.
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_index('ix_records_station_day', ['station_id', 'production_day'], unique=False)


def downgrade():
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index('ix_records_station_day')
