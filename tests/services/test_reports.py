"""Period reports (DESIGN §10) against figures computed by hand; the scenario, ten days
across a month boundary and the start of daylight saving time, is in report_plant.py."""

from datetime import date

import pytest

from floorwalk.extensions import db
from floorwalk.models import Station, UnscheduledStation
from floorwalk.summaries.period import period_report
from floorwalk.summaries.scope import SummaryError
from tests.report_plant import FROM, TO, at, begin_history, build_period

NO_COUNTS = {"total": 0, "open": 0, "by_severity": {}, "by_category": {}}


@pytest.fixture
def period(make_user, make_station, make_metric, make_record):
    return build_period(make_user, make_station, make_metric, make_record)


def days(start: date, count: int, value=None, **values):
    """``count`` days from ``start`` as the report keys them, each ``value`` unless
    ``values`` names it (by its ISO day with '_' for '-')."""
    result = {}
    for n in range(count):
        day = date.fromordinal(start.toordinal() + n).isoformat()
        result[day] = values.get("d" + day.replace("-", "_"), value)
    return result


def test_a_period_adds_up_the_days_the_plan_schedules(period):
    report = period_report(db.session, FROM, TO)
    assert report["from"] == "2026-02-27" and report["to"] == "2026-03-08"
    assert report["days"] == 10
    assert report["stations"] == [
        {
            "code": "PRS-01",
            "name": "Blanking press",
            "area": "Press Shop",
            # 02-27, 02-28, 03-01, 03-07 and 03-08 (the reading at 05:00 on 03-09 is B of 03-08)
            "visited_days": 5,
            "scheduled_days": 10,
            "counts": {
                # 110 (02-27: A 70 + B 40) + 80 (03-07: A 50 + B 30 read at 05:30 CDT on
                # 03-08) + 90 (03-08); target 9 x 100 + 150 planned on 03-02
                "units_completed": {"total": 280, "target": 1050, "attainment": 0.2667},
                # 2 on 02-28 + 3 on 03-01, against 10 x 5
                "scrap": {"total": 5, "target": 50, "attainment": 0.1},
                # a gauge: its last reading of the period
                "material_on_hand": {"total": 3, "target": None, "attainment": None},
            },
        },
        {
            "code": "PRS-02",
            "name": "Transfer press",
            "area": "Press Shop",
            "visited_days": 0,
            "scheduled_days": 10,
            "counts": {"units_completed": {"total": 0, "target": 500, "attainment": 0.0}},
        },
        {
            "code": "WLD-01",
            "name": "Robot cell",
            "area": "Welding",
            # off on 02-28 and 03-01: its 40 on 02-28 and those days' targets stay out
            "visited_days": 1,
            "scheduled_days": 8,
            "counts": {"units_completed": {"total": 80, "target": 640, "attainment": 0.125}},
        },
    ]


def test_coverage_attainment_and_observations_by_day(period):
    report = period_report(db.session, FROM, TO)
    assert report["coverage"]["by_day"] == days(
        FROM,
        10,
        {"visited": 0, "stations": 3},
        d2026_02_27={"visited": 1, "stations": 3},
        d2026_02_28={"visited": 1, "stations": 2},
        d2026_03_01={"visited": 1, "stations": 2},
        d2026_03_02={"visited": 1, "stations": 3},
        d2026_03_07={"visited": 1, "stations": 3},
        d2026_03_08={"visited": 1, "stations": 3},
    )
    # amounts over targets at the scheduled stations: 02-27 110/235, 02-28 2/155 (WLD-01
    # off), 03-01 3/155, 03-02 80/285, 03-07 80/235, 03-08 90/235; no counts: no figure
    assert report["attainment"]["by_day"] == days(
        FROM,
        10,
        None,
        d2026_02_27=0.4681,
        d2026_02_28=0.0129,
        d2026_03_01=0.0194,
        d2026_03_02=0.2807,
        d2026_03_07=0.3404,
        d2026_03_08=0.383,
    )
    # (280 + 5 + 0 + 80) / (1050 + 50 + 500 + 640)
    assert report["attainment"]["period"] == 0.1629
    assert report["observations"] == {
        "total": 2,
        "open": 2,
        "by_severity": {"critical": 1, "high": 1},
        "by_category": {"machine": 1, "safety": 1},
    }
    assert report["downtime"] == {"machine": 30}
    assert report["actions"] == {"opened": 0, "closed": 0, "overdue": 0}


