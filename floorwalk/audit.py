"""The audit trail: who changed what, when, with the values before and after.

Every verb that changes the catalog, users or settings writes its own event here,
whoever calls it: an admin page, a CSV import or the command line. ``actor`` None is
the command line (the Audit page says so).
"""

from typing import Any

from sqlalchemy.orm import Session

from .models import AuditEvent, User


def record_audit(
    session: Session,
    actor: User | None,
    action: str,
    entity: str,
    key: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session's transaction, so it commits with the change.

    ``action`` is a verb (``create``, ``update``, ``deactivate``, ``resolve``…), ``entity``
    the kind of thing and ``key`` the thing's own key (a station code, a username).
    """
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        entity=entity,
        entity_key=str(key),
        before=before,
        after=after,
    )
    session.add(event)
    return event


def audit_change(
    session: Session,
    actor: User | None,
    entity: str,
    key: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    action: str | None = None,
) -> bool:
    """Record the change when there is one (``create`` when there was nothing before,
    else ``update`` unless ``action`` says); True when something changed."""
    if before == after:
        return False
    action = action or ("create" if before is None else "update")
    record_audit(session, actor, action, entity, key, before, after)
    return True
