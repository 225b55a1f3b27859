"""The catalog a summary reads: stations, metrics, each station's listed metrics with
their standing targets and min levels, observation categories, the settings, the usual
targets and the plan's rows, as plain rows.

The catalog changes a few times a week (an admin's edit, an import) and every summary
reads all of it, so a snapshot of it is kept per database between changes. The key is
the database's epoch and catalog counter (``SyncState``): every transaction that writes
a catalog or plan row moves the counter (changes.py), a restore gives a new epoch, and
pushes move neither. The counter is read before the catalog, so a snapshot is never
labelled with a number newer than the rows it holds; a transaction that has changed
the catalog itself reads afresh and keeps nothing, since its change may yet be rolled
back.
"""

import functools
import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog import plan
from ..changes import holds_catalog_change
from ..days import PlantClock
from ..models import Area, Category, Metric, Station, StationMetric, SyncState
from ..settings import clock_of, get_settings
from .scope import Scope, plain_rows

PLANS_KEPT = 64  # spans of days whose plan a catalog keeps


class StationRow(NamedTuple):
    id: int
    code: str
    name: str
    area: str


class MetricRow(NamedTuple):
    """A metric as a summary shows it (the attributes of the model, without a session)."""

    id: int
    key: str
    label: str
    unit: str
    kind: str


class Standing(NamedTuple):
    """A station's listed metric: its place in the list, standing target and min level.
    (Named tuples: a summary makes thousands, at half the cost of a frozen dataclass.)"""

    position: int
    target: float | None
    min_level: float | None


class CatalogStation(NamedTuple):
    row: StationRow
    area_id: int
    active: bool


@dataclass
class Catalog:
    """The whole catalog as read at one catalog counter; shared, so never changed."""

    settings: dict[str, str]
    clock: PlantClock
    stations: list[CatalogStation]  # ordered by area name, then code
    metrics: dict[int, MetricRow]
    standing: dict[tuple[int, int], Standing]
    categories: dict[int, tuple[str, bool]]  # id: (key, downtime)
    _usual: dict[str | None, dict] = field(default_factory=dict)
    _plans: dict[tuple[date, date], plan.PlanRows] = field(default_factory=dict)

    def __post_init__(self):
        # What every summary derives from the rows, once per snapshot: (station, metric)
        # → standing target; plain (key, kind) pairs per metric; each station's listed
        # metric ids in the station's order, and as (id, key, kind, min level).
        self.standing_targets = {key: s.target for key, s in self.standing.items()}
        self.kinds = {metric_id: (m.key, m.kind) for metric_id, m in self.metrics.items()}
        listed: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for (station_id, metric_id), standing in self.standing.items():
            listed[station_id].append((standing.position, metric_id))
        self.listed = {sid: [mid for _, mid in sorted(pairs)] for sid, pairs in listed.items()}
        self.station_metrics = {
            sid: [(mid, *self.kinds[mid], self.standing[(sid, mid)].min_level) for mid in ids]
            for sid, ids in self.listed.items()
        }

    def plan_rows(self, session: Session, day_from: date, day_to: date) -> plan.PlanRows:
        """The plan's rows of a span of days, read once per span (the plan is part of the
        catalog: its changes move the catalog counter); up to PLANS_KEPT spans, all
        forgotten when one more comes."""
        rows = self._plans.get((day_from, day_to))
        if rows is None:
            if len(self._plans) >= PLANS_KEPT:
                self._plans.clear()
            rows = self._plans[(day_from, day_to)] = plan.read_plan(session, day_from, day_to)
        return rows

    def usual_targets(self, shift: str | None) -> dict[tuple[int, int], float]:
        """Each (station, metric)'s target on a day the plan says nothing of, for the
        day (None) or one shift of it, by the rule of catalog/plan.py."""
        if shift not in self._usual:
            names = [s.name for s in self.clock.shifts]
            self._usual[shift] = plan.usual_targets(self.standing_targets, names, shift)
        return self._usual[shift]