def test_the_previous_period_has_the_same_length_and_keys(period, make_record):
    begin_history(period, make_record, date(2026, 2, 1))
    report = period_report(db.session, FROM, TO)
    previous = report["previous"]
    assert previous.keys() == report.keys() - {"previous", "area", "shift", "records_from"}
    assert report["records_from"] == "2026-02-01"  # the plant's first walk record
    assert (previous["from"], previous["to"], previous["days"]) == ("2026-02-17", "2026-02-26", 10)
    assert [
        (s["code"], s["visited_days"], s["counts"]["units_completed"]) for s in previous["stations"]
    ] == [
        ("PRS-01", 1, {"total": 95, "target": 1000, "attainment": 0.095}),
        ("PRS-02", 0, {"total": 0, "target": 500, "attainment": 0.0}),
        ("WLD-01", 0, {"total": 0, "target": 800, "attainment": 0.0}),
    ]
    assert previous["attainment"]["period"] == 0.0404  # 95 / (1000 + 50 + 500 + 800)
    assert previous["observations"] == NO_COUNTS


def test_a_shift_takes_its_share_of_each_days_target(period):
    report = period_report(db.session, FROM, TO, shift="B")
    prs1 = report["stations"][0]["counts"]
    # B: 40 on 02-27 and 30 on 03-07 (after the clocks went forward); 9 x 50 + 150 / 2
    assert prs1["units_completed"] == {"total": 70, "target": 525, "attainment": 0.1333}
    assert prs1["scrap"] == {"total": 0, "target": 25, "attainment": 0.0}


def test_a_gauges_figure_is_its_newest_reading_the_period_keeps(period, make_record):
    """Each (station, gauge) is sought from its newest reading back: a deleted reading,
    one after the period, one of another shift and one on a day the plan leaves the
    station out are passed over; a station that reads a gauge it does not list shows it."""
    walker = period["walker"]
    stations = {s.code: s for s in db.session.execute(db.select(Station)).scalars()}
    prs1, prs2 = stations["PRS-01"], stations["PRS-02"]
    material = {"metric": "material_on_hand"}
    make_record(walker, "count", prs1, at(3, 9, 5, 30), {**material, "value": 1}, deleted=True)
    make_record(walker, "count", prs1, at(3, 10, 10), {**material, "value": 2})  # after TO
    make_record(walker, "count", prs2, at(3, 1, 9), {**material, "value": 7})

    def gauges(shift=None):
        rows = period_report(db.session, FROM, TO, shift=shift)["stations"]
        return {row["code"]: row["counts"].get("material_on_hand") for row in rows}

    # 03-09 05:00 is B of 03-08, the newest live reading up to TO
    assert gauges() == {
        "PRS-01": {"total": 3, "target": None, "attainment": None},
        "PRS-02": {"total": 7, "target": None, "attainment": None},
        "WLD-01": None,
    }
    assert gauges("A")["PRS-01"]["total"] == 4  # 08:00 on 03-08
    assert gauges("B")["PRS-02"] is None  # read on A only
    # With PRS-01 left out on 03-08, its newest reading of a scheduled day is 02-27's
    db.session.add(UnscheduledStation(day=date(2026, 3, 8), shift="", station=prs1))
    db.session.commit()
    assert gauges()["PRS-01"]["total"] == 8


def test_an_area_narrows_the_stations_and_the_observations(period):
    report = period_report(db.session, FROM, TO, period["areas"]["Welding"])
    assert report["area"] == "Welding"
    assert [s["code"] for s in report["stations"]] == ["WLD-01"]
    assert report["observations"]["by_category"] == {"machine": 1}


