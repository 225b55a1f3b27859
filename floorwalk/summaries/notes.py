"""Employee notes in a summary: counts by kind for everyone, the text only for those
floorwalk.permissions lets read it."""

from typing import Any

from sqlalchemy import func, select
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
    kind = Record.data["kind"].as_string()
    by_kind = dict(
        session.execute(
            select(kind, func.count())
            .join(Employee, Employee.id == Record.employee_id)
            .where(*conditions)
            .group_by(kind)
        ).all()
    )
    items = plain_rows(
        session,
        select(
            Record.id,
            Employee.badge,
            Employee.name,
            Record.data,
            Record.text,
            User.username,
            Station.code,
            Record.observed_at,
        )
        .join(Employee, Employee.id == Record.employee_id)
        .join(User, User.id == Record.author_id)
        .outerjoin(Station, Station.id == Record.station_id)
        .where(*conditions, readable_notes_filter(viewer))
        .order_by(Record.observed_at),
    )
    return {
        "total": sum(by_kind.values()),
        "by_kind": dict(sorted(by_kind.items())),
        "items": [
            {
                "id": str(record_id),
                "employee": badge,
                "employee_name": name,
                "kind": data.get("kind"),
                "text": text,
                "author": username,
                "station": code,
                "observed_at": observed_at.astimezone(zone).isoformat(),
            }
            for record_id, badge, name, data, text, username, code, observed_at in items
        ],
    }
