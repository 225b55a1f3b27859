"""Catalog CSV files (DESIGN §5): read, check every row, then store all of them or none.

``check_csv`` reads a file and compares each row with what is stored, without writing:
the admin page's preview and ``floorwalk import --check`` show it as is. ``import_csv``
checks the same way and, only when no row has an error, writes the changes. Export
writes the same columns, so exporting and importing the file again changes nothing.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import catalog, csvfile
from ..audit import record_audit
from ..models import (
    Area,
    Category,
    Employee,
    Metric,
    Station,
    StationMetric,
)
from ..settings import plant_clock
from .plan import replace_day_plan, stored_plan
from .schemas import (
    CategoryRow,
    EmployeeRow,
    MetricRow,
    PlanRow,
    StationRow,
    TargetRow,
    flatten,
)

COLUMNS = {
    "metrics": ("key", "label", "unit", "kind"),
    "stations": ("code", "name", "area", "active"),
    "targets": ("station", "metric", "target", "min_level"),
    "employees": ("badge", "name", "area"),
    "categories": ("key", "label", "downtime"),
    "plan": ("day", "shift", "station", "metric", "target", "scheduled"),
}
KINDS = tuple(COLUMNS)
# How a file's rows meet what is stored, as the import page says it.
MATCHING = {
    "metrics": "Rows are matched by key: new ones are added, others updated.",
    "stations": "Rows are matched by code: new ones are added, others updated.",
    "targets": "Rows are matched by station and metric: new ones are added, others updated.",
    "employees": "Rows are matched by badge: new ones are added, others updated.",
    "categories": "Rows are matched by key: new ones are added, others updated.",
    "plan": "Each day in the file replaces that day's plan; other days stay as they are.",
}


@dataclass
class Change:
    """One thing the file sets: new (``before`` None), updated or unchanged."""

    line: int
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any]
    write: Callable[[str], None]

    @property
    def status(self) -> str:
        if self.before is None:
            return "new"
        return "unchanged" if self.before == self.after else "updated"


@dataclass
class ImportReport:
    kind: str
    errors: list[tuple[int, str]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    stored: bool = False

    def count(self, status: str) -> int:
        return sum(1 for change in self.changes if change.status == status)

    @property
    def new(self) -> int:
        return self.count("new")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    def error(self, line: int, message: str) -> None:
        self.errors.append((line, message))

    def summary(self) -> str:
        return f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged"


# Reading ------------------------------------------------------------------------------


def read_rows(data: bytes, kind: str, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as dicts with their first line numbers; problems go to ``report``."""
    columns = COLUMNS[kind]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        report.error(
            line,
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x}); "
            "save it as 'CSV UTF-8' and upload it again",
        )
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, header, next_line = [], None, 1
    try:
        for fields in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(value.strip() for value in fields):
                continue
            if header is None:
                header = [name.strip().lower() for name in fields]
                if not check_header(header, columns, line, report):
                    return []
                continue
            if len(fields) != len(header):
                report.error(
                    line, f"{len(fields)} fields, but the header has {len(header)} columns"
                )
                continue
            # Take off the apostrophe an export puts before a formula (DESIGN §5).
            values = [csvfile.unescape(value) for value in fields]
            rows.append((line, dict(zip(header, values, strict=True))))
    except csv.Error as error:
        report.error(next_line, f"not readable as CSV ({error})")
        return []
    if header is None:
        report.error(1, f"the file is empty; the header is {','.join(columns)}")
    return rows


def check_header(header: list[str], columns: tuple[str, ...], line: int, report) -> bool:
    missing = [c for c in columns if c not in header]
    extra = [c or "(blank)" for c in header if c not in columns]
    repeated = sorted({c for c in header if header.count(c) > 1})
    problems = []
    if missing:
        problems.append(f"missing column {', '.join(missing)}")
    if extra:
        problems.append(f"unknown column {', '.join(extra)}")
    if repeated:
        problems.append(f"repeated column {', '.join(repeated)}")
    if problems:
        report.error(line, "; ".join(problems) + f" (the columns are {','.join(columns)})")
    return not problems


