"""Employee notes in a summary: counts by kind for everyone, the text only for those
floorwalk.permissions lets read it."""

from collections import Counter
from typing import Any

from sqlalchemy import case, select, true
from sqlalchemy.orm import Session

from ..models import Employee, Record, Station, User
from ..permissions import readable_notes_filter
from .scope import Scope, plain_rows


def employee_notes(session: Session, scope: Scope, viewer: User, zone) -> dict[str, Any]:
    """Counts for everyone; ``items`` only the notes this viewer may read.

    With an area, the notes about that area's employees (a note is about a person).
    """
    conditions = [Record.type == "employee_note", *scope.record_filter(by_station=False)]
    if scope.area_id is not None:
        conditions.append(Employee.area_id == scope.area_id)
    # Every note of the scope in one pass, counted by kind; the database gives the text
    # and the rest only of those this viewer may read.
    readable = readable_notes_filter(viewer)
    readable = true() if readable is True else readable
    notes = plain_rows(
        session,
        select(
            Record.data["kind"].as_string(),
            case((readable, Record.id)),
            Employee.badge,
            Employee.name,
            case((readable, Record.text)),
            User.username,
            Station.code,
            Record.observed_at,
        )
        .join(Employee, Employee.id == Record.employee_id)
        .join(User, User.id == Record.author_id)
        .outerjoin(Station, Station.id == Record.station_id)
        .where(*conditions)
        .order_by(Record.observed_at),
    )
    by_kind = Counter(kind for kind, *_ in notes)
    return {
        "total": len(notes),
        "by_kind": dict(sorted(by_kind.items())),
        "items": [
            {
                "id": str(record_id),
                "employee": badge,
                "employee_name": name,
                "kind": kind,
                "text": text,
                "author": username,
                "station": code,
                "observed_at": observed_at.astimezone(zone).isoformat(),
            }
            for kind, record_id, badge, name, text, username, code, observed_at in notes
            if record_id is not None
        ],
    }
