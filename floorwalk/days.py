"""Production day and shift of an instant, in plant time (DESIGN §2).

A record observed at local time t belongs to day D when D at day_start <= t < D+1 at
day_start. Boundaries are computed as instants with zoneinfo, so a DST day is 23 or 25
hours long, and compared in UTC: Python compares two datetimes that share a tzinfo by
wall time, which is wrong across a fall-back hour.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# The production days that exist for floorwalk: records are observed from 2000-01-01
# (DESIGN §3), and the day after the last must still have a start in every time zone.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(9998, 12, 31)
SHIFT_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


@dataclass(frozen=True)
class Shift:
    name: str
    start: time


@dataclass(frozen=True)
class PlantClock:
    """The plant's timezone, the start of its production day and its named shifts."""

    timezone: str = "UTC"
    day_start: time = time(6, 0)
    shifts: tuple[Shift, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_instant(self, day: date, at: time) -> datetime:
        """The instant the wall clock shows ``at`` on ``day``.

        In a spring-forward gap zoneinfo moves the time forward by the gap (fold=0),
        which is when the plant's clocks actually reach that point of the day.
        """
        return _local_instant(self.timezone, day, at)

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The production day as a half-open UTC interval [start, end)."""
        return (
            self.local_instant(day, self.day_start),
            self.local_instant(day + timedelta(days=1), self.day_start),
        )

    def production_day(self, instant: datetime) -> date:
        instant = _as_utc(instant)
        day = instant.astimezone(self.zone).date()
        if instant < self.local_instant(day, self.day_start):
            day -= timedelta(days=1)
        return day

    def shift_starts(self, day: date) -> list[tuple[Shift, datetime]]:
        """Each shift of ``day`` with its starting instant, in order.

        A shift whose clock time is before the day start (none, when the first shift
        starts the day) would begin on the next calendar day.
        """
        return list(_shift_starts(self, day))

    def day_and_shift(self, instant: datetime) -> tuple[date, str]:
        """The production day of ``instant`` and the name of its shift ('' without shifts)."""
        instant = _as_utc(instant)
        day = self.production_day(instant)
        name = ""
        for shift, start in _shift_starts(self, day):
            if start <= instant:
                name = shift.name
        return day, name


# A push of 500 records asks for the same few days' boundaries 500 times: remember them.
@lru_cache(maxsize=4096)
def _local_instant(timezone: str, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


@lru_cache(maxsize=4096)
def _shift_starts(clock: PlantClock, day: date) -> tuple[tuple[Shift, datetime], ...]:
    starts = []
    for shift in clock.shifts:
        calendar_day = day if shift.start >= clock.day_start else day + timedelta(days=1)
        starts.append((shift, clock.local_instant(calendar_day, shift.start)))
    return tuple(sorted(starts, key=lambda pair: pair[1]))


def _as_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetime: an instant needs its UTC offset")
    return instant.astimezone(UTC)


# Parsing and validating the settings text. Each raises ValueError with a message
# written for the person who typed the value.


def parse_timezone(value: str) -> str:
    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {value!r}: use an IANA name such as America/Chicago"
        ) from None
    if name not in available_timezones():
        raise ValueError(f"unknown timezone {value!r}: use an IANA name such as America/Chicago")
    return name


def parse_time(value: str) -> time:
    match = TIME_PATTERN.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a time of day: use HH:MM from 00:00 to 23:59")
    return time(int(match[1]), int(match[2]))


def parse_shifts(value: str) -> tuple[Shift, ...]:
    """``A=06:00,B=14:00,C=22:00`` into shifts; '' means no shifts."""
    if not value.strip():
        return ()
    shifts = []
    for part in value.split(","):
        name, sep, start = part.strip().partition("=")
        name = name.strip()
        if not sep or not SHIFT_NAME_PATTERN.match(name):
            raise ValueError(
                f"{part.strip()!r} is not a shift: write NAME=HH:MM, e.g. A=06:00,B=14:00,C=22:00"
            )
        shifts.append(Shift(name, parse_time(start)))
    names = [shift.name for shift in shifts]
    starts = [shift.start for shift in shifts]
    if len(set(names)) != len(names):
        raise ValueError("each shift needs its own name")
    if len(set(starts)) != len(starts):
        raise ValueError("each shift needs its own start time")
    return tuple(shifts)


def format_shifts(shifts: tuple[Shift, ...]) -> str:
    return ",".join(f"{shift.name}={shift.start:%H:%M}" for shift in shifts)
