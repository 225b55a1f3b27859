"""summary speed: a covering index for one day's summary

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = [
    "production_day",
    "type",
    "deleted",
    "station_id",
    "metric_id",
    "shift",
    "value",
    "observed_at",
    "received_at",
    "id",
]


def upgrade():
    # One day's summary seeks a day's rows of one type; the count totals, the gauges'
    # last readings and each station's activity read only these columns, so both
    # databases answer them from the index alone (docs/summary-query-plans.md).
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index("ix_records_day_type", COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_day_type")
