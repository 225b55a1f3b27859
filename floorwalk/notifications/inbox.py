"""Each user's inbox (DESIGN §9), and ``notify``: the one way a notification is made.

``notify`` writes the inbox line and, when the user takes that kind by mail and mail is
configured, the outbox row, in the caller's transaction: a notification exists exactly
when the change that caused it is committed.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..database import dialect_insert
from ..models import Notification, User, utcnow
from .kinds import BY_NAME
from .mail import mail_enabled, one_line
from .outbox import enqueue
from .preferences import wants_email

LATEST = 20


def notify(
    session: Session,
    user: User,
    kind: str,
    subject: str,
    body: str,
    link: str,
    key: str,
    now: datetime | None = None,
) -> int | None:
    """Notify ``user`` of one event, once: ``key`` names the thing and the occasion
    (an observation's id, ``"2026-11-24"``), and a second call with the same user, kind
    and key does nothing. ``link`` is a path on this site ("/summary/2026-11-24").

    Returns the new notification's id, or None when it existed already or ``user`` is
    deactivated (only active users are notified). Flushes, never commits.
    """
    if kind not in BY_NAME:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not user.active:
        return None
    now = now or utcnow()
    values = {
        "user_id": user.id, "kind": kind, "key": key[:120], "subject": one_line(subject)[:200],
        "body": body, "link": link[:300], "created_at": now,
    }  # fmt: skip
    stmt = (
        dialect_insert(session, Notification.__table__)
        .values(values)
        .on_conflict_do_nothing(index_elements=["user_id", "kind", "key"])
        .returning(Notification.__table__.c.id)
    )
    notification_id = session.execute(stmt).scalar()
    if notification_id is None:
        return None
    if mail_enabled() and wants_email(session, user, kind):
        enqueue(session, notification_id, user.email, now)
        session.flush()
    return notification_id


def unread_count(session: Session, user: User) -> int:
    query = select(func.count()).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    return session.execute(query).scalar_one()


def latest(session: Session, user: User, limit: int = LATEST, before: int | None = None) -> list:
    """The user's notifications, newest first (``before``: older than that id)."""
    query = select(Notification).where(Notification.user_id == user.id)
    if before is not None:
        query = query.where(Notification.id < before)
    query = query.order_by(Notification.id.desc()).limit(limit)
    return list(session.execute(query).scalars())


def inbox(session: Session, user: User, limit: int = LATEST, before: int | None = None) -> dict:
    """What the API, pull and the page show: the unread count and the latest lines."""
    return {
        "unread": unread_count(session, user),
        "notifications": [notification_answer(n) for n in latest(session, user, limit, before)],
    }


def notification_answer(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "subject": notification.subject,
        "body": notification.body,
        "link": notification.link,
        "created_at": notification.created_at,
        "read": notification.read_at is not None,
    }


def mark_read(
    session: Session, user: User, ids: list[int] | None, now: datetime | None = None
) -> int:
    """Mark the user's notifications read: those in ``ids``, or all of them (None).
    Another user's ids are left alone; returns how many were unread."""
    stmt = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(ids))
    done = session.execute(
        stmt.values(read_at=now or utcnow()).execution_options(synchronize_session=False)
    )
    return done.rowcount
