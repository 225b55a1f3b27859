"""The server's own books: the audit trail, removals and the change counter for pull,
sign-in sessions and failures, devices."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import (
    JsonType,
    UtcDateTime,
    utcnow,
)
from .plant import (
    User,
)


class AuditEvent(db.Model):
    """Who changed what and when, with the values before and after."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_key: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonType)

    actor: Mapped[User | None] = relationship()


class Removal(db.Model):
    """A row a phone mirrored that no longer exists, so that pull can tell it to erase it."""

    __tablename__ = "removals"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)


class SyncState(db.Model):
    """The one-row change counter and the database epoch (DESIGN §3, pull).

    Each writing transaction takes the next number with an UPDATE of this row, whose
    lock it holds until commit; numbers therefore become visible in order and a cursor
    never skips a row committed late. ``epoch`` changes when the database is restored,
    which makes every phone's cursor expire. ``catalog_seq`` moves only with a change to
    the catalog or the plan (changes.py), so the catalog a summary keeps outlives pushes.
    """

    __tablename__ = "sync_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    epoch: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4)
    catalog_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class UserSession(db.Model):
    """One sign-in (DESIGN §7): the session and remember cookies refer to it, so deleting
    the row ends that sign-in alone, on every worker and server."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(64))
    app: Mapped[str | None] = mapped_column(String(32))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"


class SignInFailure(db.Model):
    """A failed sign-in, or one whose password is being checked, for the sign-in limits
    when no Redis is configured (DESIGN §7; docs/security.md, "Sign-in limits")."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_account_at", "account", "at"),
        Index("ix_sign_in_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The username as typed, stripped and lower-cased, whether or not such a user exists.
    account: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Device(db.Model):
    """One install of the phone app (DESIGN §11, Devices): who used it last, which app
    version, when it last synced, and how many unsent records it said it held, and when.

    Upserted by every push and pull (``sync.devices.record_device``), so that records
    that exist only on a phone left in a drawer are seen before they are lost.
    """

    __tablename__ = "devices"
    __table_args__ = (CheckConstraint("pending >= 0 AND pending <= 1000000", name="pending_range"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    app: Mapped[str | None] = mapped_column(String(32))
    last_contact_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    pending: Mapped[int | None] = mapped_column(Integer)
    pending_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Device {self.id}>"
