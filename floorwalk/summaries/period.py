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
from ..catalog import plan
from ..models import utcnow
from ..settings import plant_clock
from .figures import (
    AMOUNT_KINDS,
    day_target,
    number,
    observation_counts,
    planned_by_day,
    ratio,
    scope_plan,
    touched_keys,
)
from .plant import Plant, load_plant
from .scope import Scope, SummaryError, check_shift, known_area
from .spans import (
    day_achieved,
    first_record_day,
    holds_records,
    last_readings,
    observation_totals,
    visits,
)

MAX_DAYS = 366  # a year, leap day included
TREND_DAILY_DAYS = 31  # a station's trend by day up to a month, by week beyond
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


# The report a manager gets without asking for a span: the last complete week.
DEFAULT_DAYS = 7


def default_span(session: Session, now) -> tuple[date, date]:
    """The last DEFAULT_DAYS complete production days before ``now``'s (yesterday last)."""
    end = plant_clock(session).production_day(now) - timedelta(days=1)
    return end - timedelta(days=DEFAULT_DAYS - 1), end


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
    return _report(session, day_from, day_to, area_id, shift, with_trends=False)[0]


def report_and_trends(
    session: Session,
    day_from: date,
    day_to: date,
    area_id: int | None = None,
    shift: str | None = None,
) -> tuple[dict[str, Any], dict[str, list[tuple[date, float | None]]]]:
    """The report page's figures: the report, and per station code its attainment by
    day (by week from the first day over spans longer than TREND_DAILY_DAYS), the small
    multiples. Both from one pass over the period's counts, grouped by day and station
    (a second pass for the sparklines cost a year's page a third of its time)."""
    return _report(session, day_from, day_to, area_id, shift, with_trends=True)


def _report(session, day_from, day_to, area_id, shift, with_trends: bool):
    check_period(day_from, day_to)
    area = known_area(session, area_id)
    history = first_record_day(session)
    scope = Scope(counted_from(day_from, day_to, history), day_to, area_id, shift or None)
    plant = load_plant(session, scope)
    check_shift(plant.clock, scope.shift)
    before_from, before_to = previous_period(scope.day_from, day_to)
    before = Scope(counted_from(before_from, before_to, history), before_to, area_id, scope.shift)
    figures, trends = period_figures(session, scope, plant, with_trends)
    report = {"shift": scope.shift, "area": area.name if area else None, **figures}
    report["asked_from"] = day_from.isoformat()
    report["records_from"] = history.isoformat() if history else None
    report["previous"], _ = period_figures(session, before, plant)
    report["previous"]["asked_from"] = before_from.isoformat()
    return report, trends


def counted_from(day_from: date, day_to: date, history: date | None) -> date:
    """The first day a span counts: ``day_from``, or the plant's first day with a walk
    record (``history``) when that falls inside the span. The days before anyone walked
    the plant with floorwalk are no missed days: counted, a plant's first month would
    read its targets against a few days of counts (the demo's 30 days: 23 %)."""
    if history is not None and day_from < history <= day_to:
        return history
    return day_from


