"""The plant's catalog: areas, stations, metrics, targets, employees, routes, the day plan.

Every change goes through a function here that writes an audit event with the values
before and after (nothing when nothing changed). Rows a phone mirrors are deactivated
rather than deleted where the design keeps history (stations, categories, employees,
routes, users); what is deleted for good leaves a ``Removal`` for pull (kind: the pull
collection, key: the row's id).
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..accounts import AccountError, areas_by_name, create_user, deactivate_user, set_password
from ..audit import record_audit
from ..changes import transaction_change_seq
from ..models import (
    Area,
    Category,
    Employee,
    Metric,
    PlanTarget,
    Record,
    Removal,
    Route,
    RouteStop,
    Station,
    StationMetric,
    User,
)
from ..settings import get_settings, set_setting


class CatalogError(ValueError):
    """A change that cannot be made, with the form field it concerns (or None)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def plant_overview(session: Session) -> list[tuple[str, int]]:
    """How many of each thing the plant has, counted in the database."""
    counted = (
        ("Areas", select(func.count(Area.id))),
        ("Active stations", select(func.count(Station.id)).where(Station.active)),
        ("Metrics", select(func.count(Metric.id))),
        ("Observation categories", select(func.count(Category.id)).where(Category.active)),
        ("Employees", select(func.count(Employee.id)).where(Employee.active)),
        ("Routes", select(func.count(Route.id)).where(Route.active)),
        ("Active users", select(func.count(User.id)).where(User.active)),
        ("Records", select(func.count(Record.id))),
    )
    return [(label, session.execute(query).scalar_one()) for label, query in counted]


# What the audit trail keeps of each kind of row -------------------------------------


def area_values(area: Area) -> dict[str, Any]:
    return {"name": area.name}


def station_values(station: Station) -> dict[str, Any]:
    return {
        "code": station.code,
        "name": station.name,
        "area": station.area.name,
        "active": station.active,
    }


def metric_values(metric: Metric) -> dict[str, Any]:
    return {"key": metric.key, "label": metric.label, "unit": metric.unit, "kind": metric.kind}


def target_values(entry: StationMetric) -> dict[str, Any]:
    return {
        "station": entry.station.code,
        "metric": entry.metric.key,
        "target": entry.target,
        "min_level": entry.min_level,
    }


def category_values(category: Category) -> dict[str, Any]:
    return {
        "key": category.key,
        "label": category.label,
        "downtime": category.downtime,
        "active": category.active,
    }


def employee_values(employee: Employee) -> dict[str, Any]:
    return {
        "badge": employee.badge,
        "name": employee.name,
        "area": employee.area.name if employee.area else None,
        "active": employee.active,
    }


def route_values(route: Route) -> dict[str, Any]:
    return {
        "name": route.name,
        "area": route.area.name if route.area else None,
        "active": route.active,
        "stations": [stop.station.code for stop in route.stops],
    }


def user_values(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role,
        "areas": [area.name for area in user.areas],
        "active": user.active,
    }


def audit_change(session, actor, entity, key, before, after, action=None) -> bool:
    """Record the change when there is one; True when something changed."""
    if before == after:
        return False
    action = action or ("create" if before is None else "update")
    record_audit(session, actor, action, entity, key, before, after)
    return True


def add_removal(session: Session, kind: str, row_id: int) -> None:
    """Tell phones, through pull, that a mirrored row is gone for good."""
    session.add(Removal(kind=kind, key=str(row_id), change_seq=transaction_change_seq(session)))


# Ordered lists ------------------------------------------------------------------------


def move_one_place(
    session: Session,
    actor,
    names: list[str],
    index: int,
    step: int,
    *,
    store: Callable[[list[str]], None],
    audited: tuple[str, Any, str],
) -> None:
    """Swap ``names[index]`` with its neighbour (step -1 up, +1 down), ``store`` the new
    order and audit it as ``(entity, key, field)`` with the order before and after.

    Route stops and a station's metrics both move with it. A move off either end, or
    from a place the list no longer has (a page left open while the list changed), is
    refused with a CatalogError and stores nothing.
    """
    if step not in (-1, 1):
        raise ValueError(f"a move is one place up (-1) or down (+1), not {step}")
    if not 0 <= index < len(names):
        raise CatalogError(f"The list has no place {index + 1} any more; reload the page.")
    other = index + step
    if not 0 <= other < len(names):
        end, way = ("first", "up") if step < 0 else ("last", "down")
        raise CatalogError(f"{names[index]} is already {end}, so it cannot move {way}.")
    order = list(names)
    order[index], order[other] = order[other], order[index]
    store(order)
    entity, key, name = audited
    audit_change(session, actor, entity, key, {name: list(names)}, {name: order}, "reorder")


