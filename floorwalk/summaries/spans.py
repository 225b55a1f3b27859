"""The SQL aggregates of a period report, grouped in the database over the whole period
(by station and metric, or by day), so that a year costs the database a year of rows
and Python only a row per station, metric and day.

Each leaves out the records of a station on the days the plan leaves it out
(``off_conditions``); the plan itself (scheduling, targets) comes from catalog/plan.py.
"""

from collections import defaultdict
from datetime import date
from typing import NamedTuple

from sqlalchemy import and_, bindparam, case, false, func, null, or_, select, true, union_all
from sqlalchemy.orm import Session

from ..catalog import plan
from ..models import WALK_RECORD_TYPES, Metric, Record, Station, StationMetric
from ..sync.schemas import MAX_COUNT_VALUE
from .figures import (
    AMOUNT_KINDS,
    COUNTED_MINUTES,
    IS_COUNT,
    IS_OBSERVATION,
    OPEN_STATUSES,
    READING_ORDER,
    ObservationGroup,
    per_shift_counts,
)
from .plant import Plant
from .scope import Scope, Shape, kept, plain_rows


class LeftOut(NamedTuple):
    """The days and stations the plan leaves out, as ``off_conditions`` names them: days
    with the same stations off are one group (a plant off every Sunday is one), its
    parameters ``off_days_N`` and ``off_stations_N``."""

    groups: int
    params: dict[str, list]


def left_out(off: dict[date, set[int]]) -> LeftOut:
    days_by_stations: dict[frozenset, list[date]] = defaultdict(list)
    for day, station_ids in off.items():
        if station_ids:
            days_by_stations[frozenset(station_ids)].append(day)
    params = {}
    for n, (station_ids, days) in enumerate(days_by_stations.items()):
        params[f"off_days_{n}"], params[f"off_stations_{n}"] = sorted(days), sorted(station_ids)
    return LeftOut(len(days_by_stations), params)


def off_conditions(groups: int, day_column, station_column) -> list:
    """Conditions that leave out each station's rows on the days the plan leaves it out,
    one per group of ``left_out``."""
    return [
        or_(
            day_column.not_in(bindparam(f"off_days_{n}", expanding=True)),
            station_column.not_in(bindparam(f"off_stations_{n}", expanding=True)),
        )
        for n in range(groups)
    ]


def holds_records(session: Session, scope: Scope) -> bool:
    """Whether the scope's days hold any live record of its stations (and shift). The
    days as a range too: both databases then seek them in an index on the day, where
    PostgreSQL's plan for a year of listed days reads the table."""
    first = select(Record.id).where(
        Record.production_day.between(scope.day_from, scope.day_to), *scope.record_filter()
    )
    return session.execute(first.limit(1)).first() is not None


def first_record_day(session: Session) -> date | None:
    """The production day of the plant's first live walk record, the day its history in
    floorwalk begins; None before the first. One seek in ix_records_day_type."""
    first = (
        select(Record.production_day)
        .where(Record.type.in_(WALK_RECORD_TYPES), Record.deleted.is_(False))
        .order_by(Record.production_day)
        .limit(1)
    )
    return session.execute(first).scalar()


def last_readings(
    session: Session, scope: Scope, plant: Plant, off: dict[date, set[int]]
) -> dict[tuple[int, int], float]:
    """Per (station, metric) of a gauge: its last reading of the period's scheduled days
    (the last day with one, by observed time), for the scope's stations."""
    gauges = [mid for mid, (_, kind) in plant.kinds.items() if kind == "gauge"]
    if not gauges or not plant.stations:
        return {}
    skipped = left_out(off)
    params = {
        **scope.params(),  # the shift's, if any (the days as a range below)
        **skipped.params,
        "first": scope.day_from,
        "last": scope.day_to,
        "stations": sorted(plant.station_ids),
        "gauges": gauges,
    }
    rows = plain_rows(session, _last_reading_query(scope.shape(), skipped.groups), params)
    return {(sid, mid): value for sid, mid, value in rows if value is not None}


@kept
def _last_reading_query(shape: Shape, off_groups: int):
    # One seek per (station, gauge) in ix_records_pair_day, newest reading first: the
    # first one the conditions keep is the answer, so a year costs what a week does
    # (grouping every reading of the span to find each pair's last day cost a year's
    # report a fifth of its time). The span as a range: the seek is within one pair.
    newest = (
        select(Record.value)
        .where(
            IS_COUNT,
            Record.station_id == Station.id,
            Record.metric_id == Metric.id,
            Record.production_day.between(bindparam("first"), bindparam("last")),
            Record.value.between(0, MAX_COUNT_VALUE),
            *shape.live_filter(),
            *off_conditions(off_groups, Record.production_day, Record.station_id),
        )
        .order_by(Record.production_day.desc(), *(column.desc() for column in READING_ORDER))
        .limit(1)
        .correlate(Station, Metric)
        .scalar_subquery()
    )
    return (
        select(Station.id, Metric.id, newest)
        .join_from(Station, Metric, true())
        .where(
            Station.id.in_(bindparam("stations", expanding=True)),
            Metric.id.in_(bindparam("gauges", expanding=True)),
        )
    )


