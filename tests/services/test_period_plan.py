"""Period figures where the plan says more than "this station is off today": a target
for a metric with no standing target, a shift's own target, a station off for every
shift of a day and one off for one shift. The report adds most days up in the database
and corrects the days the plan names; every figure here is computed by hand.

America/Chicago, shifts A=06:00 and B=18:00; the period is Mon 2026-04-06 to Wed 04-08.
ST-1 units (counter) standing 100, scrap (tally) no standing target; ST-2 units 60.
Plan: ST-1 scrap 4 for 04-07; ST-1 units 30 for shift A of 04-08 (so the day is
30 + 50 = 80); ST-2 off for both shifts of 04-07 and for shift B of 04-08 (so 04-08 is
A's share, 30).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from floorwalk.extensions import db
from floorwalk.models import PlanTarget, UnscheduledStation
from floorwalk.settings import set_setting
from floorwalk.summaries.pages import report_page
from floorwalk.summaries.period import period_report, report_and_trends
from tests.summary_plant import set_targets

CHICAGO = ZoneInfo("America/Chicago")
D1, D2, D3 = date(2026, 4, 6), date(2026, 4, 7), date(2026, 4, 8)


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHICAGO)


@pytest.fixture
def plant(make_user, make_station, make_metric, make_record):
    set_setting(db.session, "timezone", "America/Chicago")
    set_setting(db.session, "shifts", "A=06:00,B=18:00")
    units = make_metric("units_completed", "counter")
    scrap = make_metric("scrap", "tally")
    st1 = make_station("ST-1", "Blanking press", "Press Shop")
    st2 = make_station("ST-2", "Transfer press", "Press Shop")
    set_targets(st1, units, target=100)
    set_targets(st1, scrap, position=1)
    set_targets(st2, units, target=60)
    db.session.add_all(
        [
            PlanTarget(day=D2, shift="", station=st1, metric=scrap, target=4),
            PlanTarget(day=D3, shift="A", station=st1, metric=units, target=30),
            UnscheduledStation(day=D2, shift="A", station=st2),
            UnscheduledStation(day=D2, shift="B", station=st2),
            UnscheduledStation(day=D3, shift="B", station=st2),
        ]
    )
    db.session.commit()
    walker = make_user("walker")

    def count(station, when, metric, value):
        make_record(walker, "count", station, when, {"metric": metric, "value": value})

    count(st1, at(D1, 8), "units_completed", 50)
    count(st1, at(D1, 15), "units_completed", 70)  # A of 04-06: 70
    count(st1, at(D1, 20), "units_completed", 40)  # B of 04-06: 40 -> 110
    count(st1, at(D2, 9), "units_completed", 90)  # 04-07: 90
    count(st1, at(D3, 9), "units_completed", 20)  # A of 04-08: 20
    count(st1, at(D3, 21), "units_completed", 10)  # B of 04-08: 10 -> 30
    count(st1, at(D2, 10), "scrap", 3)
    count(st1, at(D2, 11), "scrap", 1)  # 04-07: 4, against the plan's 4
    count(st1, at(D3, 10), "scrap", 2)  # 04-08: 2, no target that day
    count(st2, at(D1, 9), "units_completed", 60)
    count(st2, at(D2, 9), "units_completed", 25)  # off that day: stays out
    count(st2, at(D3, 9), "units_completed", 30)


def counts_of(report):
    return {row["code"]: row["counts"] for row in report["stations"]}


def test_the_plans_own_targets_and_shifts_off_add_up_by_hand(plant):
    report = period_report(db.session, D1, D3)
    assert counts_of(report) == {
        # 110 + 90 + 30 = 230 against 100 + 100 + 80 = 280
        "ST-1": {
            "units_completed": {"total": 230, "target": 280, "attainment": 0.8214},
            # 4 + 2 = 6 against the one day's 4
            "scrap": {"total": 6, "target": 4, "attainment": 1.5},
        },
        # 60 + 30 (04-07's 25 stays out) against 60 + 30
        "ST-2": {"units_completed": {"total": 90, "target": 90, "attainment": 1.0}},
    }
    assert [(r["visited_days"], r["scheduled_days"]) for r in report["stations"]] == [
        (3, 3),
        (2, 2),
    ]
    assert report["coverage"]["by_day"] == {
        "2026-04-06": {"visited": 2, "stations": 2},
        "2026-04-07": {"visited": 1, "stations": 1},
        "2026-04-08": {"visited": 2, "stations": 2},
    }
    assert report["attainment"] == {
        # (110 + 60) / (100 + 60); (90 + 4) / (100 + 4), scrap counted where it has a
        # target; (30 + 30) / (80 + 30), 04-08's scrap out: no target that day
        "by_day": {"2026-04-06": 1.0625, "2026-04-07": 0.9038, "2026-04-08": 0.5455},
        "period": 0.8663,  # 324 / 374
    }


def test_a_shift_takes_its_share_and_a_station_off_that_shift_leaves(plant):
    report = period_report(db.session, D1, D3, shift="B")
    assert counts_of(report) == {
        # B: 40 + 0 + 10 against 50 each day (the plan's 30 is A's)
        "ST-1": {
            "units_completed": {"total": 50, "target": 150, "attainment": 0.3333},
            "scrap": {"total": 0, "target": 2, "attainment": 0.0},  # half of 04-07's 4
        },
        # scheduled for B on 04-06 only
        "ST-2": {"units_completed": {"total": 0, "target": 30, "attainment": 0.0}},
    }
    assert report["stations"][1]["scheduled_days"] == 1


def test_each_stations_trend_and_its_words(plant):
    report, trends = report_and_trends(db.session, D1, D3)
    assert report == period_report(db.session, D1, D3)  # the JSON as the API gives it
    assert trends == {
        # 110/100; 94/104; 30/80
        "ST-1": [(D1, 1.1), (D2, 0.9038), (D3, 0.375)],
        # 60/60; off; 30/30
        "ST-2": [(D1, 1.0), (D2, None), (D3, 1.0)],
    }
    page = report_page(db.session, report, trends)
    assert page["sparklines"]["ST-1"]["label"] == (
        "ST-1 Blanking press: attainment falling, from 110% on 04-06 to 38% on 04-08; "
        "lowest 38% on 04-08, highest 110% on 04-06"
    )
    assert page["sparklines"]["ST-2"]["label"] == (
        "ST-2 Transfer press: attainment steady, from 100% on 04-06 to 100% on 04-08; "
        "lowest 100% on 04-06, highest 100% on 04-06"
    )


def test_over_a_month_a_stations_trend_goes_by_week(plant):
    _, trends = report_and_trends(db.session, D1, date(2026, 5, 15))  # 5 weeks and 5 days
    assert [day for day, _ in trends["ST-1"]] == [
        date(2026, 4, 6), date(2026, 4, 13), date(2026, 4, 20), date(2026, 4, 27),
        date(2026, 5, 4), date(2026, 5, 11),
    ]  # fmt: skip
    # first week: (110 + 94 + 30) / (100 + 104 + 80 + 4 x 100); then nothing counted
    assert trends["ST-1"][:2] == [(D1, 0.3421), (date(2026, 4, 13), 0.0)]
    # (60 + 30) / (60 + 30 + 4 x 60): 04-07 is off, 04-08 only shift A
    assert trends["ST-2"][0] == (D1, 0.2727)
