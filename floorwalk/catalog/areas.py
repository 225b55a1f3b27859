"""Areas: departments or lines that stations, employees, routes and supervisors belong to.

``ensure_area`` is the one place an area is made on the way (a station import naming a
new area, a user's areas); it is audited like an area made on the Areas page.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..audit import audit_change, record_audit
from ..models import Area, Employee, Route, Station, User
from .errors import CatalogError, add_removal


def area_values(area: Area) -> dict[str, Any]:
    return {"name": area.name}


def ensure_area(session: Session, name: str, actor: User | None = None) -> Area:
    """The area called ``name``, made (and audited) when there is none yet."""
    name = name.strip()
    area = session.execute(select(Area).where(Area.name == name)).scalar_one_or_none()
    if area is None:
        area = Area(name=name)
        session.add(area)
        session.flush()
        audit_change(session, actor, "area", area.id, None, area_values(area))
    return area


def ensure_areas(session: Session, names: Iterable[str], actor: User | None = None) -> list[Area]:
    """The named areas in order, without repeats or blanks, each made when missing."""
    wanted = dict.fromkeys(n.strip() for n in names if n.strip())
    return [ensure_area(session, name, actor) for name in wanted]


def save_area(session: Session, actor, area: Area | None, name: str) -> Area:
    found = session.execute(select(Area).where(Area.name == name)).scalar_one_or_none()
    if found is not None and found is not area:
        raise CatalogError(f"There is already an area {name!r}.", "name")
    before = area_values(area) if area else None
    if area is None:
        area = Area(name=name)
        session.add(area)
    area.name = name
    session.flush()
    audit_change(session, actor, "area", area.id, before, area_values(area))
    return area


def delete_area(session: Session, actor, area: Area) -> None:
    """Delete an area nothing belongs to; its history would lose its name otherwise."""
    uses = {
        "stations": select(func.count(Station.id)).where(Station.area_id == area.id),
        "employees": select(func.count(Employee.id)).where(Employee.area_id == area.id),
        "routes": select(func.count(Route.id)).where(Route.area_id == area.id),
    }
    counts = {name: session.execute(q).scalar_one() for name, q in uses.items()}
    users = session.execute(
        select(func.count(User.id)).where(User.areas.any(Area.id == area.id))
    ).scalar_one()
    counts["users"] = users
    used = [f"{n} {name}" for name, n in counts.items() if n]
    if used:
        raise CatalogError(
            f"The area {area.name!r} still has {', '.join(used)}; move them first.", "name"
        )
    record_audit(session, actor, "delete", "area", area.id, area_values(area), None)
    add_removal(session, "areas", area.id)
    session.delete(area)
    session.flush()
