"""Following observations up: open → acknowledged → resolved, on the server (DESIGN §2).

A status change goes through the ORM, so the change counter stamps the record and
phones get the new status on their next pull; every change is in the audit trail.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from ..audit import record_audit
from ..models import MAX_TEXT, AuditEvent, Category, Record, Station, User, utcnow
from ..permissions import followed_up_filter, may_follow_up
from .figures import OPEN_STATUSES, SEVERITY_ORDER

ACTIONS = {
    "acknowledge": ("acknowledged", ("open",)),
    "resolve": ("resolved", ("open", "acknowledged")),
}
AGES = (0, 1, 3, 7)  # "open for more than N days" filter choices


class FollowUpError(ValueError):
    """A follow-up that cannot be made, with a message for people and an HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ObservationFilter:
    area_id: int | None = None
    severity: str | None = None
    category: str | None = None
    min_age_days: int = 0
    day: date | None = None
    include_resolved: bool = False


def list_observations(
    session: Session,
    viewer: User,
    wanted: ObservationFilter,
    now: datetime | None = None,
    limit: int = 200,
) -> list[tuple[Record, str, Station | None]]:
    """Observations for the follow-up list, most severe and oldest first.

    A supervisor sees the areas they run only.
    """
    now = now or utcnow()
    conditions = [Record.type == "observation", Record.deleted.is_(False)]
    if not wanted.include_resolved:
        conditions.append(Record.status.in_(OPEN_STATUSES))
    conditions.append(followed_up_filter(viewer, Station.area_id))
    if wanted.area_id is not None:
        conditions.append(Station.area_id == wanted.area_id)
    if wanted.severity:
        conditions.append(Record.severity == wanted.severity)
    if wanted.category:
        conditions.append(Category.key == wanted.category)
    if wanted.min_age_days:
        conditions.append(Record.observed_at <= now - timedelta(days=wanted.min_age_days))
    if wanted.day:
        conditions.append(Record.production_day == wanted.day)
    severity_rank = case({s: n for n, s in enumerate(SEVERITY_ORDER)}, value=Record.severity)
    return session.execute(
        select(Record, Category.label, Station)
        .join(Category, Category.id == Record.category_id)
        .outerjoin(Station, Station.id == Record.station_id)
        .where(*conditions)
        .order_by(severity_rank, Record.observed_at)
        .limit(limit)
    ).all()


def follow_up_history(session: Session, record_ids: list[uuid.UUID]) -> dict[str, list]:
    """The audit events of these observations, oldest first, by record id."""
    history: dict[str, list] = {}
    if not record_ids:
        return history
    events = session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.entity == "observation",
            AuditEvent.entity_key.in_([str(i) for i in record_ids]),
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    ).scalars()
    for event in events:
        history.setdefault(event.entity_key, []).append(event)
    return history


def follow_up(
    session: Session,
    record: Record,
    actor: User,
    action: str,
    comment: str,
    now: datetime | None = None,
) -> Record:
    """Acknowledge or resolve an observation with a comment (required to resolve).

    Raises FollowUpError: 403 outside the actor's areas, 409 when the status does not
    allow it, 400 for a bad comment.
    """
    now = now or utcnow()
    if record.type != "observation" or record.deleted:
        raise FollowUpError("Only observations are followed up.", 404)
    if not may_follow_up(actor, record):
        raise FollowUpError("You can follow up observations in your own areas only.", 403)
    if action not in ACTIONS:
        raise FollowUpError(f"Unknown action {action!r}.")
    status, allowed_from = ACTIONS[action]
    comment = (comment or "").strip()
    if action == "resolve" and not comment:
        raise FollowUpError("Say how it was resolved.")
    if len(comment) > MAX_TEXT:
        raise FollowUpError(f"A comment is at most {MAX_TEXT} characters.")
    if record.status not in allowed_from:
        raise FollowUpError(f"This observation is {record.status} already.", 409)
    before = {"status": record.status}
    record.status = status
    record.updated_at = now
    record_audit(
        session,
        actor,
        action,
        "observation",
        record.id,
        before,
        {"status": status, "comment": comment},
    )
    session.flush()
    return record
