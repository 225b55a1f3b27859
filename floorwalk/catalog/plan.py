"""The production plan: which stations work on a day or shift, and every target.

This is the one place the target rule lives. The admin's plan page, the day and shift
summaries, period reports and pull (so the phone) all ask it; none recomputes it.

The rule (docs/summary.md, "Targets"): a day's target for a station and metric is the
plan's whole-day target (a plan row with an empty shift), else the station's standing
target. When the plant has shifts, each shift's share is that day target divided evenly
between the shifts, replaced by the plan's own target for that shift where it has one.
A shift's target is its share; the whole day's is the sum of the shares of the shifts
the station is scheduled for. Without shifts a plan row for a named shift is ignored.
Example: standing 600, shifts A/B/C, plan A=300: day 300 + 200 + 200 = 700, B 200.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Area, Metric, PlanTarget, Station, StationMetric, UnscheduledStation
from ..settings import plant_clock
from .errors import add_removal

Key = tuple[date, int, int]  # (day, station id, metric id)


def _days(day_from: date, day_to: date) -> list[date]:
    return [day_from + timedelta(days=n) for n in range((day_to - day_from).days + 1)]


def _shifts_off(session: Session, day_from: date, day_to: date) -> dict[tuple[date, int], set]:
    """Per (day, station), the shifts the plan leaves out ('' for the whole day)."""
    off: dict[tuple[date, int], set[str]] = defaultdict(set)
    rows = session.execute(
        select(
            UnscheduledStation.day, UnscheduledStation.station_id, UnscheduledStation.shift
        ).where(UnscheduledStation.day.between(day_from, day_to))
    )
    for day, station_id, shift in rows:
        off[(day, station_id)].add(shift)
    return dict(off)  # kept with the catalog and read by many: no key made on reading


def unscheduled_stations(
    session: Session, day_from: date, day_to: date, shift_names: Iterable[str], shift: str | None
) -> dict[date, set[int]]:
    """Per day, the stations the plan leaves out of the day, or of ``shift`` of it.

    A whole day leaves a station out when the plan unschedules it for the day, or for
    every one of the plant's shifts.
    """
    return _unscheduled(_shifts_off(session, day_from, day_to), shift_names, shift)


def _unscheduled(
    shifts_off: dict[tuple[date, int], set], shift_names: Iterable[str], shift: str | None
) -> dict[date, set[int]]:
    names = set(shift_names)
    result: dict[date, set[int]] = defaultdict(set)
    for (day, station_id), off in shifts_off.items():
        if "" in off or (shift and shift in off) or (not shift and names and names <= off):
            result[day].add(station_id)
    return result


class PlanRows(NamedTuple):
    """The plan's stored rows of a span of days: its targets as (day, station id, metric
    id, shift, target), and per (day, station) the shifts it leaves out."""

    targets: list[tuple]
    shifts_off: dict[tuple[date, int], set[str]]


def read_plan(session: Session, day_from: date, day_to: date) -> PlanRows:
    targets = session.execute(
        select(
            PlanTarget.day,
            PlanTarget.station_id,
            PlanTarget.metric_id,
            PlanTarget.shift,
            PlanTarget.target,
        ).where(PlanTarget.day.between(day_from, day_to))
    ).all()
    return PlanRows(targets, _shifts_off(session, day_from, day_to))


def period_plan(
    session: Session,
    day_from: date,
    day_to: date,
    standing: Mapping[tuple[int, int], float | None],
    shift_names: list[str],
    shift: str | None = None,
    station_ids: set[int] | None = None,
    usual: dict[tuple[int, int], float] | None = None,
    rows: PlanRows | None = None,
) -> tuple[dict[date, set[int]], "PeriodTargets"]:
    """The stations the plan leaves out, per day (``unscheduled_stations``), and the
    targets of ``day_from``..``day_to`` as ``PeriodTargets``, from one read of the plan
    whatever the length of the span. ``standing`` maps (station id, metric id) to the
    standing target; ``station_ids`` limits the plan's targets to those stations (None:
    every station); ``usual`` (``usual_targets`` of the same arguments) and ``rows``
    (``read_plan`` of the span) when the caller has them already."""
    rows = rows or read_plan(session, day_from, day_to)
    if usual is None:
        usual = usual_targets(standing, shift_names, shift)
    targets = _period_targets(
        rows, day_from, day_to, standing, shift_names, shift, station_ids, usual
    )
    return _unscheduled(rows.shifts_off, shift_names, shift), targets


class PeriodTargets(NamedTuple):
    """The targets of a span of days by the module's rule, in compact form: ``usual`` is
    each (station, metric)'s target on a day the plan says nothing of it (no plan row, no
    shift left out); ``special`` the target of each (day, station, metric) the plan does
    say something of (None: no target that day). A year of 500 stations is a few thousand
    entries rather than hundreds of thousands."""

    days: list[date]
    usual: dict[tuple[int, int], float]
    special: dict[Key, float | None]

    def target(self, key: Key) -> float | None:
        """The target of one (day, station, metric); None when it has none that day."""
        if key in self.special:
            return self.special[key]
        return self.usual.get(key[1:])

    def expand(self) -> dict[Key, float]:
        """The target of each (day, station, metric) that has one."""
        special_by_day: dict[date, list] = defaultdict(list)
        for key, target in self.special.items():
            special_by_day[key[0]].append((key, target))
        targets: dict[Key, float] = {}
        for day in self.days:
            for (station_id, metric_id), target in self.usual.items():
                if (day, station_id, metric_id) not in self.special:
                    targets[(day, station_id, metric_id)] = target
            for key, target in special_by_day.get(day, ()):
                if target is not None:
                    targets[key] = target
        return targets


def plan_targets(*args, **kwargs) -> dict[Key, float]:
    """The target of each (day, station, metric) that has one, by the module's rule;
    arguments as ``period_plan``."""
    return period_plan(*args, **kwargs)[1].expand()


def _period_targets(
    rows: PlanRows,
    day_from: date,
    day_to: date,
    standing: Mapping[tuple[int, int], float | None],
    shift_names: list[str],
    shift: str | None,
    station_ids: set[int] | None,
    usual: dict[tuple[int, int], float],
) -> PeriodTargets:
    plan: dict[Key, dict[str, float]] = defaultdict(dict)
    for day, station_id, metric_id, plan_shift, target in rows.targets:
        if station_ids is None or station_id in station_ids:
            plan[(day, station_id, metric_id)][plan_shift] = target
    partly_off = {key: off - {""} for key, off in rows.shifts_off.items() if off - {""}}
    if not plan and not partly_off:  # the plan names no target and no shift: the usual
        return PeriodTargets(_days(day_from, day_to), usual, {})
    standing_targets = {key: value for key, value in standing.items() if value is not None}
    listed: dict[int, list[int]] = defaultdict(list)
    for station_id, metric_id in standing_targets:
        listed[station_id].append(metric_id)
    special_keys = set(plan) | {
        (day, station_id, metric_id)
        for (day, station_id), off in partly_off.items()
        if off and day_from <= day <= day_to
        for metric_id in listed.get(station_id, ())
    }
    special: dict[Key, float | None] = {}
    no_plan: dict[str, float] = {}
    for day, station_id, metric_id in special_keys:
        planned = plan.get((day, station_id, metric_id), no_plan)
        whole = planned.get("", standing_targets.get((station_id, metric_id)))
        off = partly_off.get((day, station_id), ())
        special[(day, station_id, metric_id)] = combine(whole, planned, shift_names, shift, off)
    return PeriodTargets(_days(day_from, day_to), usual, special)


def usual_targets(
    standing: Mapping[tuple[int, int], float | None], shift_names: list[str], shift: str | None
) -> dict[tuple[int, int], float]:
    """Each (station, metric)'s target on a day the plan says nothing of it: the
    standing target, or its share for ``shift``."""
    usual = {}
    for key, whole in standing.items():
        target = combine(whole, {}, shift_names, shift) if whole is not None else None
        if target is not None:
            usual[key] = target
    return usual


def combine(
    whole: float | None,
    planned: Mapping[str, float],
    shift_names: list[str],
    shift: str | None,
    off: Iterable[str] = (),
) -> float | None:
    """The rule itself: a shift's share, or the whole day's sum of scheduled shares."""
    if not shift_names:
        return whole
    share = whole / len(shift_names) if whole is not None else None
    per_shift = {name: planned.get(name, share) for name in shift_names}
    if shift:
        return per_shift.get(shift)
    parts = [value for name, value in per_shift.items() if value is not None and name not in off]
    return sum(parts) if parts else None


def standing_targets(session: Session, station_ids: set[int] | None = None) -> dict:
    """(station id, metric id) → standing target, for every listed metric."""
    query = select(StationMetric.station_id, StationMetric.metric_id, StationMetric.target)
    if station_ids is not None:
        query = query.where(StationMetric.station_id.in_(station_ids))
    return {(sid, mid): target for sid, mid, target in session.execute(query)}


def targets_for(
    session: Session, day: date, station: Station, metric: Metric, shift: str | None = None
) -> float | None:
    """The target of one station and metric on ``day`` (``shift`` of it, or the day)."""
    names = [s.name for s in plant_clock(session).shifts]
    found = plan_targets(
        session,
        day,
        day,
        standing_targets(session, {station.id}),
        names,
        shift or None,
        {station.id},
    )
    return found.get((day, station.id, metric.id))


def day_targets_by_shift(session: Session, day: date) -> list[dict]:
    """Every station metric's target on ``day``: the whole day's (shift '') and, when the
    plant has shifts, each shift's, as pull sends them to phones."""
    names = [s.name for s in plant_clock(session).shifts]
    standing = standing_targets(session)
    codes = dict(session.execute(select(Station.id, Station.code)).all())
    keys = dict(session.execute(select(Metric.id, Metric.key)).all())
    answer = []
    for shift in ["", *names]:
        found = plan_targets(session, day, day, standing, names, shift or None)
        for (_, station_id, metric_id), target in found.items():
            answer.append(
                {
                    "station": codes[station_id],
                    "metric": keys[metric_id],
                    "shift": shift,
                    "target": target,
                }
            )
    answer.sort(key=lambda row: (row["station"], row["metric"], row["shift"]))
    return answer


