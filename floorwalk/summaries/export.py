"""CSV exports: a row per station and metric of a day's summary, and the raw records
of a span of days (an employee note's text only for those who may read it)."""

from datetime import date
from typing import Any

from sqlalchemy import case, select, true
from sqlalchemy.orm import Session

from ..models import WALK_RECORD_TYPES, Area, Category, Employee, Metric, Record, Station, User
from ..permissions import readable_notes_filter
from ..settings import plant_clock
from .day import daily_summary
from .figures import number
from .scope import Scope, SummaryError, known_area, metrics_by_key

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


def day_csv_rows(
    session: Session,
    day: date,
    viewer: User,
    area_id: int | None = None,
    shift: str | None = None,
) -> list[tuple]:
    """The rows of a day's summary CSV; SummaryError as ``daily_summary`` raises it."""
    summary = daily_summary(session, day, viewer, area_id, shift)
    return list(summary_csv_rows(summary, metrics_by_key(session)))


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


def record_rows(
    session: Session, viewer: User, day_from: date, day_to: date, area_id: int | None = None
):
    """Every live record of the days, oldest first; an employee note's text only for
    those who may read it (DESIGN §1). Raises SummaryError for an unknown area (404) or
    a span of days out of bounds (400) before any row is read.

    What the viewer may read is decided here, in the query, before the rows stream: the
    response is read after the view returns, when the viewer's session is gone."""
    known_area(session, area_id)
    if (day_to - day_from).days + 1 > MAX_EXPORT_DAYS or day_to < day_from:
        raise SummaryError(f"Export from 1 to {MAX_EXPORT_DAYS} days at a time.")
    zone = plant_clock(session).zone
    return _record_rows(session, _records_query(viewer, Scope(day_from, day_to, area_id)), zone)


def _records_query(viewer: User, scope: Scope):
    readable = readable_notes_filter(viewer)
    text = case(
        (Record.type != "employee_note", Record.text),
        (true() if readable is True else readable, Record.text),
        else_="",
    )
    return (
        select(
            Record,
            text,
            User.username,
            Station.code,
            Area.name,
            Metric.key,
            Category.key,
            Employee.badge,
        )  # fmt: skip
        .join(User, User.id == Record.author_id)
        .outerjoin(Station, Station.id == Record.station_id)
        .outerjoin(Area, Area.id == Station.area_id)
        .outerjoin(Metric, Metric.id == Record.metric_id)
        .outerjoin(Category, Category.id == Record.category_id)
        .outerjoin(Employee, Employee.id == Record.employee_id)
        # Actions have their own permissions and list (/actions): not raw walk records.
        .where(Record.type.in_(WALK_RECORD_TYPES), *scope.record_filter())
        .order_by(Record.observed_at, Record.id)
        .execution_options(yield_per=1000)
    )


def _record_rows(session: Session, query, zone):
    for record, text, author, station, area, metric, category, badge in session.execute(query):
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
