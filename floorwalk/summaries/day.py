"""Daily summaries, trends and station history, aggregated in SQL (DESIGN §3, Summary).

Every figure comes from ``GROUP BY`` queries over the production day and shift stored on
each record, so one day's summary reads one day's rows whatever the history holds.
Deleted records never count; ``records`` holds only each record's latest version.
Targets come from the one rule in catalog/plan.py.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..catalog import plan
from ..days import PlantClock
from ..models import (
    RECORD_TYPES,
    Area,
    Category,
    Employee,
    Metric,
    Record,
    Station,
    StationMetric,
    User,
    utcnow,
)
from ..permissions import may_read_note, readable_notes_filter
from ..settings import get_settings, plant_clock

OPEN_STATUSES = ("open", "acknowledged")
ALERT_SEVERITIES = ("critical", "high")
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
LOW_ATTAINMENT = 0.8
TREND_DAYS = 14
HISTORY_DAYS = 30
LISTED_DAYS = 31  # a longer span of days is read as a range (the records CSV)
# Summed into a day's overall attainment: a gauge's target (headcount, bins) is a level,
# not an amount produced, so it has its own attainment but stays out of the day's.
AMOUNT_KINDS = ("tally", "counter")
NO_ACTIVITY = (0, None, None)  # visits, first, last
NO_OBSERVATIONS = (0, 0)  # observations, open


class SummaryError(ValueError):
    """A summary that cannot be made as asked (unknown shift), with a message for people."""


@dataclass(frozen=True)
class Scope:
    """What a summary covers: days, optionally one area and one shift."""

    day_from: date
    day_to: date
    area_id: int | None = None
    shift: str | None = None
    station_id: int | None = None

    def record_filter(self, by_station: bool = True) -> list:
        """Live records of the scope's days (and shift); of its station or area's
        stations unless ``by_station`` is False (notes go by the employee's area)."""
        days = self.days()
        # Days listed one by one let both databases seek (day, type) in
        # ix_records_day_type, where a range of days would stop the seek at the day.
        in_days = (
            Record.production_day.in_(days)
            if len(days) <= LISTED_DAYS
            else Record.production_day.between(self.day_from, self.day_to)
        )
        conditions = [in_days, Record.deleted.is_(False)]
        if self.shift:
            conditions.append(Record.shift == self.shift)
        if not by_station:
            return conditions
        if self.station_id is not None:
            conditions.append(Record.station_id == self.station_id)
        elif self.area_id is not None:
            conditions.append(Record.station_id.in_(area_station_ids(self.area_id)))
        return conditions

    def days(self) -> list[date]:
        count = (self.day_to - self.day_from).days + 1
        return [self.day_from + timedelta(days=n) for n in range(count)]


class StationRow(NamedTuple):
    id: int
    code: str
    name: str
    area: str


class Standing(NamedTuple):
    """A station's listed metric: its place in the list, standing target and min level.
    (Named tuples: a summary makes thousands, at half the cost of a frozen dataclass.)"""

    position: int
    target: float | None
    min_level: float | None


@dataclass
class Plant:
    """The catalog a summary needs, read once per summary as plain rows (no lazy loads)."""

    clock: PlantClock
    stations: list[StationRow]  # active, in scope, ordered by area then code
    metrics: dict[int, Metric]
    standing: dict[tuple[int, int], Standing] = field(default_factory=dict)

    def __post_init__(self):
        # Plain (key, kind) pairs: read for every station and metric, cheaper than ORM
        # attributes.
        self.kinds = {metric_id: (m.key, m.kind) for metric_id, m in self.metrics.items()}

    def listed_metrics(self) -> dict[int, list[int]]:
        """Each station's listed metric ids, in the order the station lists them."""
        listed: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for (station_id, metric_id), standing in self.standing.items():
            listed[station_id].append((standing.position, metric_id))
        return {sid: [mid for _, mid in sorted(pairs)] for sid, pairs in listed.items()}


def plain_rows(session: Session, query):
    """The rows of a column query, without the ORM's per-row work: the summary reads
    thousands of rows of plain values and never an object."""
    session.flush()  # what session.execute's autoflush would do
    return session.connection().execute(query).all()  # fetchall: one round of fetching


def area_station_ids(area_id: int):
    return select(Station.id).where(Station.area_id == area_id).scalar_subquery()


def check_shift(clock: PlantClock, shift: str | None) -> None:
    names = [s.name for s in clock.shifts]
    if shift and shift not in names:
        known = ", ".join(names) or "none are set"
        raise SummaryError(f"Unknown shift {shift!r}: the plant's shifts are {known}.")


def load_plant(session: Session, scope: Scope, active_only: bool = True) -> Plant:
    query = (
        select(Station.id, Station.code, Station.name, Area.name)
        .join(Area, Area.id == Station.area_id)
        .order_by(Area.name, Station.code)
    )
    if active_only:
        query = query.where(Station.active.is_(True))
    if scope.station_id is not None:
        query = query.where(Station.id == scope.station_id)
    elif scope.area_id is not None:
        query = query.where(Station.area_id == scope.area_id)
    stations = [StationRow(*row) for row in plain_rows(session, query)]
    metrics = {m.id: m for m in session.execute(select(Metric)).scalars()}
    standing_query = select(
        StationMetric.station_id,
        StationMetric.metric_id,
        StationMetric.position,
        StationMetric.target,
        StationMetric.min_level,
    )
    if scope.station_id is not None:
        standing_query = standing_query.where(StationMetric.station_id == scope.station_id)
    elif scope.area_id is not None:
        standing_query = standing_query.where(
            StationMetric.station_id.in_(area_station_ids(scope.area_id))
        )
    standing = {
        (sid, mid): Standing(position, target, min_level)
        for sid, mid, position, target, min_level in plain_rows(session, standing_query)
    }
    return Plant(plant_clock(session), stations, metrics, standing)


# Plan: scheduling and targets, by the one rule in catalog/plan.py ----------------------


def unscheduled_stations(session: Session, scope: Scope, clock: PlantClock) -> dict[date, set]:
    """Per day, the stations the plan leaves out of the scope's day or shift."""
    names = [s.name for s in clock.shifts]
    return plan.unscheduled_stations(session, scope.day_from, scope.day_to, names, scope.shift)


def day_targets(session: Session, scope: Scope, plant: Plant) -> dict[tuple[date, int, int], float]:
    """The target of each (day, station, metric) of the scope that has one."""
    standing = {key: s.target for key, s in plant.standing.items()}
    return plan.plan_targets(
        session,
        scope.day_from,
        scope.day_to,
        standing,
        [s.name for s in plant.clock.shifts],
        scope.shift,
        {s.id for s in plant.stations},
    )


# Aggregates ---------------------------------------------------------------------------


def metric_totals(
    session: Session, scope: Scope, gauges: Scope | None
) -> dict[tuple[date, int, int], dict]:
    """Per (day, station, metric): tally sum, counter total (sum of shift maxima), min,
    max, readings, and a gauge's last reading on the days of ``gauges`` (those shown;
    a trend reads none)."""
    per_shift = (
        select(
            Record.production_day.label("day"),
            Record.station_id.label("station_id"),
            Record.metric_id.label("metric_id"),
            func.sum(Record.value).label("sum"),
            func.max(Record.value).label("max"),
            func.min(Record.value).label("min"),
            func.count().label("n"),
        )
        .where(Record.type == "count", *scope.record_filter())
        .group_by(Record.production_day, Record.station_id, Record.metric_id, Record.shift)
        .subquery()
    )
    rows = plain_rows(
        session,
        select(
            per_shift.c.day,
            per_shift.c.station_id,
            per_shift.c.metric_id,
            func.sum(per_shift.c.sum),
            func.sum(per_shift.c.max),
            func.min(per_shift.c.min),
            func.max(per_shift.c.max),
            func.sum(per_shift.c.n),
        ).group_by(per_shift.c.day, per_shift.c.station_id, per_shift.c.metric_id),
    )
    totals = {
        (day, sid, mid): {"sum": s, "counter": c, "min": lo, "max": hi, "n": n, "last": None}
        for day, sid, mid, s, c, lo, hi, n in rows
    }
    if gauges is None:
        return totals
    ranked = (
        select(
            Record.production_day.label("day"),
            Record.station_id.label("station_id"),
            Record.metric_id.label("metric_id"),
            Record.value.label("value"),
            func.row_number()
            .over(
                partition_by=(Record.production_day, Record.station_id, Record.metric_id),
                order_by=(Record.observed_at.desc(), Record.received_at.desc(), Record.id.desc()),
            )
            .label("rank"),
        )
        .join(Metric, Metric.id == Record.metric_id)
        .where(Record.type == "count", Metric.kind == "gauge", *gauges.record_filter())
        .subquery()
    )
    for day, sid, mid, value in plain_rows(
        session,
        select(ranked.c.day, ranked.c.station_id, ranked.c.metric_id, ranked.c.value).where(
            ranked.c.rank == 1
        ),
    ):
        totals[(day, sid, mid)]["last"] = value
    return totals


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
    return round(value / target, 4)


def number(value):
    """Whole floats as ints, so a total of 230 reads 230 in JSON and CSV."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def day_activity(
    session: Session, scope: Scope, times_on: date | None
) -> dict[tuple[date, int | None], list]:
    """Per day and station (None: records that name no station): visits, and on the day
    ``times_on`` (the one shown) the first and last record. Grouped by type too, the
    order of ix_records_day_type, so that both databases answer it from that index
    alone, without a sort."""
    shown = Record.production_day == times_on
    rows = plain_rows(
        session,
        select(
            Record.production_day,
            Record.type,
            Record.station_id,
            func.count(),
            func.min(case((shown, Record.observed_at))),
            func.max(case((shown, Record.observed_at))),
        )
        .where(Record.type.in_(RECORD_TYPES), *scope.record_filter())
        .group_by(Record.production_day, Record.type, Record.station_id),
    )
    activity: dict[tuple[date, int | None], list] = {}
    for day, type_, station_id, count, first, last in rows:
        figures = activity.get((day, station_id))
        if figures is None:
            figures = activity[(day, station_id)] = [0, first, last]
        elif first is not None:
            figures[1] = min(figures[1], first)
            figures[2] = max(figures[2], last)
        if type_ == "visit":
            figures[0] = count
    return activity


@dataclass(frozen=True)
class ObservationGroup:
    """Observations of one day, station, category and severity: how many, how many open
    and their downtime minutes."""

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
    rows = plain_rows(
        session,
        select(
            Record.production_day,
            Record.station_id,
            Category.key,
            Category.downtime,
            Record.severity,
            func.count(),
            func.count(case((Record.status.in_(OPEN_STATUSES), 1))),
            func.sum(Record.minutes),
        )
        .join(Category, Category.id == Record.category_id)
        .where(Record.type == "observation", *scope.record_filter())
        .group_by(
            Record.production_day,
            Record.station_id,
            Category.key,
            Category.downtime,
            Record.severity,
        ),
    )
    return [ObservationGroup(*row) for row in rows]


def observation_counts(groups: list[ObservationGroup], day: date) -> dict[str, Any]:
    result = {"total": 0, "open": 0, "by_severity": {}, "by_category": {}}
    by_severity, by_category = defaultdict(int), defaultdict(int)
    downtime: dict[str, float] = {}
    for group in groups:
        if group.day != day:
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


def employee_notes(session: Session, scope: Scope, viewer: User, zone) -> dict[str, Any]:
    """Counts for everyone; ``items`` only the notes this viewer may read.

    With an area, the notes about that area's employees (a note is about a person).
    """
    conditions = [Record.type == "employee_note", *scope.record_filter(by_station=False)]
    if scope.area_id is not None:
        conditions.append(Employee.area_id == scope.area_id)
    kind = Record.data["kind"].as_string()
    by_kind = dict(
        session.execute(
            select(kind, func.count())
            .join(Employee, Employee.id == Record.employee_id)
            .where(*conditions)
            .group_by(kind)
        ).all()
    )
    items = plain_rows(
        session,
        select(
            Record.id,
            Employee.badge,
            Employee.name,
            Record.data,
            Record.text,
            User.username,
            Station.code,
            Record.observed_at,
        )
        .join(Employee, Employee.id == Record.employee_id)
        .join(User, User.id == Record.author_id)
        .outerjoin(Station, Station.id == Record.station_id)
        .where(*conditions, readable_notes_filter(viewer))
        .order_by(Record.observed_at),
    )
    return {
        "total": sum(by_kind.values()),
        "by_kind": dict(sorted(by_kind.items())),
        "items": [
            {
                "id": str(record_id),
                "employee": badge,
                "employee_name": name,
                "kind": data.get("kind"),
                "text": text,
                "author": username,
                "station": code,
                "observed_at": observed_at.astimezone(zone).isoformat(),
            }
            for record_id, badge, name, data, text, username, code, observed_at in items
        ],
    }


def open_serious_observations(session: Session, scope: Scope, station_ids: set[int]) -> list:
    rows = session.execute(
        select(
            Record.id, Record.severity, Record.text, Category.key, Station.code, Record.station_id
        )
        .join(Category, Category.id == Record.category_id)
        .outerjoin(Station, Station.id == Record.station_id)
        .where(
            Record.type == "observation",
            Record.status.in_(OPEN_STATUSES),
            Record.severity.in_(ALERT_SEVERITIES),
            *scope.record_filter(),
        )
        .order_by(Record.observed_at)
    )
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


# The day ------------------------------------------------------------------------------


def period_end(clock: PlantClock, day: date, shift: str | None) -> datetime:
    """When the day, or the shift of it, is over: the moment day-end alerts apply."""
    end = clock.day_bounds(day)[1]
    if shift:
        starts = [start for _, start in clock.shift_starts(day)]
        names = [s.name for s, _ in clock.shift_starts(day)]
        index = names.index(shift)
        end = starts[index + 1] if index + 1 < len(starts) else end
    return end


def daily_summary(
    session: Session,
    day: date,
    viewer: User,
    area_id: int | None = None,
    shift: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The summary of one production day, shaped as DESIGN §3 fixes it.

    Raises SummaryError for a shift the plant does not have.
    """
    now = now or utcnow()
    settings = get_settings(session)
    scope = Scope(day, day, area_id, shift or None)
    plant = load_plant(session, scope)
    check_shift(plant.clock, scope.shift)
    zone = plant.clock.zone
    # The day before too, read in the same queries, for the change from the previous day.
    both = Scope(day - timedelta(days=1), day, scope.area_id, scope.shift)
    period = PeriodFigures.read(session, both, plant, shown=scope)
    off = period.off.get(day, set())
    stations = [s for s in plant.stations if s.id not in off]
    targets, totals = period.targets, period.totals
    activity = period.activity
    station_observations = observations_by_station(period.observations, day)
    over = now >= period_end(plant.clock, day, scope.shift)

    station_metrics = metrics_of_stations(plant, day, targets, totals)
    station_rows, gauge_alerts, attainment_alerts = [], [], []
    for station in stations:
        visits, first, last = activity.get((day, station.id), NO_ACTIVITY)
        obs, open_ = station_observations.get(station.id, NO_OBSERVATIONS)
        counts = station_counts(
            station.id, station_metrics.get(station.id, []), day, plant, targets, totals
        )
        for key, figures in counts.items():
            if figures.get("below"):
                gauge_alerts.append(
                    {
                        "kind": "below_min_level",
                        "station": station.code,
                        "metric": key,
                        "last": figures["last"],
                        "min_level": figures["min_level"],
                    }
                )
            attainment = figures.get("attainment")
            if over and attainment is not None and attainment < LOW_ATTAINMENT:
                attainment_alerts.append(
                    {
                        "kind": "low_attainment",
                        "station": station.code,
                        "metric": key,
                        "total": figures.get("total", figures.get("last")),
                        "target": figures["target"],
                        "attainment": attainment,
                    }
                )
        station_rows.append(
            {
                "code": station.code,
                "name": station.name,
                "area": station.area,
                "visits": visits,
                "first_visit": _local(first, zone),
                "last_visit": _local(last, zone),
                "counts": counts,
                "observations": {"total": obs, "open": open_},
            }
        )
    missed = [s.code for s in stations if (day, s.id) not in activity]
    observations = observation_counts(period.observations, day)
    alerts = open_serious_observations(session, scope, {s.id for s in stations})
    alerts += gauge_alerts + attainment_alerts
    if over:
        alerts += [{"kind": "missed_station", "station": code} for code in missed]
    area = session.get(Area, area_id) if area_id is not None else None
    previous, current = trend_points(both, plant, period)
    return {
        "day": day.isoformat(),
        "timezone": settings["timezone"],
        "day_start": settings["day_start"],
        "shift": scope.shift,
        "area": area.name if area else None,
        "complete": over,
        "coverage": {
            "visited": len(stations) - len(missed),
            "stations": len(stations),
            "missed": missed,
        },
        "stations": station_rows,
        "observations": observations["observations"],
        "downtime": observations["downtime"],
        "employee_notes": employee_notes(session, scope, viewer, zone),
        "alerts": alerts,
        "attainment": current["attainment"],
        "previous_day": previous,
        "change": {
            key: _difference(current[key], previous[key])
            for key in ("visited", "observations", "open", "attainment")
        },
    }


def _difference(now, before):
    if now is None or before is None:
        return None
    return number(round(now - before, 4))


def _local(instant: datetime | None, zone) -> str | None:
    return instant.astimezone(zone).isoformat() if instant else None


def station_counts(station_id, metric_ids, day, plant, targets, totals) -> dict[str, dict]:
    """The station's metrics for the day: those it lists, then those planned or counted."""
    counts = {}
    for metric_id in metric_ids:
        key, kind = plant.kinds[metric_id]
        figures = totals.get((day, station_id, metric_id))
        target = targets.get((day, station_id, metric_id))
        if kind == "gauge":
            standing = plant.standing.get((station_id, metric_id))
            last = figures["last"] if figures else None
            min_level = standing.min_level if standing else None
            counts[key] = {
                "last": number(last),
                "min": number(figures["min"]) if figures else None,
                "max": number(figures["max"]) if figures else None,
                "target": number(target),
                "attainment": ratio(last, target),
                "min_level": number(min_level),
                "below": None if last is None or min_level is None else last < min_level,
            }
        else:
            total = total_of(kind, figures) or 0
            counts[key] = {
                "total": number(total),
                "target": number(target),
                "attainment": ratio(total, target),
            }
    return counts


def metrics_of_stations(plant: Plant, day: date, *keyed: dict) -> dict[int, list[int]]:
    """Per station, its listed metrics, then any other metric planned or counted that day."""
    result = plant.listed_metrics()
    extra: dict[int, set[int]] = defaultdict(set)
    for mapping in keyed:
        for d, station_id, metric_id in mapping:
            if d == day:
                extra[station_id].add(metric_id)
    for station_id, metric_ids in extra.items():
        listed = result.setdefault(station_id, [])
        listed += sorted(metric_ids - set(listed))
    return result


# Trends and history -------------------------------------------------------------------


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


@dataclass
class PeriodFigures:
    """The plan, the count aggregates and the activity of a span of days, read once."""

    off: dict[date, set]
    targets: dict[tuple[date, int, int], float]
    totals: dict[tuple[date, int, int], dict]
    activity: dict[tuple[date, int | None], tuple]
    observations: list[ObservationGroup]

    @classmethod
    def read(
        cls, session: Session, scope: Scope, plant: Plant, shown: Scope | None = None
    ) -> "PeriodFigures":
        """The figures of ``scope``'s days; gauge readings and visit times only for the
        day of ``shown`` (a trend shows neither)."""
        return cls(
            unscheduled_stations(session, scope, plant.clock),
            day_targets(session, scope, plant),
            metric_totals(session, scope, gauges=shown),
            day_activity(session, scope, times_on=shown.day_from if shown else None),
            observation_groups(session, scope),
        )


def trend_points(scope: Scope, plant: Plant, figures: PeriodFigures) -> list[dict[str, Any]]:
    off, targets, totals = figures.off, figures.targets, figures.totals
    active_ids = {s.id for s in plant.stations}
    visited: dict[date, set] = defaultdict(set)
    observations = defaultdict(lambda: [0, 0])
    for day, station_id in figures.activity:
        if station_id is not None:
            visited[day].add(station_id)
    for group in figures.observations:
        observations[group.day][0] += group.total
        observations[group.day][1] += group.open
    # A day nobody counted on has no attainment (no data), rather than 0 %.
    counted_days = {day for (day, _, _) in totals}
    achieved, planned = defaultdict(float), defaultdict(float)
    for (day, station_id, metric_id), target in targets.items():
        kind = plant.kinds[metric_id][1]
        if kind in AMOUNT_KINDS and station_id not in off.get(day, ()):
            planned[day] += target
            achieved[day] += total_of(kind, totals.get((day, station_id, metric_id))) or 0
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


def station_history(
    session: Session, station: Station, last_day: date, days: int = HISTORY_DAYS
) -> dict[str, Any]:
    """A station's last ``days`` production days: each metric's figure against its target,
    and its observations, newest first."""
    scope = Scope(last_day - timedelta(days=days - 1), last_day, station_id=station.id)
    plant = load_plant(session, scope, active_only=False)  # an inactive one's history too
    targets = day_targets(session, scope, plant)
    totals = metric_totals(session, scope, gauges=scope)
    off = unscheduled_stations(session, scope, plant.clock)
    listed = plant.listed_metrics().get(station.id, [])
    metric_ids = listed + sorted({mid for (_, _, mid) in totals} - set(listed))
    series = []
    for metric_id in metric_ids:
        metric = plant.metrics[metric_id]
        points = []
        for day in scope.days():
            figures = totals.get((day, station.id, metric_id))
            value = total_of(metric.kind, figures) if figures else None
            target = targets.get((day, station.id, metric_id))
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


# Exports ------------------------------------------------------------------------------

SUMMARY_CSV_HEADER = (
    "day",
    "area",
    "station",
    "name",
    "metric",
    "kind",
    "total",
    "last",
    "min",
    "max",
    "target",
    "min_level",
    "attainment",
    "below",
)
RECORDS_CSV_HEADER = (
    "id",
    "day",
    "shift",
    "observed_at",
    "type",
    "station",
    "area",
    "author",
    "metric",
    "value",
    "category",
    "severity",
    "status",
    "minutes",
    "employee",
    "kind",
    "text",
)
MAX_EXPORT_DAYS = 366


def summary_csv_rows(summary: dict[str, Any], metrics: dict[str, Metric]):
    """A row per station and metric of a summary, in SUMMARY_CSV_HEADER's order."""
    for station in summary["stations"]:
        for key, figures in station["counts"].items():
            below = figures.get("below")
            yield (
                summary["day"],
                station["area"],
                station["code"],
                station["name"],
                key,
                metrics[key].kind,
                figures.get("total"),
                figures.get("last"),
                figures.get("min"),
                figures.get("max"),
                figures.get("target"),
                figures.get("min_level"),
                figures.get("attainment"),
                "" if below is None else ("yes" if below else "no"),
            )


def metrics_by_key(session: Session) -> dict[str, Metric]:
    return {m.key: m for m in session.execute(select(Metric)).scalars()}


def record_rows(
    session: Session, viewer: User, day_from: date, day_to: date, area_id: int | None = None
):
    """Every live record of the days, oldest first; an employee note's text only for
    those who may read it (DESIGN §1)."""
    if (day_to - day_from).days + 1 > MAX_EXPORT_DAYS or day_to < day_from:
        raise SummaryError(f"Export from 1 to {MAX_EXPORT_DAYS} days at a time.")
    zone = plant_clock(session).zone
    return _record_rows(session, viewer, Scope(day_from, day_to, area_id), zone)


def _record_rows(session: Session, viewer: User, scope: Scope, zone):
    query = (
        select(
            Record,
            User.username,
            Station.code,
            Area.name,
            Metric.key,
            Category.key,
            Employee.badge,
            Employee.area_id,
        )
        .join(User, User.id == Record.author_id)
        .outerjoin(Station, Station.id == Record.station_id)
        .outerjoin(Area, Area.id == Station.area_id)
        .outerjoin(Metric, Metric.id == Record.metric_id)
        .outerjoin(Category, Category.id == Record.category_id)
        .outerjoin(Employee, Employee.id == Record.employee_id)
        .where(*scope.record_filter())
        .order_by(Record.observed_at, Record.id)
        .execution_options(yield_per=1000)
    )
    for record, author, station, area, metric, category, badge, employee_area in session.execute(
        query
    ):
        text = record.text
        if record.type == "employee_note" and not may_read_note(
            viewer, record.author_id, employee_area
        ):
            text = ""
        yield (
            record.id,
            record.production_day.isoformat(),
            record.shift,
            record.observed_at.astimezone(zone).isoformat(),
            record.type,
            station,
            area,
            author,
            metric,
            number(record.value),
            category,
            record.severity,
            record.status,
            number(record.minutes),
            badge,
            record.data.get("kind") if record.type == "employee_note" else None,
            text,
        )