def load_row(schema: Schema, line: int, row: dict, report: ImportReport) -> dict | None:
    try:
        return schema.load(row)
    except ValidationError as error:
        for name, messages in error.messages.items():
            report.error(line, f"{name}: {' '.join(flatten(messages))}")
        return None


def first_time(seen: dict, key, line: int, what: str, report: ImportReport) -> bool:
    """False, with an error, when ``key`` was already on an earlier line."""
    if key in seen:
        report.error(line, f"{what} is already on line {seen[key]}")
        return False
    seen[key] = line
    return True


# Checking each kind -------------------------------------------------------------------


def _by(session: Session, model, column) -> dict:
    return {getattr(row, column): row for row in session.execute(select(model)).scalars()}


def check_keyed(session, rows, report, actor, model, key, schema, values_of, save, prepare=None):
    """One change per row of a kind stored under its own key (metrics, stations,
    employees, categories): a key seen twice is an error, a stored key an update.

    ``prepare(values, line)`` completes a row's values, or reports it and returns False.
    """
    stored, seen = _by(session, model, key), {}
    for line, row in rows:
        values = load_row(schema, line, row, report)
        if values is None or not first_time(
            seen, values[key], line, f"{key} {values[key]!r}", report
        ):
            continue
        if prepare is not None and not prepare(values, line):
            continue
        existing = stored.get(values[key])
        before = values_of(existing) if existing else None

        def write(action, existing=existing, values=values):
            save(session, actor, existing, values, action)

        report.changes.append(Change(line, values[key], before, values, write))


def check_metrics(session, rows, report, actor):
    def prepare(values, line):
        values["unit"] = values["unit"] or ""
        return True

    check_keyed(session, rows, report, actor, Metric, "key", MetricRow(),
                catalog.metric_values, catalog.save_metric, prepare)  # fmt: skip


def check_stations(session, rows, report, actor):
    check_keyed(session, rows, report, actor, Station, "code", StationRow(),
                catalog.station_values, catalog.save_station)  # fmt: skip


def check_targets(session, rows, report, actor):
    stations = {
        s.code: s
        for s in session.execute(
            select(Station).options(
                selectinload(Station.metrics).selectinload(StationMetric.metric)
            )
        ).scalars()
    }
    metrics, seen, schema = _by(session, Metric, "key"), {}, TargetRow()
    for line, row in rows:
        values = load_row(schema, line, row, report)
        if values is None:
            continue
        station, metric = stations.get(values["station"]), metrics.get(values["metric"])
        if station is None:
            report.error(line, f"station: there is no station {values['station']!r}")
        if metric is None:
            report.error(line, f"metric: there is no metric {values['metric']!r}")
        key = f"{values['station']}/{values['metric']}"
        if not (station and metric) or not first_time(
            seen, key, line, f"{key} (station/metric)", report
        ):
            continue
        entry = next((e for e in station.metrics if e.metric_id == metric.id), None)
        before = catalog.target_values(entry) if entry else None

        def write(action, station=station, metric=metric, values=values):
            catalog.set_station_metric(
                session, actor, station, metric, values["target"], values["min_level"], action
            )

        report.changes.append(Change(line, key, before, values, write))


def check_employees(session, rows, report, actor):
    areas = _by(session, Area, "name")

    def prepare(values, line):
        if values["area"] and values["area"] not in areas:
            message = f"there is no area {values['area']!r} (importing stations creates areas)"
            report.error(line, f"area: {message}")
            return False
        values["active"] = True
        return True

    check_keyed(session, rows, report, actor, Employee, "badge", EmployeeRow(),
                catalog.employee_values, catalog.save_employee, prepare)  # fmt: skip


def check_categories(session, rows, report, actor):
    def prepare(values, line):
        values["active"] = True
        return True

    check_keyed(session, rows, report, actor, Category, "key", CategoryRow(),
                catalog.category_values, catalog.save_category, prepare)  # fmt: skip