def period_figures(
    session: Session, scope: Scope, plant: Plant, with_trends=False
) -> tuple[dict[str, Any], dict | None]:
    """The figures of one period (the keys a report and its ``previous`` share), and
    ``with_trends`` each station's trend (``station_trends``; else None)."""
    days = scope.days()
    off, targets = scope_plan(session, scope, plant)
    planned, pair_targets = target_sums(days, plant, off, targets)
    # A period without a record (the year before the first) skips the passes over the
    # records: PostgreSQL would read the whole table for each, its plan expecting a
    # year of rows.
    if holds_records(session, scope):
        totals, achieved = day_achieved(session, scope, plant, off, targets, by_station=with_trends)
        visited_by_day, visited_days = visits(session, scope, off)
        groups = observation_totals(session, scope, plant)
        last = last_readings(session, scope, plant, off)
    else:
        totals, achieved, visited_by_day, visited_days, groups, last = {}, {}, {}, {}, [], {}
    trends = None
    if with_trends:  # ``achieved`` by day and station: the stations' trends, then the days'
        trends = station_trends(days, plant, off, targets, achieved)
        achieved = day_totals(achieved)
    active_ids = plant.station_ids
    observations = observation_counts(groups, None)
    figures = {
        "from": scope.day_from.isoformat(),
        "to": scope.day_to.isoformat(),
        "days": len(days),
        "stations": station_rows(
            plant,
            len(days),
            off,
            visited_days,
            pair_figures(plant, last, totals, pair_targets),
        ),
        "coverage": {
            "by_day": {
                day.isoformat(): {
                    "visited": visited_by_day.get(day, 0),
                    "stations": len(active_ids - off.get(day, set())),
                }
                for day in days
            }
        },
        "attainment": {
            "period": ratio(sum(achieved.values()), sum(planned.values())) if achieved else None,
            "by_day": {
                day.isoformat(): ratio(achieved[day], planned[day]) if day in achieved else None
                for day in days
            },
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
    return figures, trends


def day_totals(by_station: dict[tuple[date, int], float]) -> dict[date, float]:
    """Per day, the amounts of ``day_achieved`` by day and station added up."""
    totals: dict[date, float] = {}
    for (day, _), amount in by_station.items():
        totals[day] = totals.get(day, 0) + amount
    return totals


def scheduled_days(off: dict[date, set[int]], days: int) -> dict[int, int]:
    """Per station, how many days of the period the plan schedules it (a station absent
    from the result: every day)."""
    count: dict[int, int] = defaultdict(int)
    for station_ids in off.values():
        for station_id in station_ids:
            count[station_id] += 1
    return {station_id: days - n for station_id, n in count.items()}


def target_sums(days: list[date], plant: Plant, off, targets: plan.PeriodTargets):
    """Per day, the sum of the tally and counter targets at the scheduled stations; per
    (station, metric), the sum of its targets over the days the station is scheduled.
    Each day is the usual targets, corrected on the days the plan names (``touched``)."""
    touched = touched_keys(off, targets)
    return planned_by_day(days, plant, off, targets, touched), pair_target_sums(
        days, off, targets, touched
    )


def pair_target_sums(days, off, targets: plan.PeriodTargets, touched) -> dict:
    """Per (station, metric): its usual target times its untouched days, plus the touched
    days' targets; added day by day, as the days would be, when a part is not whole."""
    touched_days: dict[tuple[int, int], list[date]] = defaultdict(list)
    for day, sid, mid in touched:
        touched_days[(sid, mid)].append(day)
    sums = {}
    for pair in targets.usual.keys() | touched_days.keys():
        usual = targets.usual.get(pair)
        special = [day_target(targets, off, (day, *pair)) for day in touched_days[pair]]
        parts = [target for target in special if target is not None]
        if all(float(part).is_integer() for part in [*parts, usual or 0]):
            plain = len(days) - len(special) if usual is not None else 0
            if plain or parts:
                sums[pair] = (usual or 0) * plain + sum(parts)
            continue
        ordered = [day_target(targets, off, (day, *pair)) for day in days]
        known = [target for target in ordered if target is not None]
        if known:
            sums[pair] = sum(known)  # day by day, from the first
    return sums


def pair_figures(plant: Plant, last, totals, pair_targets) -> dict:
    """Per (station, metric) with a count or a target: (total, target); a gauge's total
    its last reading (``last``), the amounts' from ``totals``."""
    figures = {}
    for pair in totals.keys() | last.keys() | pair_targets.keys():
        kind = plant.kinds[pair[1]][1]
        if kind == "gauge":
            total = last.get(pair)
        else:
            tally, counter = totals.get(pair, (0, 0))
            total = (tally if kind == "tally" else counter) or 0
        figures[pair] = (total, pair_targets.get(pair))
    return figures


def station_rows(
    plant: Plant, days: int, off: dict[date, set[int]], visited: dict[int, int], figures
) -> list[dict]:
    """A row per active station the plan schedules on at least one day of the period."""
    scheduled = scheduled_days(off, days)
    listed = plant.listed_metrics()
    extra: dict[int, list[int]] = defaultdict(list)
    for station_id, metric_id in sorted(figures):
        if metric_id not in listed.get(station_id, ()):
            extra[station_id].append(metric_id)
    rows = []
    for station in plant.stations:
        station_days = scheduled.get(station.id, days)
        if not station_days:
            continue
        counts = {}
        for metric_id in listed.get(station.id, []) + extra[station.id]:
            key, kind = plant.kinds[metric_id]
            total, target = figures.get((station.id, metric_id), (None, None))
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
                "visited_days": visited.get(station.id, 0),
                "scheduled_days": station_days,
                "counts": counts,
            }
        )
    return rows


def station_trends(
    days: list[date], plant: Plant, off, targets: plan.PeriodTargets, achieved: dict
) -> dict[str, list[tuple[date, float | None]]]:
    """Per station code: its attainment by day (by week from the first day over spans
    longer than TREND_DAILY_DAYS), the tally and counter totals (``achieved``, per day
    and station with any count) over their targets on the days the plan schedules it;
    None where it has no target."""
    size = 1 if len(days) <= TREND_DAILY_DAYS else 7
    buckets = [days[start : start + size] for start in range(0, len(days), size)]
    bucket_of = {day: n for n, bucket in enumerate(buckets) for day in bucket}
    done: dict[tuple[int, int], float] = defaultdict(float)
    for (day, station_id), amount in achieved.items():  # only the days with counts
        done[(station_id, bucket_of[day])] += amount
    planned = bucket_planned(buckets, bucket_of, plant, off, targets)
    return {
        station.code: [
            (bucket[0], ratio(done.get((station.id, n), 0), planned.get((station.id, n), 0)))
            for n, bucket in enumerate(buckets)
        ]
        for station in plant.stations
    }


def bucket_planned(buckets, bucket_of, plant: Plant, off, targets: plan.PeriodTargets):
    """Per (station, bucket of days): the sum of its tally and counter targets on the
    days of the bucket the plan schedules it. The usual targets once per station and
    bucket, times its days less those the plan takes it off, then the days the plan
    names corrected: a year of 500 stations is a few thousand sums, not a sum per
    station and day."""
    amounts = {mid for mid, (_, kind) in plant.kinds.items() if kind in AMOUNT_KINDS}
    usual: dict[int, float] = defaultdict(float)
    for (station_id, metric_id), target in targets.usual.items():
        if metric_id in amounts:
            usual[station_id] += target
    days_off: dict[tuple[int, int], int] = defaultdict(int)  # per (station, bucket)
    for day, station_ids in off.items():
        if day in bucket_of:
            for station_id in station_ids:
                days_off[(station_id, bucket_of[day])] += 1
    planned: dict[tuple[int, int], float] = {}
    for n, bucket in enumerate(buckets):
        for station_id, target in usual.items():
            scheduled = len(bucket) - days_off.get((station_id, n), 0)
            if scheduled:
                planned[(station_id, n)] = target * scheduled
    for (day, station_id, metric_id), target in targets.special.items():
        if metric_id in amounts and station_id not in off.get(day, ()):
            key = (station_id, bucket_of[day])
            change = (target or 0) - targets.usual.get((station_id, metric_id), 0)
            planned[key] = planned.get(key, 0) + change
    return planned


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
