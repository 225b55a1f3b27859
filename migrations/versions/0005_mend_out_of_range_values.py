"""mend values stored out of range: withdraw counts, clear downtime minutes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Before the push checked DESIGN §3's ranges, a count could hold any number (1e308,
-5, Infinity) and downtime any minutes. Such a count is withdrawn, as its author could
have done (it leaves the summaries, stays in history, and pull tells the phones it is
removed): no value in range would be the count anyone made, so none is invented by
clamping. An observation keeps everything else it says; only its downtime minutes are
cleared (unknown). What the phone sent stays in ``data`` and in the versions' history.
The migration prints and logs how many rows it mended, by type.
"""

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")

MAX_COUNT_VALUE = 1_000_000_000
MAX_DOWNTIME_MINUTES = 1_440

records = sa.table(
    "records",
    sa.column("type", sa.String),
    sa.column("deleted", sa.Boolean),
    sa.column("value", sa.Float),
    sa.column("minutes", sa.Float),
    sa.column("change_seq", sa.BigInteger),
    sa.column("updated_at", sa.DateTime),
)
sync_state = sa.table(
    "sync_state", sa.column("id", sa.Integer), sa.column("change_seq", sa.BigInteger)
)


def out_of_range(column, top):
    # NaN: SQLite stores it as NULL; PostgreSQL sorts it above every number.
    return sa.or_(column.is_(None), sa.not_(column.between(0, top)))


def upgrade():
    bind = op.get_bind()
    bad_counts = sa.and_(
        records.c.type == "count",
        records.c.deleted == sa.false(),
        out_of_range(records.c.value, MAX_COUNT_VALUE),
    )
    bad_minutes = sa.and_(
        records.c.type == "observation",
        records.c.minutes.is_not(None),
        out_of_range(records.c.minutes, MAX_DOWNTIME_MINUTES),
    )
    counts = bind.execute(sa.select(sa.func.count()).where(bad_counts)).scalar_one()
    minutes = bind.execute(sa.select(sa.func.count()).where(bad_minutes)).scalar_one()
    if counts or minutes:
        # One change number, so pull sends the mended rows to the phones.
        seq = bind.execute(
            sa.update(sync_state)
            .where(sync_state.c.id == 1)
            .values(change_seq=sync_state.c.change_seq + 1)
            .returning(sync_state.c.change_seq)
        ).scalar_one()
        now = datetime.now(UTC)
        if bind.dialect.name == "sqlite":
            now = now.replace(tzinfo=None)
        bind.execute(
            sa.update(records)
            .where(bad_counts)
            .values(deleted=True, change_seq=seq, updated_at=now)
        )
        bind.execute(
            sa.update(records)
            .where(bad_minutes)
            .values(minutes=None, change_seq=seq, updated_at=now)
        )
    report = (
        f"0005: withdrew {counts} count(s) with a value outside 0..{MAX_COUNT_VALUE:,}; "
        f"cleared the downtime minutes of {minutes} observation(s) outside 0..{MAX_DOWNTIME_MINUTES:,}"
    )
    logger.info(report)
    print(report)


def downgrade():
    # What was mended is not unmended: the rows stay withdrawn, their minutes cleared.
    pass
