"""One production day's summary, shaped as DESIGN §3 fixes it: the station rows, the
alerts and the day's totals with the change from the day before.

The figures come from figures.py (read once for the day and the day before), the
alerts from alerts.py, the employee notes from notes.py.
"""

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Any

from sqlalchemy.orm import Session

from ..days import FIRST_DAY, LAST_DAY
from ..models import User, utcnow
from .alerts import day_alerts, period_end
from .figures import (
    PeriodFigures,
    number,
    observation_counts,
    observations_by_station,
    ratio,
    scope_plan,
    total_of,
)
from .notes import employee_notes
from .plant import Plant, StationRow, load_plant
from .scope import Scope, SummaryError, check_shift, known_area
from .trend import day_point, trend_points

NO_ACTIVITY = (0, None, None)  # visits, first, last
NO_OBSERVATIONS = (0, 0)  # observations, open
CHANGED = ("visited", "observations", "open", "attainment")


def daily_summary(
    session: Session,
    day: date,
    viewer: User,
    area_id: int | None = None,
    shift: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The summary of one production day, shaped as DESIGN §3 fixes it.

    Raises SummaryError for an area (404) or a shift (400) the plant does not have.
    """
    if not FIRST_DAY <= day <= LAST_DAY:
        raise SummaryError(f"No summary for {day}: days run from {FIRST_DAY} to {LAST_DAY}.", 404)
    now = now or utcnow()
    area = known_area(session, area_id)
    scope = Scope(day, day, area_id, shift or None)
    plant = load_plant(session, scope)
    check_shift(plant.clock, scope.shift)
    # The plan of the day before too, for the change from the previous day.
    both = replace(scope, day_from=day - timedelta(days=1))
    period = PeriodFigures.read(
        session, scope, plant, shown=scope, day_plan=scope_plan(session, both, plant)
    )
    off = period.off.get(day, set())
    stations = [s for s in plant.stations if s.id not in off]
    over = now >= period_end(plant.clock, day, scope.shift)
    rows = station_rows(day, stations, plant, period)
    missed = [s.code for s in stations if (day, s.id) not in period.activity]
    settings = plant.settings
    return {
        "day": day.isoformat(),
        "timezone": settings["timezone"],
        "day_start": settings["day_start"],
        "shift": scope.shift,
        "area": area.name if area else None,
        "complete": over,
        "stations": rows,
        "employee_notes": employee_notes(session, scope, viewer, plant.clock.zone),
        "alerts": day_alerts(session, scope, stations, rows, missed, over),
        **day_totals(session, scope, plant, period, len(stations), missed),
    }


def day_totals(
    session: Session,
    scope: Scope,
    plant: Plant,
    period: PeriodFigures,
    stations: int,
    missed: list[str],
) -> dict[str, Any]:
    """The day's coverage, observations, downtime and attainment, and the change from
    the day before. That day needs only its totals, which the database sums
    (``day_point``, with the plan ``period`` holds for both days), where the day shown
    is read in full (``period``)."""
    observations = observation_counts(period.observations, scope.day_from)
    current = trend_points(scope, plant, period)[0]
    before = scope.day_from - timedelta(days=1)
    previous = day_point(
        session, replace(scope, day_from=before, day_to=before), plant, period.off, period.targets
    )
    return {
        "coverage": {"visited": stations - len(missed), "stations": stations, "missed": missed},
        "observations": observations["observations"],
        "downtime": observations["downtime"],
        "attainment": current["attainment"],
        "previous_day": previous,
        "change": {key: _difference(current[key], previous[key]) for key in CHANGED},
    }


def station_rows(
    day: date, stations: list[StationRow], plant: Plant, period: PeriodFigures
) -> list[dict[str, Any]]:
    """A row per scheduled station: visits, first and last record, counts, observations."""
    zone = plant.clock.zone
    observed = observations_by_station(period.observations, day)
    metrics = metrics_of_stations(plant, day, period)
    rows = []
    for station in stations:
        visits, first, last = period.activity.get((day, station.id), NO_ACTIVITY)
        obs, open_ = observed.get(station.id, NO_OBSERVATIONS)
        rows.append(
            {
                "code": station.code,
                "name": station.name,
                "area": station.area,
                "visits": visits,
                "first_visit": _local(first, zone),
                "last_visit": _local(last, zone),
                "counts": station_counts(station.id, metrics.get(station.id, ()), day, period),
                "observations": {"total": obs, "open": open_},
            }
        )
    return rows


def _difference(now, before):
    if now is None or before is None:
        return None
    return number(round(now - before, 4))


def _local(instant: datetime | None, zone) -> str | None:
    return instant.astimezone(zone).isoformat() if instant else None


def station_counts(station_id, metrics, day, period) -> dict[str, dict]:
    """The station's figures of its ``metrics`` for the day (``metrics_of_stations``)."""
    counts = {}
    totals, target_of = period.totals, period.targets.target
    for metric_id, key, kind, min_level in metrics:
        at = (day, station_id, metric_id)
        figures = totals.get(at)
        if kind == "gauge":
            counts[key] = gauge_figures(figures, target_of(at), min_level)
        else:
            counts[key] = amount_figures(figures, kind, target_of(at))
    return counts


def gauge_figures(figures: dict | None, target, min_level) -> dict[str, Any]:
    """A gauge's day: last, min and max reading; ``below`` is the last against the level."""
    last = figures["last"] if figures else None
    return {
        "last": number(last),
        "min": number(figures["min"]) if figures else None,
        "max": number(figures["max"]) if figures else None,
        "target": number(target),
        "attainment": ratio(last, target),
        "min_level": number(min_level),
        "below": None if last is None or min_level is None else last < min_level,
    }


def amount_figures(figures: dict | None, kind: str, target) -> dict[str, Any]:
    """A tally's or counter's day: its total against its target, and whether anything
    was counted (a total of 0 is also a day nobody counted it)."""
    total = total_of(kind, figures) or 0
    return {
        "total": number(total),
        "target": number(target),
        "attainment": ratio(total, target),
        "counted": figures is not None,
    }


def metrics_of_stations(plant: Plant, day: date, period: PeriodFigures) -> dict[int, list]:
    """Per station, its listed metrics (``Plant.station_metrics``), then any other metric
    counted or planned that day (the usual targets are the listed metrics')."""
    planned = (key for key, target in period.targets.special.items() if target is not None)
    extra: dict[int, set[int]] = defaultdict(set)
    for d, station_id, metric_id in chain(period.totals, planned):
        if d == day and (station_id, metric_id) not in plant.standing:
            extra[station_id].add(metric_id)
    listed = plant.station_metrics()
    if not extra:
        return listed
    unlisted = {
        sid: [(mid, *plant.kinds[mid], None) for mid in sorted(ids)] for sid, ids in extra.items()
    }
    return {**listed, **{sid: [*listed.get(sid, ()), *more] for sid, more in unlisted.items()}}
