"""What a summary covers: the scope of days, area, shift or station, and the checks of
what was asked.

Every other summaries module reads records through ``Scope.record_filter`` (and the
catalog through plant.py's ``load_plant``), so none repeats a filter or a catalog query.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..days import PlantClock
from ..models import Area, Metric, Record, Station

# Up to a year (a period report's longest span) the days are listed: both databases then
# seek (day, type) in the covering index; a range of days makes SQLite take
# ix_records_day_station and read each row from the table, ten times slower over a year.
LISTED_DAYS = 366


class SummaryError(ValueError):
    """A summary that cannot be made as asked, with a message for people and the HTTP
    status that fits it (400: an unknown shift or a bad span; 404: no such area or
    station)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


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
        conditions = [in_days, *self.live_filter()]
        if not by_station:
            return conditions
        if self.station_id is not None:
            conditions.append(Record.station_id == self.station_id)
        elif self.area_id is not None:
            conditions.append(Record.station_id.in_(area_station_ids(self.area_id)))
        return conditions

    def live_filter(self) -> list:
        """Live records of the scope's shift, whatever their day and station."""
        if self.shift:
            return [Record.deleted.is_(False), Record.shift == self.shift]
        return [Record.deleted.is_(False)]

    def days(self) -> list[date]:
        count = (self.day_to - self.day_from).days + 1
        return [self.day_from + timedelta(days=n) for n in range(count)]


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


def known_area(session: Session, area_id: int | None) -> Area | None:
    """The area asked for, None when none was; SummaryError (404) for an unknown one."""
    if area_id is None:
        return None
    area = session.get(Area, area_id)
    if area is None:
        raise SummaryError("No such area.", 404)
    return area


def area_id_of(session: Session, ref: int | str | None) -> int | None:
    """The id of the area asked for by id or by name (a name matched exactly, then
    ignoring case); None when none was asked; SummaryError (404) for no such area."""
    if ref is None or isinstance(ref, int):
        return ref
    area_id = session.execute(select(Area.id).where(Area.name == ref)).scalar()
    if area_id is None:
        area_id = session.execute(
            select(Area.id).where(func.lower(Area.name) == ref.lower())
        ).scalar()
    if area_id is None:
        raise SummaryError(f"No area is named {ref!r}: give an area's name or its number.", 404)
    return area_id


def metrics_by_key(session: Session) -> dict[str, Metric]:
    return {m.key: m for m in session.execute(select(Metric)).scalars()}
