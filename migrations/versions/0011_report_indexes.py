"""report indexes: a station's days read from the index alone; observations of a span

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

DAY_STATION = ["production_day", "station_id", "deleted", "type", "observed_at"]
OBSERVATIONS = [
    "production_day",
    "type",
    "deleted",
    "station_id",
    "category_id",
    "severity",
    "status",
    "minutes",
]
ONLY_OBSERVATIONS = sa.text("type = 'observation'")


def upgrade():
    # Which stations had a record on which days (coverage, the day's first and last
    # record) from the index alone, in its order: the same index, wider.
    op.drop_index("ix_records_day_station", table_name="records")
    op.create_index("ix_records_day_station", "records", DAY_STATION)
    # The observations of a span of days (the period report's by category and
    # severity, the day's per station) without reading the table; only observation
    # rows are in it, so other pushes do not pay for it.
    op.create_index(
        "ix_records_observations",
        "records",
        OBSERVATIONS,
        sqlite_where=ONLY_OBSERVATIONS,
        postgresql_where=ONLY_OBSERVATIONS,
    )


def downgrade():
    op.drop_index("ix_records_observations", table_name="records")
    op.drop_index("ix_records_day_station", table_name="records")
    op.create_index("ix_records_day_station", "records", ["production_day", "station_id"])