# Look-ups -----------------------------------------------------------------------------


def _one(session: Session, model, column, value):
    return session.execute(select(model).where(column == value)).scalar_one_or_none()


def station_by_code(session: Session, code: str) -> Station | None:
    return _one(session, Station, Station.code, code)


def metric_by_key(session: Session, key: str) -> Metric | None:
    return _one(session, Metric, Metric.key, key)


def category_by_key(session: Session, key: str) -> Category | None:
    return _one(session, Category, Category.key, key)


def employee_by_badge(session: Session, badge: str) -> Employee | None:
    return _one(session, Employee, Employee.badge, badge)


def area_by_name(session: Session, name: str) -> Area | None:
    return _one(session, Area, Area.name, name)


def existing_area(session: Session, name: str | None) -> Area | None:
    """The named area, None for a blank name; CatalogError when there is no such area."""
    if not name:
        return None
    area = area_by_name(session, name)
    if area is None:
        raise CatalogError(f"There is no area {name!r}; add it on the Areas page first.", "area")
    return area


def list_areas(session: Session) -> list[tuple[Area, int, int]]:
    """Every area with its number of stations and employees."""
    stations = select(func.count(Station.id)).where(Station.area_id == Area.id).scalar_subquery()
    employees = (
        select(func.count(Employee.id))
        .where(Employee.area_id == Area.id, Employee.active)
        .scalar_subquery()
    )
    return list(session.execute(select(Area, stations, employees).order_by(Area.name)).all())


def area_names(session: Session) -> list[str]:
    return list(session.execute(select(Area.name).order_by(Area.name)).scalars())


def list_stations(
    session: Session, search: str = "", area_id: int | None = None, active_only: bool = False
) -> list[Station]:
    query = select(Station).join(Station.area).options(selectinload(Station.area))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(func.lower(Station.code).like(pattern), func.lower(Station.name).like(pattern))
        )
    if area_id:
        query = query.where(Station.area_id == area_id)
    if active_only:
        query = query.where(Station.active)
    return list(session.execute(query.order_by(Area.name, Station.code)).scalars())


def list_metrics(session: Session) -> list[Metric]:
    return list(session.execute(select(Metric).order_by(Metric.key)).scalars())


def list_categories(session: Session, active_only: bool = False) -> list[Category]:
    query = select(Category).order_by(Category.position, Category.key)
    if active_only:
        query = query.where(Category.active)
    return list(session.execute(query).scalars())


def list_employees(session: Session, search: str = "", area_id: int | None = None):
    query = select(Employee).options(selectinload(Employee.area)).order_by(Employee.badge)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(func.lower(Employee.badge).like(pattern), func.lower(Employee.name).like(pattern))
        )
    if area_id:
        query = query.where(Employee.area_id == area_id)
    return list(session.execute(query).scalars())


def list_routes(session: Session) -> list[Route]:
    query = select(Route).options(selectinload(Route.stops).selectinload(RouteStop.station))
    return list(session.execute(query.order_by(Route.name)).scalars())


def list_users(session: Session) -> list[User]:
    return list(
        session.execute(
            select(User).options(selectinload(User.areas)).order_by(User.role, User.username)
        ).scalars()
    )


# Areas --------------------------------------------------------------------------------


def save_area(session: Session, actor, area: Area | None, name: str) -> Area:
    found = area_by_name(session, name)
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


# Stations and their metrics -----------------------------------------------------------


def save_station(
    session: Session, actor, station: Station | None, values: dict, action: str | None = None
) -> Station:
    """Create or update a station; its code never changes once printed on a label."""
    before = station_values(station) if station else None
    area = areas_by_name(session, [values["area"]])[0]
    if station is None:
        if station_by_code(session, values["code"]) is not None:
            raise CatalogError(f"The station code {values['code']!r} is taken.", "code")
        station = Station(code=values["code"], area=area)
        session.add(station)
    station.name = values["name"]
    station.area = area
    station.active = values["active"]
    audit_change(session, actor, "station", station.code, before, station_values(station), action)
    return station


def set_station_metric(
    session: Session,
    actor,
    station: Station,
    metric: Metric,
    target: float | None,
    min_level: float | None,
    action: str | None = None,
) -> StationMetric:
    """List ``metric`` at ``station`` (at the end) or change its target and min level."""
    entry = next((e for e in station.metrics if e.metric_id == metric.id), None)
    before = target_values(entry) if entry else None
    if entry is None:
        position = max((e.position for e in station.metrics), default=-1) + 1
        entry = StationMetric(metric=metric, position=position)
        station.metrics.append(entry)
    entry.target = target
    entry.min_level = min_level
    key = f"{station.code}/{metric.key}"
    audit_change(session, actor, "target", key, before, target_values(entry), action)
    return entry