def check_plan(session, rows, report, actor):
    """Each day in the file replaces that day's plan (a Change per day)."""
    stations, metrics = _by(session, Station, "code"), _by(session, Metric, "key")
    shifts = [s.name for s in plant_clock(session).shifts]
    days: dict[date, dict] = {}
    schema = PlanRow()
    for line, row in rows:
        values = load_row(schema, line, row, report)
        if values is None:
            continue
        problems = plan_row_problems(values, shifts, stations, metrics)
        for problem in problems:
            report.error(line, problem)
        if not problems:
            plan = days.setdefault(values["day"], {"line": line, "targets": {}, "off": {}})
            add_plan_row(plan, values, line, report)
    for day, plan in sorted(days.items()):
        report_targets_when_off(plan, report)
        report.changes.append(day_plan_change(session, actor, day, plan, stations, metrics))


def plan_row_problems(values: dict, shifts: list[str], stations: dict, metrics: dict) -> list:
    problems = []
    shift, code = values["shift"] or "", values["station"]
    if shift and shift not in shifts:
        known = f"the shifts are {', '.join(shifts)}" if shifts else "no shifts are set"
        problems.append(f"shift: there is no shift {shift!r} ({known}; blank is all day)")
    if code not in stations:
        problems.append(f"station: there is no station {code!r}")
    if values["scheduled"]:
        problems += plan_target_problems(values, metrics)
    return problems


def add_plan_row(plan: dict, values: dict, line: int, report: ImportReport) -> None:
    """Note a checked row in its day's plan; a row said twice is an error."""
    shift, code, metric = values["shift"] or "", values["station"], values["metric"]
    if not values["scheduled"]:
        what = f"{code} not scheduled{on_shift(shift)}"
        first_time(plan["off"], (shift, code), line, what, report)
    elif metric:
        key = (shift, code, metric)
        first_time(plan["targets"], key, line, f"{code} {metric}{on_shift(shift)}", report)
        plan.setdefault("values", {})[key] = values["target"]


def report_targets_when_off(plan: dict, report: ImportReport) -> None:
    """A target for a station the same file unschedules then is a contradiction."""
    for (shift, code, _metric), line in plan["targets"].items():
        off_line = plan["off"].get((shift, code)) or plan["off"].get(("", code))
        if off_line:
            report.error(line, f"{code} has a target but is not scheduled then (line {off_line})")


def day_plan_change(session, actor, day: date, plan: dict, stations, metrics) -> "Change":
    after = {
        "targets": sorted(
            [shift, code, metric, target]
            for (shift, code, metric), target in plan.get("values", {}).items()
        ),
        "unscheduled": sorted([shift, code] for shift, code in plan["off"]),
    }
    before = stored_plan(session, day)
    if before == {"targets": [], "unscheduled": []}:
        before = None

    def write(action):
        replace_day_plan(session, day, after, stations, metrics)
        record_audit(session, actor, action, "plan", day.isoformat(), before, after)

    return Change(plan["line"], day.isoformat(), before, after, write)


def on_shift(shift: str) -> str:
    return f" on shift {shift}" if shift else " all day"


def plan_target_problems(values: dict, metrics: dict) -> list[str]:
    if values["metric"] and values["metric"] not in metrics:
        return [f"metric: there is no metric {values['metric']!r}"]
    if values["metric"] and values["target"] is None:
        return ["target: a scheduled row with a metric needs its target"]
    if values["target"] is not None and not values["metric"]:
        return ["metric: name the metric this target is for"]
    return []


CHECKS = {
    "metrics": check_metrics,
    "stations": check_stations,
    "targets": check_targets,
    "employees": check_employees,
    "categories": check_categories,
    "plan": check_plan,
}


def check_csv(session: Session, kind: str, data: bytes, actor=None) -> ImportReport:
    """What importing ``data`` would do, row by row, and every error by line; writes nothing."""
    report = ImportReport(kind)
    rows = read_rows(data, kind, report)
    if rows or not report.errors:
        CHECKS[kind](session, rows, report, actor)
    report.errors.sort()
    return report


def import_csv(session: Session, kind: str, data: bytes, actor=None) -> ImportReport:
    """Store every row of ``data``, or none of them when any row has an error.

    Flushes but never commits; the caller commits when ``report.stored``.
    """
    report = check_csv(session, kind, data, actor)
    if report.errors:
        return report
    for change in report.changes:
        if change.status != "unchanged":
            change.write("import")
    session.flush()
    report.stored = True
    return report
