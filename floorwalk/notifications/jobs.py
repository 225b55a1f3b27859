"""The timed jobs ``floorwalk worker`` runs each tick (DESIGN §9, §11): escalations,
the end-of-day digest, action reminders and the photo purge.

Each job takes ``now`` (tests pass a controlled clock), runs in a writing transaction
of its own and commits. "Once" is kept by the database: a job marks what it has done
in ``job_runs`` (an escalation per observation, a digest per day) in the transaction
that notifies, so however many workers run, one of them does it; notifications are
also unique per user, kind and key (``inbox.notify``).
"""

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import begin_writing, dialect_insert
from ..models import JobRun, Record, User
from ..settings import get_settings, plant_clock
from .events import (
    ActionDue,
    escalate_observation,
    managers,
    notify_action_due,
    send_digest,
    serious_observations,
)

logger = logging.getLogger(__name__)

# An observation received longer ago than this is not escalated any more: a first start
# (or a worker down for days) does not flood managers with old news.
ESCALATION_WINDOW = timedelta(days=1)


def claim_run(session: Session, job: str, key: str, now: datetime) -> bool:
    """Mark ``job`` done for ``key`` in the caller's transaction; False when it is done
    already (or another worker is doing it: then this waits for its commit)."""
    stmt = (
        dialect_insert(session, JobRun.__table__)
        .values(job=job, key=key, ran_at=now)
        .on_conflict_do_nothing(index_elements=["job", "key"])
        .returning(JobRun.__table__.c.job)
    )
    return session.execute(stmt).scalar() is not None


def escalate_observations(session: Session, now: datetime) -> int:
    """escalation_observation: each open critical or high observation received at least
    ``escalate_after`` minutes ago (and within the last day) goes to the managers, once.
    The clock starts when the server receives it: nobody could acknowledge it before."""
    minutes = int(get_settings(session)["escalate_after"])
    cutoff = now - timedelta(minutes=minutes)
    window = [Record.received_at <= cutoff, Record.received_at > now - ESCALATION_WINDOW]
    candidates = serious_observations(session, window)
    if not candidates:
        return 0
    done = set(
        session.execute(
            select(JobRun.key).where(
                JobRun.job == "escalation_observation",
                JobRun.ran_at > now - ESCALATION_WINDOW - timedelta(days=1),
            )
        ).scalars()
    )
    made = 0
    for observation in candidates:
        key = str(observation.id)
        if key not in done and claim_run(session, "escalation_observation", key, now):
            made += escalate_observation(session, observation, minutes, now)
    return made


def digest_text(session: Session, day: date, manager: User, now: datetime) -> str:
    """The day's summary in a few lines, as ``manager`` sees it."""
    from ..summaries.day import daily_summary
    from ..summaries.verdict import percent

    summary = daily_summary(session, day, manager, now=now)
    coverage, observations = summary["coverage"], summary["observations"]
    attainment = summary["attainment"]
    lines = [
        f"Production day {day.isoformat()}.",
        f"Coverage: {coverage['visited']} of {coverage['stations']} stations visited.",
        f"Attainment: {percent(attainment)} of target."
        if attainment is not None
        else "Attainment: no targets that day.",
        f"Observations: {observations['total']}, {observations['open']} still open.",
    ]
    if observations.get("by_severity"):
        by = ", ".join(f"{n} {s}" for s, n in observations["by_severity"].items())
        lines.append(f"By severity: {by}.")
    alerts = summary["alerts"]
    lines.append(f"Alerts: {len(alerts)}." if alerts else "No alerts.")
    if coverage["missed"]:
        lines.append(f"Missed stations: {', '.join(coverage['missed'][:20])}.")
    return "\n".join(lines)


def daily_digests(session: Session, now: datetime) -> int:
    """daily_digest: once the production day before ``now``'s has ended, each manager
    gets its digest, once per day."""
    day = plant_clock(session).production_day(now) - timedelta(days=1)
    if not claim_run(session, "daily_digest", day.isoformat(), now):
        return 0
    recipients = managers(session)
    if not recipients:
        return 0
    # A manager sees the whole plant, so one summary makes every manager's digest.
    text = digest_text(session, day, recipients[0], now)
    return send_digest(session, day, text, recipients, now)


def action_reminders(
    session: Session,
    now: datetime,
    source: Callable[[Session, date], Iterable[ActionDue]] | None = None,
) -> int:
    """action_due and escalation_action for the open actions ``source`` gives (by
    default every action not yet done, due tomorrow or earlier), at most once an hour;
    each notification once."""
    from ..actions.queries import actions_due  # the actions package tells its owners

    source = source or actions_due
    clock = plant_clock(session)
    today = clock.production_day(now)
    hour = now.astimezone(clock.zone).strftime("%Y-%m-%dT%H")
    if not claim_run(session, "action_reminders", hour, now):
        return 0
    return sum(notify_action_due(session, action, today, now) for action in source(session, today))


def purge_photos_daily(session: Session, now: datetime, photo_dir: str | None) -> int:
    """``floorwalk photos purge``, once per production day."""
    from ..sync.photos import purge_photos, remove_photo_files

    day = plant_clock(session).production_day(now)
    if photo_dir is None or not claim_run(session, "photo_purge", day.isoformat(), now):
        return 0
    purged = purge_photos(session, now)
    session.commit()
    remove_photo_files(photo_dir, purged)
    return len(purged)


def run_jobs(session: Session, now: datetime, photo_dir: str | None = None) -> dict[str, int]:
    """Every timed job once, each in a writing transaction of its own; a job that fails
    is logged and rolled back, and the others still run. Returns what each made."""
    jobs = {
        "escalation_observation": escalate_observations,
        "daily_digest": daily_digests,
        "action_reminders": action_reminders,
        "photo_purge": lambda s, n: purge_photos_daily(s, n, photo_dir),
    }
    made = {}
    for name, job in jobs.items():
        session.commit()
        begin_writing(session)
        try:
            made[name] = job(session, now)
            session.commit()
        except Exception:
            session.rollback()
            logger.exception("worker: the job %s failed; it runs again next tick", name)
            made[name] = 0
    return made
