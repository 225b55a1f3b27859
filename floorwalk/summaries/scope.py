"""What a summary covers: the scope of days, area, shift or station, and the checks of
what was asked.

Every other summaries module reads records through ``Scope.record_filter`` (and the
catalog through plant.py's ``load_plant``), so none repeats a filter or a catalog query.
"""

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select
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


class Shape(NamedTuple):
    """The form of a scope's record filter, whatever its values: one statement serves
    every scope of a shape, run with ``Scope.params()`` (``kept``)."""

    listed: bool  # the days listed one by one, else a range
    shift: bool
    station: bool
    area: bool  # and no station

    def record_filter(self, by_station: bool = True, values: dict | None = None) -> list:
        """Live records of the scope's days (and shift); of its station or area's
        stations unless ``by_station`` is False (notes go by the employee's area). With
        ``values`` (``Scope.params()``) the conditions hold them; without, they name the
        parameters a kept statement is run with."""
        value = _value_of(values)
        # Days listed one by one let both databases seek (day, type) in
        # ix_records_day_type, where a range of days would stop the seek at the day.
        in_days = (
            Record.production_day.in_(value("days", expanding=True))
            if self.listed
            else Record.production_day.between(value("day_from"), value("day_to"))
        )
        conditions = [in_days, *self.live_filter(values)]
        if not by_station:
            return conditions
        if self.station:
            conditions.append(Record.station_id == value("station_id"))
        elif self.area:
            area_ids = select(Station.id).where(Station.area_id == value("area_id"))
            conditions.append(Record.station_id.in_(area_ids.scalar_subquery()))
        return conditions

    def live_filter(self, values: dict | None = None) -> list:
        """Live records of the scope's shift, whatever their day and station."""
        if self.shift:
            return [Record.deleted.is_(False), Record.shift == _value_of(values)("shift")]
        return [Record.deleted.is_(False)]


def _value_of(values: dict | None):
    if values is None:
        return lambda name, expanding=False: bindparam(name, expanding=expanding)
    return lambda name, expanding=False: values[name]


@dataclass(frozen=True)
class Scope:
    """What a summary covers: days, optionally one area and one shift."""

    day_from: date
    day_to: date
    area_id: int | None = None
    shift: str | None = None
    station_id: int | None = None

    def shape(self) -> Shape:
        listed = (self.day_to - self.day_from).days < LISTED_DAYS
        station = self.station_id is not None
        return Shape(listed, bool(self.shift), station, not station and self.area_id is not None)

    def params(self) -> dict[str, Any]:
        """The values of the parameters the scope's shape names."""
        shape = self.shape()
        values: dict[str, Any] = (
            {"days": self.days()}
            if shape.listed
            else {"day_from": self.day_from, "day_to": self.day_to}
        )
        if shape.shift:
            values["shift"] = self.shift
        if shape.station:
            values["station_id"] = self.station_id
        elif shape.area:
            values["area_id"] = self.area_id
        return values

    def record_filter(self, by_station: bool = True) -> list:
        """``Shape.record_filter`` holding the scope's values."""
        return self.shape().record_filter(by_station, self.params())

    def live_filter(self) -> list:
        return self.shape().live_filter(self.params())

    def days(self) -> list[date]:
        count = (self.day_to - self.day_from).days + 1
        return [self.day_from + timedelta(days=n) for n in range(count)]


def plain_rows(session: Session, query, params: dict | None = None):
    """The rows of a column query, without the ORM's per-row work: the summary reads
    thousands of rows of plain values and never an object."""
    session.flush()  # what session.execute's autoflush would do
    return session.connection().execute(query, params).all()  # one round of fetching


def kept(build):
    """``build`` (a function of a ``Shape`` and other forms, making a statement whose
    values are parameters) made once per form: building a statement and its cache key
    costs a summary as much as reading a few hundred rows. Run it with ``plain_rows``
    and the parameters it names (``Scope.params()`` and its own)."""
    return functools.lru_cache(maxsize=256)(build)  # a year's plan may give many forms


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