# Storing a day's plan -------------------------------------------------------------------


def stored_plan(session: Session, day: date) -> dict[str, list]:
    targets = session.execute(
        select(PlanTarget.shift, Station.code, Metric.key, PlanTarget.target)
        .join(PlanTarget.station)
        .join(PlanTarget.metric)
        .where(PlanTarget.day == day)
    ).all()
    off = session.execute(
        select(UnscheduledStation.shift, Station.code)
        .join(UnscheduledStation.station)
        .where(UnscheduledStation.day == day)
    ).all()
    return {
        "targets": sorted([list(row) for row in targets]),
        "unscheduled": sorted([list(row) for row in off]),
    }


def replace_day_plan(session, day: date, plan: dict, stations: dict, metrics: dict) -> None:
    """Make the stored plan of ``day`` equal ``plan``: rows kept are updated in place, rows
    gone are deleted with a Removal for pull, so a re-import changes no row."""
    wanted = {(s, c, m): t for s, c, m, t in plan["targets"]}
    for row in session.execute(
        select(PlanTarget).where(PlanTarget.day == day).options(selectinload(PlanTarget.station))
    ).scalars():
        key = (row.shift, row.station.code, row.metric.key)
        if key in wanted:
            if row.target != wanted[key]:
                row.target = wanted[key]
            del wanted[key]
        else:
            add_removal(session, "plan_targets", row.id)
            session.delete(row)
    for (shift, code, metric), target in wanted.items():
        session.add(
            PlanTarget(
                day=day, shift=shift, station=stations[code], metric=metrics[metric], target=target
            )
        )
    off = {(s, c) for s, c in plan["unscheduled"]}
    for row in session.execute(
        select(UnscheduledStation)
        .where(UnscheduledStation.day == day)
        .options(selectinload(UnscheduledStation.station))
    ).scalars():
        if (row.shift, row.station.code) in off:
            off.discard((row.shift, row.station.code))
        else:
            add_removal(session, "unscheduled_stations", row.id)
            session.delete(row)
    for shift, code in off:
        session.add(UnscheduledStation(day=day, shift=shift, station=stations[code]))
    session.flush()


