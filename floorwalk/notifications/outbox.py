"""The outbox (DESIGN §9): mails waiting for ``floorwalk worker``, each sent once.

A worker claims one row at a time for a lease (``claimed_until``), in a short writing
transaction of its own: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` lets workers
pass each other's rows; on SQLite the write lock (``BEGIN IMMEDIATE``) makes claims take
turns. It then sends with no transaction open and stamps ``sent_at`` on the same row,
only while the claim is still its own. A worker that dies mid-send leaves its claim to
expire; another worker then sends the row again.

The one window for a second copy: the mail server accepted the mail and the worker died
before its ``sent_at`` committed. The copy carries the same Message-ID (``mail.message_id``),
so mail programs show it once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..database import begin_writing
from ..models import Notification, OutboxMail

LEASE = timedelta(minutes=2)
# After a failed send: 1, 2, 4 … minutes, at most 6 hours apart; after MAX_ATTEMPTS
# temporary failures (about two days) or one permanent refusal, it waits for "Retry now".
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
MAX_ATTEMPTS = 12
RECENT = timedelta(days=7)


def enqueue(session: Session, notification_id: int, to_address: str, now: datetime) -> None:
    """Queue the mail of a notification, in the caller's transaction."""
    session.add(
        OutboxMail(
            notification_id=notification_id,
            to_address=to_address,
            created_at=now,
            attempts=0,
            next_attempt_at=now,
        )
    )


def due_filter(now: datetime):
    return (
        OutboxMail.sent_at.is_(None),
        OutboxMail.next_attempt_at <= now,
        or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
    )


def claim_next(
    session: Session, worker: str, now: datetime, lease: timedelta = LEASE
) -> int | None:
    """Claim the next mail due for ``worker`` and commit; its id, or None when none is due."""
    session.commit()
    begin_writing(session)
    query = (
        select(OutboxMail.id)
        .where(*due_filter(now))
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    outbox_id = session.execute(query).scalar()
    if outbox_id is not None:
        session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == outbox_id)
            .values(claimed_by=worker, claimed_until=now + lease)
        )
    session.commit()
    return outbox_id


def claimed_mail(session: Session, outbox_id: int) -> tuple[OutboxMail, Notification]:
    row = session.get(OutboxMail, outbox_id)
    return row, row.notification


def _finish(session: Session, outbox_id: int, worker: str, **values) -> bool:
    """Write ``values`` on the row while ``worker`` still holds its claim, and commit;
    False when the claim was lost (the lease ran out and another worker took it)."""
    session.commit()
    begin_writing(session)
    done = session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == outbox_id, OutboxMail.claimed_by == worker)
        .values(claimed_by=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return done.rowcount == 1


def mark_sent(session: Session, outbox_id: int, worker: str, now: datetime) -> bool:
    return _finish(session, outbox_id, worker, sent_at=now, last_error=None)


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def mark_failed(
    session: Session,
    outbox_id: int,
    worker: str,
    attempts: int,
    error: str,
    now: datetime,
    permanent: bool = False,
) -> bool:
    """Count a failed attempt (``attempts`` includes it), keep its error and set the next
    try after the backoff, or none when giving up."""
    give_up = permanent or attempts >= MAX_ATTEMPTS
    return _finish(
        session,
        outbox_id,
        worker,
        attempts=attempts,
        last_error=error[:2000],
        next_attempt_at=None if give_up else now + retry_delay(attempts),
    )


def retry_now(session: Session, outbox_id: int, now: datetime) -> bool:
    """The admin's "Retry now": an unsent mail is due at once. False when there is no
    such mail or it was sent meanwhile."""
    done = session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == outbox_id, OutboxMail.sent_at.is_(None))
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


@dataclass
class OutboxView:
    pending: list[OutboxMail]
    failed: list[OutboxMail]
    sent: list[OutboxMail]


def outbox_view(session: Session, now: datetime, limit: int = 200) -> OutboxView:
    """The admin page's three lists: waiting (never failed), failed (with their last
    error; those given up included) and sent in the last 7 days, newest first."""

    def rows(*conditions, order):
        query = select(OutboxMail).where(*conditions).order_by(*order).limit(limit)
        return list(session.execute(query).scalars())

    unsent = OutboxMail.sent_at.is_(None)
    return OutboxView(
        pending=rows(unsent, OutboxMail.attempts == 0, order=(OutboxMail.id,)),
        failed=rows(unsent, OutboxMail.attempts > 0, order=(OutboxMail.id.desc(),)),
        sent=rows(OutboxMail.sent_at >= now - RECENT, order=(OutboxMail.sent_at.desc(),)),
    )