def amount_ids(plant: Plant) -> tuple[list[int], list[int]]:
    """The ids of the tally metrics and of the counter metrics."""
    tallies = [mid for mid, (_, kind) in plant.kinds.items() if kind == "tally"]
    counters = [mid for mid, (_, kind) in plant.kinds.items() if kind == "counter"]
    return tallies, counters


def observation_totals(session: Session, scope: Scope, plant: Plant) -> list[ObservationGroup]:
    """The period's observations by category and severity (day and station None):
    grouped by category id over the records alone, so that the database reads each
    observation once, then named from the catalog's categories."""
    rows = plain_rows(session, _observation_totals_query(scope.shape()), scope.params())
    categories = plant.catalog.categories
    return [
        ObservationGroup(None, None, *categories[category_id], severity, total, open_, minutes)
        for category_id, severity, total, open_, minutes in rows
        if category_id in categories
    ]


@kept
def _observation_totals_query(shape: Shape):
    return (
        select(
            Record.category_id,
            Record.severity,
            func.count(),
            func.count(case((Record.status.in_(OPEN_STATUSES), 1))),
            func.sum(COUNTED_MINUTES),
        )
        .where(IS_OBSERVATION, *shape.record_filter())
        .group_by(Record.category_id, Record.severity)
    )


def count_figures(
    session: Session,
    scope: Scope,
    plant: Plant,
    off: dict[date, set[int]],
    by_station=False,
    pairs=True,
) -> tuple[dict, dict]:
    """From one pass over the period's counts (per shift, read once):

    - per (station, metric) of a tally or a counter counted on a scheduled day: the
      tally sum and the counter total (the sum over days and shifts of each shift's
      highest reading); empty unless ``pairs``;
    - per day with any count (``by_station``: per day and station): the tally and counter
      totals of the pairs with a standing target at the stations scheduled that day.
    """
    tallies, counters = amount_ids(plant)
    skipped = left_out(off)
    amounts = tallies + counters
    query = _count_query(scope.shape(), skipped.groups, len(amounts), by_station, pairs)
    params = {**scope.params(), **skipped.params, "tallies": tallies, "amounts": amounts}
    params.update((f"amount_{n}", metric_id) for n, metric_id in enumerate(amounts))
    totals, achieved = {}, {}
    for day, sid, mid, first, counter, counted in plain_rows(session, query, params):
        if day is None:
            if counted:
                totals[(sid, mid)] = (first, counter)
        else:
            achieved[(day, sid) if by_station else day] = first or 0
    return totals, achieved


@kept
def _count_query(shape: Shape, off_groups: int, amounts: int, by_station: bool, pairs: bool):
    # Only the amounts (a gauge's figure is its last reading, ``last_readings``) and only
    # the columns used here: the CTE holds about a row per count, and its lowest reading
    # costs a part of the pass.
    per_shift = per_shift_counts(
        shape.record_filter(), Record.metric_id.in_(bindparam("amounts", expanding=True))
    )
    shifts = (
        per_shift.with_only_columns(*(c for c in per_shift.selected_columns if c.key != "min"))
        .cte("shifts")
        .prefix_with("MATERIALIZED")
    )
    scheduled = and_(true(), *off_conditions(off_groups, shifts.c.day, shifts.c.station_id))
    # Per metric, the stations with a standing target: a list each read once, cheaper
    # than joining station_metrics for every row.
    targeted = or_(
        *(
            and_(
                shifts.c.metric_id == bindparam(f"amount_{n}"),
                shifts.c.station_id.in_(
                    select(StationMetric.station_id).where(
                        StationMetric.metric_id == bindparam(f"amount_{n}"),
                        StationMetric.target.is_not(None),
                    )
                ),
            )
            for n in range(amounts)
        ),
        false(),
    )
    tally = shifts.c.metric_id.in_(bindparam("tallies", expanding=True))
    value = case((tally, shifts.c.sum), else_=shifts.c.max)
    day_keys = [shifts.c.day, shifts.c.station_id if by_station else null()]
    # The days first: a union's columns take the first select's types (a day's date).
    by_day = select(
        *day_keys,
        null(),
        func.sum(case((and_(targeted, scheduled), value))),
        null(),
        null(),
    ).group_by(*day_keys[: 2 if by_station else 1])
    by_pair = select(
        null(),
        shifts.c.station_id,
        shifts.c.metric_id,
        func.sum(case((scheduled, shifts.c.sum))),
        func.sum(case((scheduled, shifts.c.max))),
        func.count(case((scheduled, 1))),
    ).group_by(shifts.c.station_id, shifts.c.metric_id)
    return union_all(by_day, by_pair) if pairs else by_day