def remove_station_metric(session: Session, actor, entry: StationMetric) -> None:
    station = entry.station
    key = f"{station.code}/{entry.metric.key}"
    record_audit(session, actor, "delete", "target", key, target_values(entry), None)
    order_station_metrics(station, [e for e in station.metrics if e is not entry])
    session.flush()


def order_station_metrics(station: Station, entries: list[StationMetric]) -> None:
    """List ``entries`` at ``station`` in this order, numbered 0, 1, 2…: positions stay
    dense and unique, and the loaded list shows the order the database now holds.

    Left out entries are deleted. A changed position makes the station's change number
    go up (changes.py), so phones pull the new order.
    """
    for position, entry in enumerate(entries):
        if entry.position != position:
            entry.position = position
    station.metrics = entries


def move_station_metric(
    session: Session, actor, station: Station, metric: Metric, step: int
) -> None:
    """Move ``metric`` one place up (step -1) or down (+1) in the station's list, the order
    the phone's station view, the daily summary and the station history show."""
    entries = {entry.metric.key: entry for entry in station.metrics}
    if metric.key not in entries:
        raise CatalogError(f"{metric.key} is not listed at {station.code}; reload the page.")
    keys = list(entries)
    move_one_place(
        session,
        actor,
        keys,
        keys.index(metric.key),
        step,
        store=lambda order: order_station_metrics(station, [entries[k] for k in order]),
        audited=("station", station.code, "metrics"),
    )


# Metrics ------------------------------------------------------------------------------


def save_metric(
    session: Session, actor, metric: Metric | None, values: dict, action: str | None = None
) -> Metric:
    before = metric_values(metric) if metric else None
    if metric is None:
        if metric_by_key(session, values["key"]) is not None:
            raise CatalogError(f"The metric key {values['key']!r} is taken.", "key")
        metric = Metric(key=values["key"])
        session.add(metric)
    metric.label = values["label"]
    metric.unit = values["unit"] or ""
    metric.kind = values["kind"]
    audit_change(session, actor, "metric", metric.key, before, metric_values(metric), action)
    return metric


def delete_metric(session: Session, actor, metric: Metric) -> None:
    """Delete a metric nothing refers to yet (a mistake); one in use stays."""
    uses = {
        "records": select(func.count(Record.id)).where(Record.metric_id == metric.id),
        "stations": select(func.count()).where(StationMetric.metric_id == metric.id),
        "plan targets": select(func.count(PlanTarget.id)).where(PlanTarget.metric_id == metric.id),
    }
    used = [f"{n} {name}" for name, q in uses.items() if (n := session.execute(q).scalar_one())]
    if used:
        raise CatalogError(
            f"The metric {metric.key!r} is used by {', '.join(used)}, so it stays.", "key"
        )
    record_audit(session, actor, "delete", "metric", metric.key, metric_values(metric), None)
    add_removal(session, "metrics", metric.id)
    session.delete(metric)
    session.flush()


# Categories and employees -------------------------------------------------------------


def save_category(
    session: Session, actor, category: Category | None, values: dict, action: str | None = None
) -> Category:
    before = category_values(category) if category else None
    if category is None:
        if category_by_key(session, values["key"]) is not None:
            raise CatalogError(f"The category key {values['key']!r} is taken.", "key")
        last = session.execute(select(func.max(Category.position))).scalar_one()
        category = Category(key=values["key"], position=(last or 0) + 1)
        session.add(category)
    category.label = values["label"]
    category.downtime = values["downtime"]
    category.active = values.get("active", True)
    after = category_values(category)
    audit_change(session, actor, "category", category.key, before, after, action)
    return category


def save_employee(
    session: Session, actor, employee: Employee | None, values: dict, action: str | None = None
) -> Employee:
    before = employee_values(employee) if employee else None
    area = existing_area(session, values.get("area"))
    if employee is None:
        if employee_by_badge(session, values["badge"]) is not None:
            raise CatalogError(f"The badge {values['badge']!r} is taken.", "badge")
        employee = Employee(badge=values["badge"])
        session.add(employee)
    employee.name = values["name"]
    employee.area = area
    employee.active = values.get("active", True)
    after = employee_values(employee)
    audit_change(session, actor, "employee", employee.badge, before, after, action)
    return employee


# Routes -------------------------------------------------------------------------------


