"""The SQL aggregates of a span of days: count totals, activity, observation groups and
the plan's targets, read once into ``PeriodFigures``; and what a figure means (a
metric's total by its kind, attainment, numbers as JSON shows them).

Every figure comes from ``GROUP BY`` queries over the production day and shift stored on
each record, so one day's summary reads one day's rows whatever the history holds.
Deleted records never count; ``records`` holds only each record's latest version.
Targets come from the one rule in catalog/plan.py.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from ..catalog import plan
from ..models import WALK_RECORD_TYPES, Category, Record
from ..sync.schemas import MAX_COUNT_VALUE, MAX_DOWNTIME_MINUTES
from .plant import Plant
from .scope import Scope, Shape, kept, plain_rows

OPEN_STATUSES = ("open", "acknowledged")
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
# Summed into a day's overall attainment: a gauge's target (headcount, bins) is a level,
# not an amount produced, so it has its own attainment but stays out of the day's.
AMOUNT_KINDS = ("tally", "counter")
# Only values in DESIGN §3's ranges count, whatever was stored before the push checked
# them (migration 0005 withdrew such rows): no sum overflows, on PostgreSQL either.
COUNTED_VALUE = case((Record.value.between(0, MAX_COUNT_VALUE), Record.value))
COUNTED_MINUTES = case((Record.minutes.between(0, MAX_DOWNTIME_MINUTES), Record.minutes))
# The order a station's readings of one day were taken in: the last of them is the day's
# last reading (a phone's clock first, then the server's, then the id, so one is last).
READING_ORDER = (Record.observed_at, Record.received_at, Record.id)
# Observations named by a literal type, not a bound parameter (which could be any type),
# so that both databases may read them from the partial index ix_records_observations.
IS_OBSERVATION = Record.type == literal_column("'observation'")
# Counts named the same way where a query is to seek the partial ix_records_pair_day.
IS_COUNT = Record.type == literal_column("'count'")


# Plan: scheduling and targets, by the one rule in catalog/plan.py ----------------------


def scope_plan(
    session: Session, scope: Scope, plant: Plant
) -> tuple[dict[date, set], plan.PeriodTargets]:
    """The plan of the scope's days by the one rule of catalog/plan.py: per day, the
    stations it leaves out of the day or shift; the targets, in their compact form (the
    usual ones from the plant's catalog, read once per change)."""
    return plan.period_plan(
        session,
        scope.day_from,
        scope.day_to,
        plant.standing_targets,
        [s.name for s in plant.clock.shifts],
        scope.shift,
        plant.station_ids,
        usual=plant.usual_targets(scope.shift),
        rows=plant.catalog.plan_rows(session, scope.day_from, scope.day_to),
    )


def day_target(targets: plan.PeriodTargets, off: dict[date, set], key) -> float | None:
    """The target of (day, station, metric) at a station the plan schedules that day."""
    if key[1] in off.get(key[0], ()):
        return None
    return targets.target(key)


def touched_keys(off: dict[date, set], targets: plan.PeriodTargets) -> set:
    """The (day, station, metric) keys whose target is not the usual one: those the plan
    names, and each listed metric of a station on the days the plan leaves it out."""
    off_stations = set().union(*off.values())
    if not off_stations:
        return set(targets.special)
    by_station: dict[int, list[int]] = defaultdict(list)
    for station_id, metric_id in targets.usual:
        if station_id in off_stations:
            by_station[station_id].append(metric_id)
    return set(targets.special) | {
        (day, sid, mid) for day, sids in off.items() for sid in sids for mid in by_station[sid]
    }


def planned_by_day(
    days: list[date], plant: Plant, off, targets: plan.PeriodTargets, touched: set
) -> dict[date, float]:
    """Per day, the sum of the tally and counter targets at the stations scheduled: the
    usual sum, corrected at the ``touched`` keys."""
    amounts = {mid for mid, (_, kind) in plant.kinds.items() if kind in AMOUNT_KINDS}
    base = sum(t for (_, mid), t in targets.usual.items() if mid in amounts)
    planned = dict.fromkeys(days, base)
    for key in touched:
        day, sid, mid = key
        if mid in amounts and day in planned:
            change = (day_target(targets, off, key) or 0) - targets.usual.get((sid, mid), 0)
            planned[day] += change
    return planned


# Aggregates ---------------------------------------------------------------------------


def per_shift_counts(record_filter: list, *conditions):
    """Counts per day, station, metric and shift: sum, highest and lowest reading (a
    counter's day total is the sum of its shifts' highest readings) of the records
    ``record_filter`` keeps; a Select, for a subquery or a CTE."""
    return (
        select(
            Record.production_day.label("day"),
            Record.station_id.label("station_id"),
            Record.metric_id.label("metric_id"),
            func.sum(COUNTED_VALUE).label("sum"),
            func.max(COUNTED_VALUE).label("max"),
            func.min(COUNTED_VALUE).label("min"),
        )
        .where(Record.type == "count", *record_filter, *conditions)
        .group_by(Record.production_day, Record.station_id, Record.metric_id, Record.shift)
    )


def metric_totals(
    session: Session, scope: Scope, plant: Plant, gauges: Scope | None
) -> dict[tuple[date, int, int], dict]:
    """Per (day, station, metric): tally sum, counter total (sum of shift maxima), min
    and max; gauges only on the days of ``gauges`` (those shown; a trend reads
    none, its attainment is the amounts'), with their last reading."""
    amounts = [mid for mid, (_, kind) in plant.kinds.items() if kind in AMOUNT_KINDS]
    params = {**scope.params(), "amounts": amounts, "shown": gauges.days() if gauges else []}
    rows = plain_rows(session, _totals_query(scope.shape(), gauges is not None), params)
    # The shifts are added up here: the database streams the groups in the order of the
    # covering index, where grouping them again would sort them first.
    totals: dict[tuple[date, int, int], dict] = {}
    for day, sid, mid, total, highest, lowest in rows:
        figures = totals.get((day, sid, mid))
        if figures is None:
            totals[(day, sid, mid)] = {
                "sum": total, "counter": highest, "min": lowest, "max": highest, "last": None
            }  # fmt: skip
        else:
            add_shift(figures, total, highest, lowest)
    if gauges is not None:
        for day, sid, mid, value in gauge_readings(session, gauges, plant):
            totals[(day, sid, mid)]["last"] = value
    return totals


@kept
def _totals_query(shape: Shape, gauges: bool):
    counted = Record.metric_id.in_(bindparam("amounts", expanding=True))
    if gauges:
        counted = or_(counted, Record.production_day.in_(bindparam("shown", expanding=True)))
    return per_shift_counts(shape.record_filter(), counted)


def add_shift(figures: dict, total, highest, lowest) -> None:
    """Adds one more shift's counts to a day's ``figures`` (a counter's total is the sum
    of its shifts' highest readings); a shift with no reading in range adds nothing."""
    if highest is None:
        return
    figures["sum"] = total if figures["sum"] is None else figures["sum"] + total
    figures["counter"] = highest if figures["counter"] is None else figures["counter"] + highest
    figures["min"] = lowest if figures["min"] is None else min(figures["min"], lowest)
    figures["max"] = highest if figures["max"] is None else max(figures["max"], highest)


def gauge_readings(session: Session, scope: Scope, plant: Plant):
    """Each day's readings of each gauge in the order they were taken, so that the last
    one read is the day's last reading: a day holds a few a station, and picking it as
    they stream costs less than ranking them in the database."""
    gauge_ids = [mid for mid, (_, kind) in plant.kinds.items() if kind == "gauge"]
    params = {**scope.params(), "gauges": gauge_ids}
    return plain_rows(session, _gauge_query(scope.shape()), params)


@kept
def _gauge_query(shape: Shape):
    return (
        select(Record.production_day, Record.station_id, Record.metric_id, Record.value)
        .where(
            Record.type == "count",
            Record.metric_id.in_(bindparam("gauges", expanding=True)),
            Record.value.between(0, MAX_COUNT_VALUE),
            *shape.record_filter(),
        )
        .order_by(Record.production_day, Record.station_id, Record.metric_id, *READING_ORDER)
    )


def total_of(kind: str, totals: dict | None) -> float | None:
    """The figure a metric of ``kind`` is measured by: tally sum, counter total, gauge last."""
    if totals is None:
        return 0 if kind in AMOUNT_KINDS else None
    if kind == "tally":
        return totals["sum"]
    return totals["counter"] if kind == "counter" else totals["last"]


def ratio(value, target) -> float | None:
    if value is None or not target:
        return None
    share = round(value / target, 4)
    return share if math.isfinite(share) else None


def number(value):
    """Whole floats as ints, so a total of 230 reads 230 in JSON and CSV; a non-finite
    one (no figure) as None."""
    if value.__class__ is not float:  # an int or None (a summary asks thousands of times)
        return value
    if value.is_integer():
        return int(value)
    return value if math.isfinite(value) else None


def day_activity(
    session: Session, scope: Scope, times_on: date | None
) -> dict[tuple[date, int | None], tuple]:
    """Per day and station (None: records that name no station): visits, and on the day
    ``times_on`` (the one shown) the first and last record. Grouped by day and station,
    the order of ix_records_day_station, which holds every column read: both databases
    answer it from that index alone, without a sort."""
    params = {**scope.params(), "times_on": times_on}
    rows = plain_rows(session, _activity_query(scope.shape()), params)
    return {(day, sid): (visits, first, last) for day, sid, visits, first, last in rows}


@kept
def _activity_query(shape: Shape):
    shown = Record.production_day == bindparam("times_on")
    return (
        select(
            Record.production_day,
            Record.station_id,
            func.count(case((Record.type == "visit", 1))),
            func.min(case((shown, Record.observed_at))),
            func.max(case((shown, Record.observed_at))),
        )
        .where(Record.type.in_(WALK_RECORD_TYPES), *shape.record_filter())
        .group_by(Record.production_day, Record.station_id)
    )


class ObservationGroup(NamedTuple):
    """Observations of one day, station, category and severity: how many, how many open
    and their downtime minutes. (A named tuple: a day makes hundreds.)"""

    day: date
    station_id: int | None
    category: str
    downtime: bool
    severity: str
    total: int
    open: int
    minutes: float | None


def observation_groups(session: Session, scope: Scope) -> list[ObservationGroup]:
    """Observation counts in one grouped pass, fine enough for each station's counts, the
    day's by severity and category, and each day's totals of the trend."""
    rows = plain_rows(session, _observation_query(scope.shape()), scope.params())
    return [ObservationGroup._make(row) for row in rows]


@kept
def _observation_query(shape: Shape):
    return (
        select(
            Record.production_day,
            Record.station_id,
            Category.key,
            Category.downtime,
            Record.severity,
            func.count(),
            func.count(case((Record.status.in_(OPEN_STATUSES), 1))),
            func.sum(COUNTED_MINUTES),
        )
        .join(Category, Category.id == Record.category_id)
        .where(IS_OBSERVATION, *shape.record_filter())
        .group_by(
            Record.production_day,
            Record.station_id,
            Category.key,
            Category.downtime,
            Record.severity,
        )
    )


def observation_counts(groups: list[ObservationGroup], day: date | None) -> dict[str, Any]:
    """The observation counts of ``day`` (None: of every day the groups hold)."""
    result = {"total": 0, "open": 0, "by_severity": {}, "by_category": {}}
    by_severity, by_category = defaultdict(int), defaultdict(int)
    downtime: dict[str, float] = {}
    for group in groups:
        if day is not None and group.day != day:
            continue
        result["total"] += group.total
        result["open"] += group.open
        by_severity[group.severity] += group.total
        by_category[group.category] += group.total
        if group.downtime:
            downtime[group.category] = downtime.get(group.category, 0) + (group.minutes or 0)
    result["by_severity"] = {s: by_severity[s] for s in SEVERITY_ORDER if s in by_severity}
    result["by_category"] = dict(sorted(by_category.items()))
    downtime = {key: number(minutes) for key, minutes in sorted(downtime.items())}
    return {"observations": result, "downtime": downtime}


def observations_by_station(groups: list[ObservationGroup], day: date) -> dict[int, list[int]]:
    """Per station: [observations, open] of the day."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for group in groups:
        if group.day == day:
            counts[group.station_id][0] += group.total
            counts[group.station_id][1] += group.open
    return counts


@dataclass
class PeriodFigures:
    """The plan, the count aggregates and the activity of a span of days, read once."""

    off: dict[date, set]
    targets: plan.PeriodTargets
    totals: dict[tuple[date, int, int], dict]
    activity: dict[tuple[date, int | None], tuple]
    observations: list[ObservationGroup]

    @classmethod
    def read(
        cls,
        session: Session,
        scope: Scope,
        plant: Plant,
        shown: Scope | None = None,
        day_plan: tuple | None = None,
    ) -> "PeriodFigures":
        """The figures of ``scope``'s days; gauge readings and visit times only for the
        day of ``shown`` (a trend shows neither); ``day_plan`` is ``scope_plan`` of a
        span holding the scope's days when the caller has it already."""
        return cls(
            *(day_plan or scope_plan(session, scope, plant)),
            metric_totals(session, scope, plant, gauges=shown),
            day_activity(session, scope, times_on=shown.day_from if shown else None),
            observation_groups(session, scope),
        )
