"""A period report (DESIGN §10): per station and metric the period's totals against the
sum of the days' targets, coverage and attainment by day, observations and downtime, and
the same figures for the previous period of equal length.

Everything comes from the aggregates of figures.py, read once per period (``GROUP BY``
day, station, metric); this module only adds the days up. A tally's or counter's total
over the period is the sum of its day totals, a gauge's is its last reading of the
period; a target is the sum of the targets of the days the plan schedules the station.
"""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ..actions.figures import action_figures
from ..models import utcnow
from .figures import AMOUNT_KINDS, PeriodFigures, number, observation_counts, ratio, total_of
from .scope import Plant, Scope, SummaryError, check_shift, known_area, load_plant
from .trend import trend_points

COVERAGE = ("visited", "stations")
MAX_DAYS = 366  # a year, leap day included
REPORT_CSV_HEADER = [
    *("from", "to", "area", "station", "name", "metric", "total", "target", "attainment"),
    *("previous_total", "previous_target", "previous_attainment"),
]


def check_period(day_from: date, day_to: date) -> None:
    if day_to < day_from:
        raise SummaryError(
            f"The period ends ({day_to.isoformat()}) before it starts ({day_from.isoformat()})."
        )
    days = (day_to - day_from).days + 1
    if days > MAX_DAYS:
        raise SummaryError(f"A report spans at most a year ({MAX_DAYS} days); this asks {days}.")


def previous_period(day_from: date, day_to: date) -> tuple[date, date]:
    """The period of equal length that ends the day before ``day_from``."""
    length = (day_to - day_from).days + 1
    return day_from - timedelta(days=length), day_from - timedelta(days=1)


def period_report(
    session: Session,
    day_from: date,
    day_to: date,
    area_id: int | None = None,
    shift: str | None = None,
) -> dict[str, Any]:
    """The report of ``day_from``..``day_to``, shaped as DESIGN §10 fixes it.

    Raises SummaryError for a bad span (400), an unknown shift (400) or area (404).
    """
    check_period(day_from, day_to)
    area = known_area(session, area_id)
    scope = Scope(day_from, day_to, area_id, shift or None)
    plant = load_plant(session, scope)
    check_shift(plant.clock, scope.shift)
    before = Scope(*previous_period(day_from, day_to), area_id, scope.shift)
    report = {
        "shift": scope.shift,
        "area": area.name if area else None,
        **period_figures(session, scope, plant),
    }
    report["previous"] = period_figures(session, before, plant)
    return report


def period_figures(session: Session, scope: Scope, plant: Plant) -> dict[str, Any]:
    """The figures of one period (the keys a report and its ``previous`` share)."""
    # Gauge readings are ranked per day; the period's last is the last day's last.
    figures = PeriodFigures.read(session, scope, plant, shown=scope)
    days = scope.days()
    by_day = trend_points(scope, plant, figures)
    observations = observation_counts(figures.observations, None)
    return {
        "from": scope.day_from.isoformat(),
        "to": scope.day_to.isoformat(),
        "days": len(days),
        "stations": station_rows(days, plant, figures),
        "coverage": {"by_day": {p["day"]: {k: p[k] for k in COVERAGE} for p in by_day}},
        "attainment": {
            "period": overall_attainment(days, plant, figures),
            "by_day": {p["day"]: p["attainment"] for p in by_day},
        },
        "observations": observations["observations"],
        "downtime": observations["downtime"],
        "actions": action_figures(
            session,
            scope.day_from,
            scope.day_to,
            scope.area_id,
            plant.clock.production_day(utcnow()),
        ),  # fmt: skip
    }


def station_rows(days: list[date], plant: Plant, figures: PeriodFigures) -> list[dict]:
    """A row per active station the plan schedules on at least one day of the period."""
    scheduled_days = {
        station.id: {day for day in days if station.id not in figures.off.get(day, ())}
        for station in plant.stations
    }
    visited: dict[int, int] = defaultdict(int)
    for day, station_id in figures.activity:
        if day in scheduled_days.get(station_id, ()):
            visited[station_id] += 1
    totals = metric_period_totals(plant, figures, scheduled_days)
    listed = plant.listed_metrics()
    rows = []
    for station in plant.stations:
        if not scheduled_days.get(station.id):
            continue
        metric_ids = listed.get(station.id, [])
        extra = sorted(mid for (sid, mid) in totals if sid == station.id and mid not in metric_ids)
        counts = {}
        for metric_id in metric_ids + extra:
            key, kind = plant.kinds[metric_id]
            total, target = totals.get((station.id, metric_id), (None, None))
            if kind in AMOUNT_KINDS:
                total = total or 0
            counts[key] = {
                "total": number(total),
                "target": number(target),
                "attainment": ratio(total, target),
            }
        rows.append(
            {
                "code": station.code,
                "name": station.name,
                "area": station.area,
                "visited_days": visited[station.id],
                "scheduled_days": len(scheduled_days[station.id]),
                "counts": counts,
            }
        )
    return rows


def metric_period_totals(
    plant: Plant, figures: PeriodFigures, scheduled: dict[int, set[date]]
) -> dict[tuple[int, int], tuple]:
    """Per (station, metric): the period's total and target, over the days the station is
    scheduled. Tally, counter: the sum of day totals; gauge: the last reading."""
    result: dict[tuple[int, int], list] = {}
    no_days: set[date] = set()
    for (day, sid, mid), target in figures.targets.items():
        if day in scheduled.get(sid, no_days):
            entry = result.setdefault((sid, mid), [None, None, None])
            entry[1] = (entry[1] or 0) + target
    for (day, sid, mid), day_totals in figures.totals.items():
        if day not in scheduled.get(sid, no_days):
            continue
        entry = result.setdefault((sid, mid), [None, None, None])
        kind = plant.kinds[mid][1]
        value = total_of(kind, day_totals)
        if kind in AMOUNT_KINDS:
            entry[0] = (entry[0] or 0) + (value or 0)
        elif value is not None and (entry[2] is None or day > entry[2]):
            entry[0], entry[2] = value, day
    return {key: (total, target) for key, (total, target, _) in result.items()}


def overall_attainment(days: list[date], plant: Plant, figures: PeriodFigures) -> float | None:
    """The period's tally and counter totals over their targets at the scheduled stations;
    null when nothing was counted."""
    if not figures.totals:
        return None
    achieved = planned = 0.0
    for (day, station_id, metric_id), target in figures.targets.items():
        kind = plant.kinds[metric_id][1]
        if kind in AMOUNT_KINDS and station_id not in figures.off.get(day, ()):
            planned += target
            achieved += total_of(kind, figures.totals.get((day, station_id, metric_id))) or 0
    return ratio(achieved, planned)


def report_csv_rows(report: dict[str, Any]):
    """A row per station and metric, with the previous period's figures beside it."""
    before = {
        (row["code"], key): figures
        for row in report["previous"]["stations"]
        for key, figures in row["counts"].items()
    }
    for row in report["stations"]:
        for key, figures in row["counts"].items():
            previous = before.get((row["code"], key), {})
            yield [
                report["from"],
                report["to"],
                row["area"],
                row["code"],
                row["name"],
                key,
                figures["total"],
                figures["target"],
                figures["attainment"],
                previous.get("total"),
                previous.get("target"),
                previous.get("attainment"),
            ]