def day_achieved(
    session: Session,
    scope: Scope,
    plant: Plant,
    off: dict[date, set[int]],
    targets: plan.PeriodTargets,
    by_station=False,
    pairs=True,
) -> tuple[dict, dict]:
    """The period's count totals per (station, metric) (as ``count_figures``, and only
    when ``pairs``) and per day with any count (``by_station``: per day and station) the
    tally and counter totals where the day has a target at a scheduled station. The
    database sums the pairs with a standing target; the few the plan gives a target of
    their own, or takes it from, are corrected here."""
    totals, achieved = count_figures(session, scope, plant, off, by_station, pairs)
    amounts = {mid for mid, (_, kind) in plant.kinds.items() if kind in AMOUNT_KINDS}
    differ = {
        key: target is not None
        for key, target in targets.special.items()
        if key[2] in amounts
        and scope.day_from <= key[0] <= scope.day_to
        and key[1] not in off.get(key[0], ())
        and (target is not None) != ((key[1], key[2]) in targets.usual)
    }
    for key, total in key_amounts(session, scope, plant, set(differ)).items():
        at = key[:2] if by_station else key[0]
        if at in achieved:
            achieved[at] += total if differ[key] else -total
    return totals, achieved


def key_amounts(
    session: Session, scope: Scope, plant: Plant, keys: set[tuple[date, int, int]]
) -> dict[tuple[date, int, int], float]:
    """The tally or counter total of each (day, station, metric) of ``keys``."""
    if not keys:
        return {}
    tallies, _ = amount_ids(plant)
    counts = per_shift_counts(
        scope.record_filter(),
        Record.production_day.in_(sorted({day for day, _, _ in keys})),
        Record.station_id.in_(sorted({sid for _, sid, _ in keys})),
    ).subquery()
    rows = plain_rows(
        session,
        select(
            counts.c.day,
            counts.c.station_id,
            counts.c.metric_id,
            func.sum(counts.c.sum),
            func.sum(counts.c.max),
        ).group_by(counts.c.day, counts.c.station_id, counts.c.metric_id),
    )
    return {
        (day, sid, mid): (tally if mid in tallies else counter) or 0
        for day, sid, mid, tally, counter in rows
        if (day, sid, mid) in keys
    }


def visits(
    session: Session, scope: Scope, off: dict[date, set[int]], by_station=True
) -> tuple[dict[date, int], dict[int, int]]:
    """Per day, how many active stations the plan schedules had any walk record (as the
    day summary counts them: an action given is no visit); per station, on how many of
    its scheduled days it had any (empty unless ``by_station``)."""
    skipped = left_out(off)
    query = _visits_query(scope.shape(), skipped.groups, by_station)
    rows = plain_rows(session, query, {**scope.params(), **skipped.params})
    per_day = {day: count for day, _, count in rows if day is not None}
    per_station = {station_id: count for day, station_id, count in rows if day is None}
    return per_day, per_station


@kept
def _visits_query(shape: Shape, off_groups: int, by_station: bool):
    conditions = [
        Record.type.in_(WALK_RECORD_TYPES),
        *shape.record_filter(),
        *off_conditions(off_groups, Record.production_day, Record.station_id),
    ]
    # The (day, station) pairs with a record, read once in the order of the covering
    # ix_records_day_station and counted both ways; the stations kept active checked
    # per pair, not per record (a tenth as many lookups).
    visited = (
        select(Record.production_day.label("day"), Record.station_id.label("station_id"))
        .where(*conditions)
        .distinct()
        .cte("visited")
        .prefix_with("MATERIALIZED")
    )
    active = visited.c.station_id.in_(select(Station.id).where(Station.active.is_(True)))
    per_day = select(visited.c.day, null(), func.count()).where(active).group_by(visited.c.day)
    per_station = (
        select(null(), visited.c.station_id, func.count())
        .where(active)
        .group_by(visited.c.station_id)
    )
    return union_all(per_day, per_station) if by_station else per_day
