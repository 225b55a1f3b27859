"""Routes: ordered lists of stations that a walk is meant to cover."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit import audit_change
from ..models import Route, RouteStop, Station
from .errors import CatalogError
from .lookups import _one, existing_area
from .ordering import move_one_place


def route_values(route: Route) -> dict[str, Any]:
    return {
        "name": route.name,
        "area": route.area.name if route.area else None,
        "active": route.active,
        "stations": [stop.station.code for stop in route.stops],
    }


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
