"""CSV exports: a row per station and metric of a day's summary, and the raw records
of a span of days (an employee note's text only for those who may read it)."""

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Area, Category, Employee, Metric, Record, Station, User
from ..permissions import may_read_note
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


def csv_chunks(header, rows) -> Iterator[str]:
    """CSV text in chunks of about 16 kB, to stream; a byte-order mark first, so
    spreadsheet programs read accents (DESIGN §5), and None as an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
        if buffer.tell() > 16_384:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


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
    a span of days out of bounds (400) before any row is read."""
    known_area(session, area_id)
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
