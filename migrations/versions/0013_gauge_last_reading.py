"""gauge last readings: a count's (station, metric) and the order its readings were taken in

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# As floorwalk.models.records.PAIR_DAY on the day this migration was written.
PAIR_DAY = [
    *("station_id", "metric_id", "production_day", "observed_at", "received_at", "id"),
    *("deleted", "value", "shift"),
]
ONLY_COUNTS = sa.text("type = 'count'")


def upgrade():
    # A period report finds each gauge's last reading with one backward seek per
    # (station, metric), where it grouped every reading of the period: a year's report
    # then costs what a week's does for this part. Only count rows are in it.
    op.create_index(
        "ix_records_pair_day",
        "records",
        PAIR_DAY,
        sqlite_where=ONLY_COUNTS,
        postgresql_where=ONLY_COUNTS,
    )


def downgrade():
    op.drop_index("ix_records_pair_day", table_name="records")
