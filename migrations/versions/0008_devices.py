"""devices: each phone's last user, app version, last contact and pending count

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "devices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("app", sa.String(length=32), nullable=True),
        sa.Column("last_contact_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=True),
        sa.Column("pending_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "pending >= 0 AND pending <= 1000000", name=op.f("ck_devices_pending_range")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_devices_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_devices_last_contact_at"), ["last_contact_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_last_contact_at"))
    op.drop_table("devices")
