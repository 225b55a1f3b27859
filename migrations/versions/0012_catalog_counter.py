"""catalog counter: a number that moves only when the catalog or the plan changes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    # The catalog a summary keeps is labelled with it: the change counter moves with
    # every push too, which would throw the kept catalog away all day long.
    with op.batch_alter_table("sync_state") as batch:
        batch.add_column(
            sa.Column("catalog_seq", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("catalog_seq")