def route_stations(session: Session, text: str) -> list[Station]:
    """The stations of a route typed one code a line; CatalogError lists every bad line."""
    codes = [line.strip() for line in text.splitlines()]
    known = {
        s.code: s
        for s in session.execute(
            select(Station).where(Station.code.in_([c for c in codes if c]))
        ).scalars()
    }
    problems, seen, stations = [], {}, []
    for number, code in enumerate(codes, start=1):
        if not code:
            continue
        if code in seen:
            problems.append(f"line {number}: {code} is already on line {seen[code]}")
        elif code not in known:
            problems.append(f"line {number}: there is no station {code!r}")
        else:
            seen[code] = number
            stations.append(known[code])
    if problems:
        raise CatalogError("; ".join(problems) + ".", "stations")
    return stations


def save_route(
    session: Session, actor, route: Route | None, values: dict, stations: list[Station]
) -> Route:
    existing = _one(session, Route, Route.name, values["name"])
    if existing is not None and existing is not route:
        raise CatalogError(f"There is already a route {values['name']!r}.", "name")
    before = route_values(route) if route else None
    area = existing_area(session, values.get("area"))
    if route is None:
        route = Route(name=values["name"])
        session.add(route)
    route.name = values["name"]
    route.area = area
    route.active = values.get("active", True)
    set_route_stops(route, stations)
    session.flush()
    audit_change(session, actor, "route", route.id, before, route_values(route))
    return route


def set_route_stops(route: Route, stations: list[Station]) -> None:
    """Reuse the stop rows in place: their key is (route, position)."""
    for position, station in enumerate(stations):
        if position < len(route.stops):
            route.stops[position].station = station
        else:
            route.stops.append(RouteStop(position=position, station=station))
    del route.stops[len(stations) :]


def move_route_stop(
    session: Session, actor, route: Route, position: int, step: int, code: str | None = None
) -> None:
    """Move the stop at ``position`` one place up (step -1) or down (+1) the route.

    ``code`` is the station the page showed there: a second tap on a button whose stop
    has just moved is refused, instead of moving whichever stop took its place.
    """
    codes = [stop.station.code for stop in route.stops]
    if code is not None and 0 <= position < len(codes) and codes[position] != code:
        raise CatalogError(f"{code} has moved since the page was shown; here is the route now.")
    stations = {stop.station.code: stop.station for stop in route.stops}
    move_one_place(
        session,
        actor,
        codes,
        position,
        step,
        store=lambda order: set_route_stops(route, [stations[code] for code in order]),
        audited=("route", route.id, "stations"),
    )


# Users --------------------------------------------------------------------------------


def admin_create_user(session: Session, actor, values: dict, iterations: int) -> User:
    try:
        user = create_user(
            session,
            values["username"],
            values["role"],
            values["password"],
            values["areas"],
            iterations,
        )
    except AccountError as error:
        field = "password" if "password" in str(error) else "username"
        raise CatalogError(str(error), field) from None
    audit_change(session, actor, "user", user.username, None, user_values(user))
    return user


def update_user(session: Session, actor, user: User, role: str, areas: list[str]) -> None:
    if user.id == actor.id and role != "admin":
        raise CatalogError("You cannot take the admin role from yourself.", "role")
    before = user_values(user)
    user.role = role
    user.areas = areas_by_name(session, areas)
    audit_change(session, actor, "user", user.username, before, user_values(user))


def set_user_active(session: Session, actor, user: User, active: bool) -> None:
    """Deactivating ends every session of the user at once (DESIGN §7)."""
    if user.id == actor.id and not active:
        raise CatalogError("You cannot deactivate yourself.")
    before = user_values(user)
    if active:
        user.active = True
    else:
        deactivate_user(user)
    action = "activate" if active else "deactivate"
    audit_change(session, actor, "user", user.username, before, user_values(user), action)


def reset_password(session: Session, actor, user: User, password: str, iterations: int) -> None:
    try:
        set_password(user, password, iterations)
    except AccountError as error:
        raise CatalogError(str(error), "password") from None
    record_audit(
        session, actor, "reset_password", "user", user.username, None, {"sessions": "ended"}
    )


# Settings -----------------------------------------------------------------------------

SETTING_ORDER = ("timezone", "shifts", "day_start", "public_url")


def save_settings(session: Session, actor, values: dict[str, str]) -> dict[str, str]:
    """Store the changed settings, each checked by ``set_setting``; returns errors by field.

    Shifts go before the day start, which they set; with shifts the day start field is
    left alone. The caller rolls back when errors come back.
    """
    errors = {}
    for name in SETTING_ORDER:
        current = get_settings(session)
        value = (values.get(name) or "").strip()
        if name == "day_start" and current["shifts"]:
            continue
        if value == current[name]:
            continue
        try:
            changed = set_setting(session, name, value)
        except ValueError as error:
            errors[name] = str(error)
            continue
        for key, new_value in changed.items():
            if new_value != current[key]:
                audit_change(session, actor, "setting", key, {key: current[key]}, {key: new_value})
    return errors
