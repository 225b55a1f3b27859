"""A day's alerts, most urgent first: open high or critical observations, gauges below
their minimum level, and once the day (or the shift) is over, low attainment and
missed stations. Stations the plan leaves out raise none."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..days import PlantClock
from ..models import Category, Record, Station
from .figures import OPEN_STATUSES, SEVERITY_ORDER
from .plant import StationRow
from .scope import Scope, Shape, kept, plain_rows

ALERT_SEVERITIES = ("critical", "high")
LOW_ATTAINMENT = 0.8


def period_end(clock: PlantClock, day: date, shift: str | None) -> datetime:
    """When the day, or the shift of it, is over: the moment day-end alerts apply."""
    end = clock.day_bounds(day)[1]
    if shift:
        starts = [start for _, start in clock.shift_starts(day)]
        names = [s.name for s, _ in clock.shift_starts(day)]
        index = names.index(shift)
        end = starts[index + 1] if index + 1 < len(starts) else end
    return end


def elapsed_share(clock: PlantClock, day: date, shift: str | None, now: datetime) -> float:
    """How much of the day, or of the shift of it, has gone by at ``now``: 0 before it
    starts, 1 once it is over (the pace a station's counts are held to meanwhile)."""
    end = period_end(clock, day, shift)
    start = clock.day_bounds(day)[0]
    if shift:
        start = dict((s.name, at) for s, at in clock.shift_starts(day))[shift]
    if now >= end:
        return 1.0
    return max(0.0, (now - start) / (end - start))


def day_alerts(
    session: Session,
    scope: Scope,
    stations: list[StationRow],
    station_rows: list[dict[str, Any]],
    missed: list[str],
    over: bool,
) -> list[dict[str, Any]]:
    """Every alert of the day shown, in the order people act on them."""
    alerts = open_serious_observations(session, scope, {s.id for s in stations})
    alerts += count_alerts(station_rows, over)
    if over:
        alerts += [{"kind": "missed_station", "station": code} for code in missed]
    return alerts


def count_alerts(station_rows: list[dict[str, Any]], over: bool) -> list[dict[str, Any]]:
    """Gauges below their minimum level, then (once the period is over) metrics under
    ``LOW_ATTAINMENT`` of their target, each in station and metric order."""
    below, behind = [], []
    for row in station_rows:
        for key, figures in row["counts"].items():
            if figures.get("below"):
                below.append(
                    {
                        "kind": "below_min_level",
                        "station": row["code"],
                        "metric": key,
                        "last": figures["last"],
                        "min_level": figures["min_level"],
                    }
                )
            attainment = figures.get("attainment")
            if over and attainment is not None and attainment < LOW_ATTAINMENT:
                behind.append(
                    {
                        "kind": "low_attainment",
                        "station": row["code"],
                        "metric": key,
                        "total": figures.get("total", figures.get("last")),
                        "target": figures["target"],
                        "attainment": attainment,
                    }
                )
    return below + behind


def open_serious_observations(session: Session, scope: Scope, station_ids: set[int]) -> list:
    rows = plain_rows(session, _serious_query(scope.shape()), scope.params())
    alerts = []
    for record_id, severity, text, category, code, station_id in rows:
        # Observations at a station the plan leaves out (or that is inactive) stay out.
        if station_id is not None and station_id not in station_ids:
            continue
        alerts.append(
            {
                "kind": "open_observation",
                "severity": severity,
                "station": code,
                "category": category,
                "id": str(record_id),
                "text": text,
            }
        )
    alerts.sort(key=lambda a: SEVERITY_ORDER.index(a["severity"]))
    return alerts


@kept
def _serious_query(shape: Shape):
    return (
        select(
            Record.id, Record.severity, Record.text, Category.key, Station.code, Record.station_id
        )
        .join(Category, Category.id == Record.category_id)
        .outerjoin(Station, Station.id == Record.station_id)
        .where(
            Record.type == "observation",
            Record.status.in_(OPEN_STATUSES),
            Record.severity.in_(ALERT_SEVERITIES),
            *shape.record_filter(),
        )
        .order_by(Record.observed_at)
    )