# The plan page ------------------------------------------------------------------------


class PlannedTarget(NamedTuple):
    label: str  # the metric's
    target: float | None  # of the day, or of the shift asked for
    source: str  # "plan" when the plan names this metric at this station that day
    shares: tuple[tuple[str, float | None], ...] = ()  # each shift's, for a whole day
    min_level: float | None = None  # a gauge's, which has no target


@dataclass
class PlannedStation:
    station: Station
    scheduled: bool
    unscheduled_shifts: list[str] = field(default_factory=list)
    targets: list[PlannedTarget] = field(default_factory=list)


def day_plan(session: Session, day: date, shift: str = "") -> list[PlannedStation]:
    """Each active station on ``day`` (and ``shift``, or the whole day when ''): whether it
    is scheduled, and each metric's target by the module's rule with where it comes from.
    For the whole day of a plant with shifts, each shift's target follows the day's."""
    stations = session.execute(
        select(Station)
        .join(Station.area)
        .where(Station.active)
        .options(
            selectinload(Station.area),
            selectinload(Station.metrics).selectinload(StationMetric.metric),
        )
        .order_by(Area.name, Station.code)
    ).scalars()
    off = _shifts_off(session, day, day)
    planned_pairs = set(
        session.execute(
            select(PlanTarget.station_id, PlanTarget.metric_id).where(PlanTarget.day == day)
        ).all()
    )
    metrics = {m.id: m for m in session.execute(select(Metric)).scalars()}
    names = [s.name for s in plant_clock(session).shifts]
    standing = standing_targets(session)
    shown = plan_targets(session, day, day, standing, names, shift or None)
    per_shift = (
        {}
        if shift
        else {name: plan_targets(session, day, day, standing, names, name) for name in names}
    )
    unscheduled = unscheduled_stations(session, day, day, names, shift or None)[day]

    result = []
    for station in stations:
        off_shifts = off.get((day, station.id), set())
        row = PlannedStation(
            station, station.id not in unscheduled, sorted(s for s in off_shifts if s)
        )
        metric_ids = [e.metric_id for e in station.metrics]
        metric_ids += sorted(
            {mid for (sid, mid) in planned_pairs if sid == station.id} - set(metric_ids),
            key=lambda mid: metrics[mid].key,
        )
        levels = {entry.metric_id: entry.min_level for entry in station.metrics}
        for metric_id in metric_ids:
            label = metrics[metric_id].label
            source = "plan" if (station.id, metric_id) in planned_pairs else "standing"
            key = (day, station.id, metric_id)
            shares = tuple((name, targets.get(key)) for name, targets in per_shift.items())
            row.targets.append(
                PlannedTarget(label, shown.get(key), source, shares, levels.get(metric_id))
            )
        result.append(row)
    return result