@dataclass
class Plant:
    """The catalog a summary needs, for its scope (one area or station, or all)."""

    catalog: Catalog
    stations: list[StationRow]  # active (unless asked otherwise), in scope, by area, code
    standing: dict[tuple[int, int], Standing]  # of the stations in scope
    in_scope: set[int] | None = None  # the stations in scope (None: every station)

    def __post_init__(self):
        catalog = self.catalog
        self.clock, self.settings = catalog.clock, catalog.settings
        self.metrics, self.kinds = catalog.metrics, catalog.kinds

    @functools.cached_property
    def station_ids(self) -> set[int]:
        """The ids of ``stations``."""
        return {station.id for station in self.stations}

    @functools.cached_property
    def standing_targets(self) -> dict[tuple[int, int], float | None]:
        """(station, metric) → standing target, for the listed metrics in scope."""
        if self.in_scope is None:
            return self.catalog.standing_targets
        return {key: standing.target for key, standing in self.standing.items()}

    def station_metrics(self) -> dict[int, list[tuple]]:
        """Each station in scope's listed metrics in order, as (metric id, key, kind, min
        level) (shared with the catalog: read, never changed)."""
        listed = self.catalog.station_metrics
        if self.in_scope is None:
            return listed
        return {sid: metrics for sid, metrics in listed.items() if sid in self.in_scope}

    def listed_metrics(self) -> dict[int, list[int]]:
        """Each station in scope's listed metric ids, in the order the station lists
        them (shared with the catalog: read, never changed)."""
        listed = self.catalog.listed
        if self.in_scope is None:
            return listed
        return {sid: ids for sid, ids in listed.items() if sid in self.in_scope}

    def usual_targets(self, shift: str | None) -> dict[tuple[int, int], float]:
        """The catalog's usual targets (``Catalog.usual_targets``) of the stations in
        scope."""
        targets = self.catalog.usual_targets(shift)
        if self.in_scope is None:
            return targets
        return {key: target for key, target in targets.items() if key[0] in self.in_scope}


def load_plant(session: Session, scope: Scope, active_only: bool = True) -> Plant:
    """The catalog of ``scope``: its stations (active ones unless ``active_only`` is
    False), every metric, and its stations' listed metrics."""
    catalog = current_catalog(session)
    if scope.station_id is not None:
        in_scope = {scope.station_id}
    elif scope.area_id is not None:
        in_scope = {s.row.id for s in catalog.stations if s.area_id == scope.area_id}
    else:
        in_scope = None  # every station
    stations = [
        s.row
        for s in catalog.stations
        if (s.active or not active_only) and (in_scope is None or s.row.id in in_scope)
    ]
    standing = catalog.standing
    if in_scope is not None:
        standing = {key: value for key, value in standing.items() if key[0] in in_scope}
    return Plant(catalog, stations, standing, in_scope)


# The snapshot, per database (engine) -------------------------------------------------

_snapshots: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
VERSION = select(SyncState.epoch, SyncState.catalog_seq)
_lock = threading.Lock()


def current_catalog(session: Session) -> Catalog:
    """The catalog as of the database's catalog counter: the snapshot kept for this
    database when it is that number's, else read (and kept) now."""
    session.flush()
    if holds_catalog_change(session):  # this transaction's own, uncommitted, change
        return read_catalog(session)
    version = tuple(plain_rows(session, VERSION)[0])
    engine = session.get_bind()
    with _lock:
        kept = _snapshots.get(engine)
    if kept is not None and kept[0] == version:
        return kept[1]
    catalog = read_catalog(session)
    with _lock:
        _snapshots[engine] = (version, catalog)
    return catalog


def read_catalog(session: Session) -> Catalog:
    stations = [
        CatalogStation(StationRow(sid, code, name, area), area_id, active)
        for sid, code, name, area, area_id, active in plain_rows(
            session,
            select(
                Station.id, Station.code, Station.name, Area.name, Station.area_id, Station.active
            )
            .join(Area, Area.id == Station.area_id)
            .order_by(Area.name, Station.code),
        )
    ]
    metrics = {
        row[0]: MetricRow(*row)
        for row in plain_rows(
            session, select(Metric.id, Metric.key, Metric.label, Metric.unit, Metric.kind)
        )
    }
    standing = {
        (sid, mid): Standing(position, target, min_level)
        for sid, mid, position, target, min_level in plain_rows(
            session,
            select(
                StationMetric.station_id,
                StationMetric.metric_id,
                StationMetric.position,
                StationMetric.target,
                StationMetric.min_level,
            ),
        )
    }
    categories = {
        category_id: (key, downtime)
        for category_id, key, downtime in plain_rows(
            session, select(Category.id, Category.key, Category.downtime)
        )
    }
    settings = get_settings(session)
    return Catalog(settings, clock_of(settings), stations, metrics, standing, categories)