@pytest.mark.parametrize(
    ("start", "end", "shift", "message"),
    [
        (TO, FROM, None, "The period ends (2026-02-27) before it starts (2026-03-08)."),
        (
            date(2025, 1, 1),
            date(2026, 1, 2),
            None,
            "A report spans at most a year (366 days); this asks 367.",
        ),
        (FROM, TO, "Z", "Unknown shift 'Z': the plant's shifts are A, B."),
    ],
)
def test_a_period_that_cannot_be_made_says_why(period, start, end, shift, message):
    with pytest.raises(SummaryError) as raised:
        period_report(db.session, start, end, shift=shift)
    assert str(raised.value) == message
    assert raised.value.status == 400


def test_a_whole_year_is_one_report(period, make_record):
    begin_history(period, make_record, date(2025, 3, 9))
    report = period_report(db.session, date(2025, 3, 9), TO)
    assert report["days"] == 365
    assert report["stations"][0]["counts"]["units_completed"]["total"] == 280 + 95


def test_a_period_without_records_has_the_plans_targets_and_nothing_counted(period, make_record):
    """The previous period of a year holds no record: its targets and stations are the
    plan's, every count 0, nobody visited, no attainment for the period."""
    begin_history(period, make_record, date(2025, 3, 9))
    previous = period_report(db.session, date(2025, 3, 9), TO)["previous"]
    assert previous["days"] == 365
    units = {row["code"]: row["counts"]["units_completed"] for row in previous["stations"]}
    assert {code: figures["target"] for code, figures in units.items()} == {
        "PRS-01": 36500,  # 100 a day
        "PRS-02": 18250,
        "WLD-01": 29200,
    }
    assert {(figures["total"], figures["attainment"]) for figures in units.values()} == {(0, 0.0)}
    assert {row["visited_days"] for row in previous["stations"]} == {0}
    assert previous["attainment"]["period"] is None
    assert set(previous["attainment"]["by_day"].values()) == {None}
    assert {day["visited"] for day in previous["coverage"]["by_day"].values()} == {0}
    assert previous["observations"] == NO_COUNTS


def test_a_report_counts_no_day_before_the_plants_first_record(period):
    """The plant's records begin on 02-20 (PRS-01's 95): the previous period of
    02-27..03-08 counts from there, its targets those of 7 days, not 10; the days
    before are no missed days. A span that ends before the first record stays whole."""
    report = period_report(db.session, FROM, TO)
    assert (report["asked_from"], report["from"], report["days"]) == ("2026-02-27",) * 2 + (10,)
    previous = report["previous"]
    assert (previous["asked_from"], previous["from"], previous["to"]) == (
        "2026-02-17", "2026-02-20", "2026-02-26"
    )  # fmt: skip
    assert previous["days"] == len(previous["coverage"]["by_day"]) == 7
    assert [
        (s["code"], s["scheduled_days"], s["counts"]["units_completed"])
        for s in previous["stations"]
    ] == [
        ("PRS-01", 7, {"total": 95, "target": 700, "attainment": 0.1357}),
        ("PRS-02", 7, {"total": 0, "target": 350, "attainment": 0.0}),
        ("WLD-01", 7, {"total": 0, "target": 560, "attainment": 0.0}),
    ]
    assert previous["attainment"]["period"] == 0.0578  # 95 / (700 + 35 + 350 + 560)

    year = period_report(db.session, date(2025, 3, 9), TO)
    assert (year["asked_from"], year["from"], year["days"]) == ("2025-03-09", "2026-02-20", 17)
    assert year["stations"][0]["counts"]["units_completed"] == {
        "total": 280 + 95,
        "target": 1750,
        "attainment": 0.2143,
    }  # fmt: skip  (17 x 100 + 50 more on 03-02; 375 / 1750)
    assert (year["previous"]["from"], year["previous"]["days"]) == ("2026-02-03", 17)

    before = period_report(db.session, date(2026, 2, 1), date(2026, 2, 19))
    assert (before["from"], before["days"]) == ("2026-02-01", 19)
