"""What the admin pages hand out about catalog CSV files: each kind's export (the columns
an import takes back, written by the project's one CSV writer), a template to fill in,
and the guide to each kind's columns and allowed values."""

from datetime import date

from sqlalchemy.orm import Session

from .. import catalog, csvfile
from .csv_io import COLUMNS
from .plan import stored_plan

YES_NO = "yes or no (also true/false, 1/0)"
NUMBER = "a number, 0 or more; blank for none"
KEY = "a letter or digit, then letters, digits, _ . -"
# What each column takes, for the import pages: (column, what it holds, allowed values).
GUIDE = {
    "metrics": (
        ("key", "the metric's key, never changed", KEY),
        ("label", "the name people read", "up to 120 characters"),
        ("unit", "shown after a value", "optional, up to 32 characters"),
        ("kind", "how values add up", "tally, counter or gauge"),
    ),
    "stations": (
        ("code", "printed on the label, never changed", "letters, digits and - (e.g. PRS-04)"),
        ("name", "the station's name", "up to 120 characters"),
        ("area", "the area it belongs to", "a new area is made on the way"),
        ("active", "shown on phones and labels", f"{YES_NO}; blank is yes"),
    ),
    "targets": (
        ("station", "a station code", "must exist already"),
        ("metric", "a metric key", "must exist already"),
        ("target", "the standing target per day", NUMBER),
        ("min_level", "a gauge's alert level", NUMBER),
    ),
    "employees": (
        ("badge", "the badge number, the key", "up to 32 characters"),
        ("name", "the employee's name", "up to 120 characters"),
        ("area", "their area", "must exist already; blank for the whole plant"),
    ),
    "categories": (
        ("key", "the category's key", KEY),
        ("label", "the name people read", "up to 120 characters"),
        ("downtime", "observations of it record minutes of downtime", f"{YES_NO}; blank is no"),
    ),
    "plan": (
        ("day", "the production day", "YYYY-MM-DD"),
        ("shift", "one shift of that day", "a configured shift, or blank for the whole day"),
        ("station", "a station code", "must exist already"),
        ("metric", "a metric key", "must exist; blank on a row that only schedules"),
        ("target", "that day's (or shift's) target", NUMBER),
        ("scheduled", "whether the station runs then", f"{YES_NO}; blank is yes"),
    ),
}
# The rows of each template, fit together: imported in the order above they all load.
EXAMPLES = {
    "metrics": (
        ("units_completed", "Units completed", "pcs", "tally"),
        ("material_on_hand", "Material on hand", "pallets", "gauge"),
    ),
    "stations": (("PRS-01", "Transfer press 1", "Press Shop", "yes"),),
    "targets": (
        ("PRS-01", "units_completed", "400", ""),
        ("PRS-01", "material_on_hand", "", "2"),
    ),
    "employees": (("E1001", "Maria Gonzalez", "Press Shop"),),
    "categories": (("tooling", "Tooling", "yes"),),
    "plan": (("2026-01-05", "", "PRS-01", "units_completed", "380", "yes"),),
}


# Export -------------------------------------------------------------------------------


def format_number(value: float | None) -> int | float | None:
    """A number as the CSV shows it: whole numbers without a decimal point."""
    if value is None:
        return None
    return int(value) if value.is_integer() else value


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def export_rows(session: Session, kind: str, day: date | None = None) -> list[list[str]]:
    if kind == "metrics":
        return [[m.key, m.label, m.unit, m.kind] for m in catalog.list_metrics(session)]
    if kind == "stations":
        return [
            [s.code, s.name, s.area.name, yes_no(s.active)] for s in catalog.list_stations(session)
        ]
    if kind == "targets":
        return [
            [s.code, e.metric.key, format_number(e.target), format_number(e.min_level)]
            for s in catalog.list_stations(session)
            for e in s.metrics
        ]
    if kind == "employees":
        return [
            [e.badge, e.name, e.area.name if e.area else ""]
            for e in catalog.list_employees(session)
            if e.active
        ]
    if kind == "categories":
        return [
            [c.key, c.label, yes_no(c.downtime)]
            for c in catalog.list_categories(session, active_only=True)
        ]
    if kind == "plan":
        plan = stored_plan(session, day)
        rows = [
            [day.isoformat(), shift, code, metric, format_number(target), "yes"]
            for shift, code, metric, target in plan["targets"]
        ]
        rows += [
            [day.isoformat(), shift, code, "", "", "no"] for shift, code in plan["unscheduled"]
        ]
        return rows
    raise ValueError(f"unknown kind {kind!r}")


def write_csv(kind: str, rows) -> bytes:
    """The kind's header and ``rows`` by the project's one writer (``floorwalk.csvfile``)."""
    return csvfile.document(COLUMNS[kind], rows)


def export_csv(session: Session, kind: str, day: date | None = None) -> bytes:
    """The kind's rows as an import would take them back."""
    return write_csv(kind, export_rows(session, kind, day))


def template_csv(kind: str) -> bytes:
    """A file to fill in: the header, and example rows to replace."""
    return write_csv(kind, EXAMPLES[kind])
