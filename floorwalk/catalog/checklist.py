"""The set-up checklist on the admin start page: the plant from nothing to a first
synced walk, each step done or not as the database says, and what is still missing.

Every figure is one SQL count, so the page costs the same for 20 stations or 2,000.
"""

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ..audit import record_audit
from ..models import (
    Area,
    AuditEvent,
    Employee,
    Metric,
    Record,
    Route,
    RouteStop,
    Setting,
    Station,
    StationMetric,
    User,
    user_areas,
)

# The audit event a label download writes (labels.record_print): the checklist's proof.
PRINT_ACTION, PRINT_ENTITY = "print", "labels"


def record_label_print(session: Session, actor: User | None, what: str, count: int) -> None:
    """Write down that labels were downloaded (a sheet, a PNG or an SVG), so the checklist
    can tell; ``what`` is the file name given, ``count`` the labels in it."""
    record_audit(session, actor, PRINT_ACTION, PRINT_ENTITY, what, after={"labels": count})


@dataclass(frozen=True)
class Step:
    key: str  # names the page where the step is done (views/admin/plant.py)
    title: str
    done: bool
    detail: str  # what is missing, or what is there once done


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def checklist_counts(session: Session) -> dict[str, int]:
    """Each figure the checklist asks about, one SQL count apiece."""
    active_stations = select(Station.id).where(Station.active)
    listed = select(func.count()).select_from(StationMetric).join(Metric)
    listed = listed.where(StationMetric.station_id.in_(active_stations))
    queries = {
        "areas": select(func.count(Area.id)),
        "stations": select(func.count()).select_from(active_stations.subquery()),
        "metrics": select(func.count(Metric.id)),
        "uncounted": select(func.count(Station.id)).where(
            Station.active, ~exists().where(StationMetric.station_id == Station.id)
        ),
        "listed": listed,
        "no_target": listed.where(Metric.kind != "gauge", StationMetric.target.is_(None)),
        "gauges": listed.where(Metric.kind == "gauge"),
        "no_min": listed.where(Metric.kind == "gauge", StationMetric.min_level.is_(None)),
        "employees": select(func.count(Employee.id)).where(Employee.active),
        "walkers": select(func.count(User.id)).where(
            User.active, User.role.in_(("coordinator", "supervisor"))
        ),
        "supervisors_without_area": select(func.count(User.id)).where(
            User.active, User.role == "supervisor", ~exists().where(user_areas.c.user_id == User.id)
        ),
        "routes": select(func.count(Route.id)).where(
            Route.active, exists().where(RouteStop.route_id == Route.id)
        ),
        "prints": select(func.count(AuditEvent.id)).where(
            AuditEvent.action == PRINT_ACTION, AuditEvent.entity == PRINT_ENTITY
        ),
        "records": select(func.count(Record.id)).where(~Record.deleted),
    }
    return {name: session.execute(query).scalar_one() for name, query in queries.items()}


def plant_step(settings: dict[str, str]) -> Step:
    timezone, shifts = settings.get("timezone"), settings.get("shifts")
    if timezone and shifts:
        return Step("plant", "Plant time zone and shifts", True, f"{timezone}, shifts {shifts}.")
    missing = joined(
        "" if timezone else "The time zone is not set (UTC is assumed).",
        "" if shifts else "No shifts yet.",
    )
    return Step("plant", "Plant time zone and shifts", False, missing)


def public_url_step(url: str) -> Step:
    if url:
        return Step("public_url", "Public URL", True, f"Labels open {url}/s/CODE.")
    missing = "Not set: the address phones reach, which every QR label names."
    return Step("public_url", "Public URL", False, missing)


def metrics_step(n: dict[str, int]) -> Step:
    title = "Metrics and what each station counts"
    if not n["metrics"]:
        return Step("metrics", title, False, "No metrics yet.")
    if n["uncounted"]:
        missing = f"{plural(n['uncounted'], 'station counts', 'stations count')} nothing yet."
        return Step("metrics", title, False, missing)
    if not n["stations"]:
        return Step("metrics", title, False, "No stations to count them yet.")
    there = f"{plural(n['metrics'], 'metric')}; every active station counts at least one."
    return Step("metrics", title, True, there)


def targets_step(n: dict[str, int]) -> Step:
    """Done once counts have targets and every listed gauge its min level. A count without
    a target is only reported: less is better for some (scrap), and a target means at least."""
    title = "Targets and min levels"
    if not n["listed"]:
        return Step("targets", title, False, "No station counts a metric yet.")
    targets = n["listed"] - n["gauges"] - n["no_target"]
    has_counts = n["listed"] > n["gauges"]
    missing = joined(
        "No count has a target yet." if has_counts and not targets else "",
        f"{plural(n['no_min'], 'gauge has', 'gauges have')} no min level." if n["no_min"] else "",
    )
    if missing:
        return Step("targets", title, False, missing)
    there = joined(
        f"{plural(targets, 'target')}, {plural(n['gauges'] - n['no_min'], 'min level')}.",
        f"{plural(n['no_target'], 'count has', 'counts have')} no target "
        "(right where less is better, such as scrap)."
        if n["no_target"]
        else "",
    )
    return Step("targets", title, True, there)


def users_step(n: dict[str, int]) -> Step:
    title = "Users and their areas"
    if not n["walkers"]:
        return Step("users", title, False, "No coordinator or supervisor can sign in yet.")
    if n["supervisors_without_area"]:
        missing = plural(n["supervisors_without_area"], "supervisor has", "supervisors have")
        return Step("users", title, False, f"{missing} no area.")
    there = plural(n["walkers"], "coordinator or supervisor", "coordinators and supervisors")
    return Step("users", title, True, f"{there}.")


def counted_step(key: str, title: str, count: int, there: str, missing: str) -> Step:
    return Step(key, title, count > 0, there if count else missing)


def setup_checklist(session: Session, configured_public_url: str = "") -> list[Step]:
    """The steps in the order a plant is set up; ``configured_public_url`` is
    FLOORWALK_PUBLIC_URL, which stands in for the setting."""
    settings = dict(session.execute(select(Setting.name, Setting.value)).all())
    n = checklist_counts(session)
    return [
        plant_step(settings),
        public_url_step(settings.get("public_url") or configured_public_url),
        counted_step(
            "stations",
            "Areas and stations",
            n["stations"],
            f"{plural(n['areas'], 'area')}, {plural(n['stations'], 'active station')}.",
            "No stations yet: import stations (which makes their areas) or add them.",
        ),
        metrics_step(n),
        targets_step(n),
        counted_step(
            "employees",
            "Employees",
            n["employees"],
            f"{plural(n['employees'], 'active employee')}.",
            "No employees yet.",
        ),
        users_step(n),
        counted_step(
            "routes",
            "Routes",
            n["routes"],
            f"{plural(n['routes'], 'route')} with stops.",
            "No route with stops yet.",
        ),
        counted_step(
            "labels",
            "Labels printed",
            n["prints"],
            f"Labels downloaded {plural(n['prints'], 'time')}.",
            "No label sheet or label downloaded yet.",
        ),
        counted_step(
            "walk",
            "First walk synced",
            n["records"],
            f"{plural(n['records'], 'record')} synced.",
            "Nothing synced yet: a coordinator signs in at /walk on a phone and walks.",
        ),
    ]
