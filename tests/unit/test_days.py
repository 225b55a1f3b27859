"""Production day and shift of an instant (DESIGN §2), checked against hand-computed
instants on the DST days of 2026: America/Chicago springs forward on 8 March and falls
back on 1 November; Europe/Berlin on 29 March and 25 October."""

from datetime import UTC, date, datetime, time

import pytest

from floorwalk.days import PlantClock, parse_shifts, parse_time, parse_timezone

SHIFTS = parse_shifts("A=06:00,B=14:00,C=22:00")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("timezone", "day_start", "day", "hours"),
    [
        # Chicago, the day starting 06:00: the clocks change inside the previous day.
        ("America/Chicago", "06:00", date(2026, 3, 7), 23),
        ("America/Chicago", "06:00", date(2026, 3, 8), 24),
        ("America/Chicago", "06:00", date(2026, 10, 31), 25),
        ("America/Chicago", "06:00", date(2026, 11, 1), 24),
        ("America/Chicago", "00:00", date(2026, 3, 8), 23),
        ("America/Chicago", "00:00", date(2026, 11, 1), 25),
        ("Europe/Berlin", "06:00", date(2026, 3, 28), 23),
        ("Europe/Berlin", "06:00", date(2026, 10, 24), 25),
        ("Europe/Berlin", "00:00", date(2026, 3, 29), 23),
        ("Europe/Berlin", "00:00", date(2026, 10, 25), 25),
        ("Europe/Berlin", "00:00", date(2026, 6, 1), 24),
    ],
)
def test_a_production_day_lasts_23_or_25_hours_across_a_clock_change(
    timezone, day_start, day, hours
):
    clock = PlantClock(timezone, parse_time(day_start))
    start, end = clock.day_bounds(day)
    assert (end - start).total_seconds() == hours * 3600


@pytest.mark.parametrize(
    ("timezone", "day_start", "instant", "day"),
    [
        # 05:59 CDT on 8 March is still the 7th's production day; 06:00 CDT starts the 8th.
        ("America/Chicago", "06:00", "2026-03-08T10:59:59", date(2026, 3, 7)),
        ("America/Chicago", "06:00", "2026-03-08T11:00:00", date(2026, 3, 8)),
        # 1 November 01:30 happens twice (CDT, then CST); both belong to 31 October.
        ("America/Chicago", "06:00", "2026-11-01T06:30:00", date(2026, 10, 31)),
        ("America/Chicago", "06:00", "2026-11-01T07:30:00", date(2026, 10, 31)),
        # 05:00 CST is 11:00 UTC: still 31 October; 06:00 CST (12:00 UTC) starts 1 November.
        ("America/Chicago", "06:00", "2026-11-01T11:00:00", date(2026, 10, 31)),
        ("America/Chicago", "06:00", "2026-11-01T12:00:00", date(2026, 11, 1)),
        ("America/Chicago", "00:00", "2026-11-01T05:00:00", date(2026, 11, 1)),
        ("America/Chicago", "00:00", "2026-11-01T04:59:59", date(2026, 10, 31)),
        ("America/Chicago", "00:00", "2026-11-02T05:59:59", date(2026, 11, 1)),
        ("Europe/Berlin", "06:00", "2026-03-29T03:59:59", date(2026, 3, 28)),
        ("Europe/Berlin", "06:00", "2026-03-29T04:00:00", date(2026, 3, 29)),
        ("Europe/Berlin", "06:00", "2026-10-25T04:59:59", date(2026, 10, 24)),
        ("Europe/Berlin", "06:00", "2026-10-25T05:00:00", date(2026, 10, 25)),
        ("Europe/Berlin", "00:00", "2026-03-28T23:00:00", date(2026, 3, 29)),
        ("Europe/Berlin", "00:00", "2026-10-25T22:59:59", date(2026, 10, 25)),
    ],
)
def test_an_instant_belongs_to_the_day_whose_start_it_follows(timezone, day_start, instant, day):
    clock = PlantClock(timezone, parse_time(day_start))
    assert clock.production_day(utc(instant)) == day


