"""Notifications (DESIGN §9): each user's inbox, the outbox of mails the worker sends,
each user's choice per kind, and the timed jobs that have run."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UtcDateTime, utcnow
from .plant import User


class Notification(db.Model):
    """One line of a user's inbox. ``key`` names the thing and the occasion (an
    observation's id, a day), so that one event notifies each user once."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "key"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # A path on this site ("/summary/2026-11-24"); mails make it absolute.
    link: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} for user {self.user_id}>"


class OutboxMail(db.Model):
    """A notification to send by mail, one row per notification. ``floorwalk worker``
    claims a row for ``claimed_until`` (the lease), sends it and stamps ``sent_at``; a
    failed send counts an attempt, keeps its error and waits until ``next_attempt_at``.
    ``next_attempt_at`` None: given up (the admin page's "Retry now" sets it again)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), unique=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)

    notification: Mapped[Notification] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} to {self.to_address}>"


class NotificationPreference(db.Model):
    """A user's choice for one kind: by mail too (``email``), or in the inbox only.
    Without a row the kind's default applies (notifications.kinds)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean)


class JobRun(db.Model):
    """A timed job done for one occasion (``job``, ``key``: an escalation for an
    observation, a digest for a day): inserted in the transaction that does the work,
    so that however many workers run, it is done once."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
