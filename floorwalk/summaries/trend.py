"""Summaries over a span of days: the daily trend (coverage, observations, attainment
per day) and a station's history of counts against target."""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.plan import PeriodTargets
from ..models import Category, Record, Station
from .figures import (
    AMOUNT_KINDS,
    PeriodFigures,
    day_target,
    metric_totals,
    number,
    observation_counts,
    planned_by_day,
    ratio,
    scope_plan,
    total_of,
    touched_keys,
)
from .plant import Plant, load_plant
from .scope import Scope
from .spans import day_achieved, observation_totals, visits

TREND_DAYS = 14
HISTORY_DAYS = 30


def daily_trend(
    session: Session,
    last_day: date,
    area_id: int | None = None,
    shift: str | None = None,
    days: int = TREND_DAYS,
    plant: Plant | None = None,
) -> list[dict[str, Any]]:
    """Per day up to ``last_day``: coverage, observations and the overall attainment
    (the sum of amount metrics' totals over the sum of their targets)."""
    scope = Scope(last_day - timedelta(days=days - 1), last_day, area_id, shift or None)
    plant = plant or load_plant(session, scope)
    figures = PeriodFigures.read(session, scope, plant)
    return trend_points(scope, plant, figures)


def trend_points(scope: Scope, plant: Plant, figures: PeriodFigures) -> list[dict[str, Any]]:
    off, targets, totals = figures.off, figures.targets, figures.totals
    active_ids = plant.station_ids
    visited: dict[date, set] = defaultdict(set)
    observations = defaultdict(lambda: [0, 0])
    for day, station_id in figures.activity:
        if station_id is not None:
            visited[day].add(station_id)
    for group in figures.observations:
        observations[group.day][0] += group.total
        observations[group.day][1] += group.open
    # A day nobody counted a tally or counter on has no attainment (no data), rather than
    # 0 % (gauges are levels, outside the day's attainment). A day's attainment is the
    # totals of the metrics with a target at the stations scheduled over those targets.
    counted_days, achieved = set(), defaultdict(float)
    for key, figures in totals.items():
        kind = plant.kinds[key[2]][1]
        if kind in AMOUNT_KINDS:
            counted_days.add(key[0])
            if day_target(targets, off, key) is not None:
                achieved[key[0]] += total_of(kind, figures) or 0
    planned = planned_by_day(scope.days(), plant, off, targets, touched_keys(off, targets))
    trend = []
    for day in scope.days():
        scheduled = active_ids - off.get(day, set())
        trend.append(
            {
                "day": day.isoformat(),
                "visited": len(visited[day] & scheduled),
                "stations": len(scheduled),
                "observations": observations[day][0],
                "open": observations[day][1],
                "attainment": ratio(achieved[day], planned[day]) if day in counted_days else None,
            }
        )
    return trend


def day_point(
    session: Session, scope: Scope, plant: Plant, off: dict, targets: PeriodTargets
) -> dict[str, Any]:
    """The trend's point of the scope's one day from the sums the database makes, as
    the period report reads its days: for a day of which only the totals are shown (the
    day summary's day before). ``off`` and ``targets``: the plan (``scope_plan``) of a
    span holding the day."""
    day = scope.day_from
    _, achieved = day_achieved(session, scope, plant, off, targets, pairs=False)
    visited, _ = visits(session, scope, off, by_station=False)
    groups = observation_totals(session, scope, plant)
    observations = observation_counts(groups, None)["observations"]
    planned = planned_by_day([day], plant, off, targets, touched_keys(off, targets))
    return {
        "day": day.isoformat(),
        "visited": visited.get(day, 0),
        "stations": len(plant.station_ids - off.get(day, set())),
        "observations": observations["total"],
        "open": observations["open"],
        "attainment": ratio(achieved[day], planned[day]) if day in achieved else None,
    }


def station_history(
    session: Session, station: Station, last_day: date, days: int = HISTORY_DAYS
) -> dict[str, Any]:
    """A station's last ``days`` production days: each metric's figure against its target,
    and its observations, newest first."""
    scope = Scope(last_day - timedelta(days=days - 1), last_day, station_id=station.id)
    plant = load_plant(session, scope, active_only=False)  # an inactive one's history too
    off, targets = scope_plan(session, scope, plant)
    totals = metric_totals(session, scope, plant, gauges=scope)
    listed = plant.listed_metrics().get(station.id, [])
    metric_ids = listed + sorted({mid for (_, _, mid) in totals} - set(listed))
    series = []
    for metric_id in metric_ids:
        metric = plant.metrics[metric_id]
        points = []
        for day in scope.days():
            figures = totals.get((day, station.id, metric_id))
            value = total_of(metric.kind, figures) if figures else None
            target = targets.target((day, station.id, metric_id))
            points.append(
                {
                    "day": day,
                    "value": number(value),
                    "target": number(target),
                    "scheduled": station.id not in off.get(day, ()),
                }
            )
        series.append({"metric": metric, "points": points})
    observations = session.execute(
        select(Record, Category.label)
        .join(Category, Category.id == Record.category_id)
        .where(Record.type == "observation", *scope.record_filter())
        .order_by(Record.observed_at.desc())
    ).all()
    return {
        "days": scope.days(),
        "series": series,
        "observations": observations,
        "zone": plant.clock.zone,
    }