@pytest.mark.parametrize(
    ("timezone", "instant", "day", "shift"),
    [
        ("America/Chicago", "2026-10-31T11:00:00", date(2026, 10, 31), "A"),  # 06:00 CDT
        ("America/Chicago", "2026-10-31T18:59:59", date(2026, 10, 31), "A"),  # 13:59:59 CDT
        ("America/Chicago", "2026-10-31T19:00:00", date(2026, 10, 31), "B"),  # 14:00 CDT
        ("America/Chicago", "2026-11-01T03:00:00", date(2026, 10, 31), "C"),  # 22:00 CDT
        # The night shift runs 22:00 CDT to 06:00 CST (9 hours) and stays on 31 October,
        # through both 01:30s.
        ("America/Chicago", "2026-11-01T06:30:00", date(2026, 10, 31), "C"),
        ("America/Chicago", "2026-11-01T07:30:00", date(2026, 10, 31), "C"),
        ("America/Chicago", "2026-11-01T11:59:59", date(2026, 10, 31), "C"),
        ("America/Chicago", "2026-11-01T12:00:00", date(2026, 11, 1), "A"),
        # Spring forward: 7 March's night shift lasts 7 hours, to 06:00 CDT (11:00 UTC).
        ("America/Chicago", "2026-03-08T08:30:00", date(2026, 3, 7), "C"),
        ("America/Chicago", "2026-03-08T10:59:59", date(2026, 3, 7), "C"),
        ("America/Chicago", "2026-03-08T11:00:00", date(2026, 3, 8), "A"),
        ("Europe/Berlin", "2026-03-29T01:30:00", date(2026, 3, 28), "C"),  # 03:30 CEST
        ("Europe/Berlin", "2026-10-25T00:30:00", date(2026, 10, 24), "C"),  # 02:30 CEST
        ("Europe/Berlin", "2026-10-25T01:30:00", date(2026, 10, 24), "C"),  # 02:30 CET
        ("Europe/Berlin", "2026-10-25T05:00:00", date(2026, 10, 25), "A"),  # 06:00 CET
    ],
)
def test_the_night_shift_belongs_wholly_to_the_day_it_starts(timezone, instant, day, shift):
    clock = PlantClock(timezone, time(6, 0), SHIFTS)
    assert clock.day_and_shift(utc(instant)) == (day, shift)


def test_without_shifts_the_shift_is_empty():
    clock = PlantClock("America/Chicago", time(6, 0))
    assert clock.day_and_shift(utc("2026-11-24T15:00:00")) == (date(2026, 11, 24), "")


def test_a_plant_whose_first_shift_starts_at_night_counts_the_next_morning_in_that_day():
    clock = PlantClock("Europe/Berlin", time(22, 0), parse_shifts("N=22:00,F=06:00,S=14:00"))
    assert clock.day_and_shift(utc("2026-06-01T21:00:00")) == (date(2026, 6, 1), "N")  # 23:00
    assert clock.day_and_shift(utc("2026-06-02T05:00:00")) == (date(2026, 6, 1), "F")  # 07:00
    assert clock.day_and_shift(utc("2026-06-02T19:59:59")) == (date(2026, 6, 1), "S")
    assert clock.day_and_shift(utc("2026-06-02T20:00:00")) == (date(2026, 6, 2), "N")


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="naive"):
        PlantClock().production_day(datetime(2026, 1, 1, 12, 0))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_time, "25:00", "not a time of day"),
        (parse_time, "6am", "not a time of day"),
        (parse_timezone, "Mars/Olympus", "unknown timezone"),
        (parse_timezone, "../etc/passwd", "unknown timezone"),
        (parse_shifts, "A=06:00,B", "is not a shift"),
        (parse_shifts, "A=06:00,A=14:00", "own name"),
        (parse_shifts, "A=06:00,B=06:00", "own start time"),
        (parse_shifts, "A=06:00,B=24:00", "not a time of day"),
    ],
)
def test_bad_settings_text_is_refused_with_the_rule(parse, text, message):
    with pytest.raises(ValueError, match=message):
        parse(text)
