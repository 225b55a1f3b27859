"""Daily summaries against figures computed by hand (DESIGN §3, Summary); the scenario
is in summary_plant.py."""

from datetime import date, datetime

import pytest

from floorwalk.extensions import db
from floorwalk.models import PlanTarget, UnscheduledStation
from floorwalk.settings import set_setting
from floorwalk.summaries.day import daily_summary
from floorwalk.summaries.followup import follow_up
from floorwalk.summaries.period import period_report
from floorwalk.summaries.scope import SummaryError
from floorwalk.summaries.trend import daily_trend, station_history
from tests.summary_plant import AFTER, D, local, set_targets


def summary_for(summary_plant, username="manager", **kwargs):
    kwargs.setdefault("now", AFTER)
    return daily_summary(db.session, D, summary_plant["users"][username], **kwargs)


def note_item(summary_plant, key, employee, name, kind, text, author, station, at):
    return {
        "id": str(summary_plant["records"][key].id),
        "employee": employee,
        "employee_name": name,
        "kind": kind,
        "text": text,
        "author": author,
        "station": station,
        "observed_at": at,
    }


def test_whole_day_summary_matches_the_hand_computed_one(summary_plant):
    summary = summary_for(summary_plant)
    assert summary == {
        "day": "2026-02-10",
        "timezone": "America/Chicago",
        "day_start": "06:00",
        "shift": None,
        "area": None,
        "complete": True,
        # WLD-01 is not scheduled, OLD-01 is inactive: neither counts.
        "coverage": {"visited": 1, "stations": 2, "missed": ["PRS-02"]},
        "stations": [
            {
                "code": "PRS-01",
                "name": "Blanking press",
                "area": "Press Shop",
                "visits": 2,
                "first_visit": "2026-02-10T07:00:00-06:00",
                "last_visit": "2026-02-11T03:00:00-06:00",
                "counts": {
                    # max per shift 230 + 180 + 90; the deleted 999 never counts
                    "units_completed": {
                        "total": 500,
                        "target": 600,
                        "attainment": 0.8333,
                        "counted": True,
                    },
                    "scrap": {"total": 5, "target": 10, "attainment": 0.5, "counted": True},
                    # last by observed time: 3 at 15:20, not the 8 synced late
                    "material_on_hand": {
                        "last": 3,
                        "min": 3,
                        "max": 10,
                        "target": None,
                        "attainment": None,
                        "min_level": 5,
                        "below": True,
                    },
                },
                "observations": {"total": 3, "open": 2},
            },
            {
                "code": "PRS-02",
                "name": "Transfer press",
                "area": "Press Shop",
                "visits": 0,
                "first_visit": None,
                "last_visit": None,
                "counts": {
                    # nothing counted: 0, and said so
                    "units_completed": {
                        "total": 0,
                        "target": 300,
                        "attainment": 0.0,
                        "counted": False,
                    }
                },
                "observations": {"total": 0, "open": 0},
            },
        ],
        "observations": {
            "total": 4,
            "open": 3,
            "by_severity": {"critical": 1, "high": 1, "medium": 1, "low": 1},
            "by_category": {"safety": 1, "machine": 2, "quality": 1},
        },
        "downtime": {"machine": 50},
        "employee_notes": {
            "total": 2,
            "by_kind": {"coaching": 1, "recognition": 1},
            "items": [
                note_item(
                    summary_plant,
                    "note1",
                    "E1",
                    "Maria Gonzalez",
                    "recognition",
                    "Caught a bad bin.",
                    "walker1",
                    "PRS-01",
                    "2026-02-10T10:30:00-06:00",
                ),
                note_item(
                    summary_plant,
                    "note2",
                    "E2",
                    "Tom Becker",
                    "coaching",
                    "Lockout steps.",
                    "walker2",
                    "WLD-01",
                    "2026-02-10T11:00:00-06:00",
                ),
            ],
        },
        "alerts": [
            {
                "kind": "open_observation",
                "severity": "high",
                "station": "PRS-01",
                "category": "safety",
                "id": str(summary_plant["records"]["safety"].id),
                "text": "Oil on the walkway.",
            },
            {
                "kind": "below_min_level",
                "station": "PRS-01",
                "metric": "material_on_hand",
                "last": 3,
                "min_level": 5,
            },
            {
                "kind": "low_attainment",
                "station": "PRS-01",
                "metric": "scrap",
                "total": 5,
                "target": 10,
                "attainment": 0.5,
            },
            {
                "kind": "low_attainment",
                "station": "PRS-02",
                "metric": "units_completed",
                "total": 0,
                "target": 300,
                "attainment": 0.0,
            },
            {"kind": "missed_station", "station": "PRS-02"},
        ],
        # (500 + 5 + 0) / (600 + 10 + 300)
        "attainment": 0.5549,
        # the day before: 450 of 600 + 10 + 300 + 400, three stations scheduled
        "previous_day": {
            "day": "2026-02-09",
            "visited": 2,
            "stations": 3,
            "observations": 1,
            "open": 1,
            "attainment": 0.3435,
        },
        "change": {"visited": -1, "observations": 3, "open": 2, "attainment": 0.2114},
    }


def test_day_end_alerts_wait_until_the_day_is_over(summary_plant):
    summary = summary_for(summary_plant, now=local(D, 16))
    assert summary["complete"] is False
    assert [a["kind"] for a in summary["alerts"]] == ["open_observation", "below_min_level"]
    assert summary["coverage"]["missed"] == ["PRS-02"]  # coverage itself is always shown


def test_a_shift_summary_narrows_to_that_shift(summary_plant):
    summary = summary_for(summary_plant, shift="A")
    prs1 = summary["stations"][0]
    assert prs1["counts"] == {
        "units_completed": {"total": 230, "target": 200, "attainment": 1.15, "counted": True},
        "scrap": {"total": 2, "target": pytest.approx(10 / 3), "attainment": 0.6, "counted": True},
        "material_on_hand": {
            "last": 8,
            "min": 8,
            "max": 10,
            "target": None,
            "attainment": None,
            "min_level": 5,
            "below": False,
        },
    }
    assert prs1["visits"] == 2  # 07:00 and 13:00
    # the safety one at 10:00 and the robot at 09:00; 16:00 is B's, 23:00 C's
    assert summary["observations"]["by_category"] == {"safety": 1, "machine": 1}
    assert summary["downtime"] == {"machine": 30}


def test_the_night_shift_keeps_its_hours_after_midnight(summary_plant):
    prs1 = summary_for(summary_plant, shift="C")["stations"][0]
    assert prs1["counts"]["units_completed"]["total"] == 90
    assert prs1["first_visit"] == "2026-02-10T23:00:00-06:00"
    assert prs1["last_visit"] == "2026-02-11T03:00:00-06:00"


def test_a_plan_overrides_one_shifts_target_and_unschedules_a_station_for_a_shift(summary_plant):
    stations, units = summary_plant["stations"], summary_plant["metrics"]["units"]
    db.session.add(
        PlanTarget(day=D, shift="A", station=stations["PRS-01"], metric=units, target=300)
    )
    db.session.add(UnscheduledStation(day=D, shift="C", station=stations["PRS-02"]))
    db.session.commit()
    day = summary_for(summary_plant)
    # A's 300 from the plan, B and C a third of the standing 600 each
    assert day["stations"][0]["counts"]["units_completed"] == {
        "total": 500,
        "target": 700,
        "attainment": 0.7143,
        "counted": True,
    }
    # PRS-02 works A and B only: two thirds of its 300
    assert day["stations"][1]["counts"]["units_completed"]["target"] == 200
    assert summary_for(summary_plant, shift="A")["stations"][0]["counts"]["units_completed"] == {
        "total": 230,
        "target": 300,
        "attainment": 0.7667,
        "counted": True,
    }
    assert summary_for(summary_plant, shift="B")["stations"][0]["counts"]["units_completed"] == {
        "total": 180,
        "target": 200,
        "attainment": 0.9,
        "counted": True,
    }
    night = summary_for(summary_plant, shift="C")
    assert [s["code"] for s in night["stations"]] == ["PRS-01"]
    assert night["coverage"] == {"visited": 1, "stations": 1, "missed": []}


def test_a_whole_day_plan_target_replaces_the_standing_one(summary_plant):
    stations, units = summary_plant["stations"], summary_plant["metrics"]["units"]
    db.session.add(
        PlanTarget(day=D, shift="", station=stations["PRS-01"], metric=units, target=450)
    )
    db.session.commit()
    assert summary_for(summary_plant)["stations"][0]["counts"]["units_completed"]["target"] == 450
    assert (
        summary_for(summary_plant, shift="B")["stations"][0]["counts"]["units_completed"]["target"]
        == 150
    )


def test_area_filter_keeps_that_areas_stations_observations_and_notes(summary_plant):
    welding = summary_plant["stations"]["WLD-01"].area
    summary = summary_for(summary_plant, area_id=welding.id)
    assert summary["area"] == "Welding"
    assert summary["stations"] == []  # its one station is not scheduled that day
    assert summary["coverage"] == {"visited": 0, "stations": 0, "missed": []}
    assert summary["observations"]["by_category"] == {"machine": 1}
    assert summary["downtime"] == {"machine": 30}
    assert summary["employee_notes"]["by_kind"] == {"coaching": 1}
    assert summary["alerts"] == []
    press = summary_for(summary_plant, area_id=summary_plant["stations"]["PRS-01"].area_id)
    assert [s["code"] for s in press["stations"]] == ["PRS-01", "PRS-02"]
    assert press["observations"]["total"] == 3


@pytest.mark.parametrize(
    ("username", "readable"),
    [
        ("walker1", ["E1"]),  # their own note only
        ("walker2", ["E2"]),
        ("other", []),
        ("sup_press", ["E1"]),  # notes about people in their area
        ("sup_weld", ["E2"]),
        ("manager", ["E1", "E2"]),
    ],
)
def test_each_role_reads_only_the_employee_notes_it_may(summary_plant, username, readable):
    notes = summary_for(summary_plant, username)["employee_notes"]
    assert notes["total"] == 2 and notes["by_kind"] == {"coaching": 1, "recognition": 1}
    assert [item["employee"] for item in notes["items"]] == readable


def test_resolving_an_observation_removes_its_alert(summary_plant):
    follow_up(
        db.session,
        summary_plant["records"]["safety"],
        summary_plant["users"]["sup_press"],
        "resolve",
        "Cleaned up and signposted.",
    )
    db.session.commit()
    summary = summary_for(summary_plant)
    assert "open_observation" not in [a["kind"] for a in summary["alerts"]]
    assert summary["observations"]["open"] == 2


def test_unknown_shift_is_refused(summary_plant):
    with pytest.raises(SummaryError, match="Unknown shift 'X'"):
        summary_for(summary_plant, shift="X")


def test_trend_gives_each_day_its_coverage_observations_and_attainment(summary_plant):
    trend = daily_trend(db.session, D, days=3)
    assert trend == [
        {
            "day": "2026-02-08",
            "visited": 0,
            "stations": 3,
            "observations": 0,
            "open": 0,
            "attainment": None,  # nothing was counted that day
        },
        {
            "day": "2026-02-09",
            "visited": 2,
            "stations": 3,
            "observations": 1,
            "open": 1,
            "attainment": 0.3435,
        },
        {
            "day": "2026-02-10",
            "visited": 1,
            "stations": 2,
            "observations": 4,
            "open": 3,
            "attainment": 0.5549,
        },
    ]


def test_a_day_with_only_a_gauge_read_has_no_attainment_anywhere(summary_plant, make_record):
    """A gauge is a level, outside the day's attainment: a day on which only a gauge was
    read has none (no tally or counter counted), in the trend, in the next day's
    summary as its previous day, and in a period report, alike."""
    gauge_day = date(2026, 2, 8)  # nothing else was recorded that day
    make_record(
        summary_plant["users"]["walker1"],
        "count",
        summary_plant["stations"]["PRS-01"],
        local(gauge_day, 9),
        {"metric": "material_on_hand", "value": 7},
    )
    db.session.commit()
    (trend_day,) = daily_trend(db.session, gauge_day, days=1)
    assert (trend_day["visited"], trend_day["attainment"]) == (1, None)
    next_day = daily_summary(db.session, date(2026, 2, 9), summary_plant["users"]["manager"])
    assert next_day["previous_day"]["visited"] == 1
    assert next_day["previous_day"]["attainment"] is None
    report = period_report(db.session, gauge_day, gauge_day)
    assert report["attainment"]["by_day"] == {"2026-02-08": None}


def test_station_history_gives_each_days_total_and_target(summary_plant):
    history = station_history(db.session, summary_plant["stations"]["PRS-01"], D, days=3)
    units = next(s for s in history["series"] if s["metric"].key == "units_completed")
    assert [(p["day"], p["value"], p["target"]) for p in units["points"]] == [
        (date(2026, 2, 8), None, 600),
        (date(2026, 2, 9), 450, 600),
        (date(2026, 2, 10), 500, 600),
    ]
    assert [r.text for r, _ in history["observations"]] == [
        "Label smudged.",
        "Die change overran.",
        "Oil on the walkway.",
    ]


# Daylight saving time: a production day runs from one 06:00 to the next, so the day
# before spring-forward is 23 hours long and the day before fall-back 25.


@pytest.fixture
def tally_station(make_station, make_metric):
    set_setting(db.session, "timezone", "America/Chicago")
    scrap = make_metric("scrap", "tally")
    station = make_station("PRS-09", "Coil slitter", "Press Shop")
    set_targets(station, scrap, target=10)
    db.session.commit()
    return station


@pytest.mark.parametrize(
    ("day", "inside", "outside"),
    [
        # 2026-03-08 02:00 CST jumps to 03:00 CDT; Mar 7 ends at 06:00 CDT = 11:00 UTC
        (
            date(2026, 3, 7),
            ["2026-03-07T12:00:00Z", "2026-03-08T10:59:00Z"],
            ["2026-03-08T11:00:00Z", "2026-03-07T11:59:00Z"],
        ),
        # 2026-11-01 02:00 CDT falls back to 01:00 CST; Oct 31 ends at 06:00 CST = 12:00 UTC
        (
            date(2026, 10, 31),
            ["2026-10-31T11:00:00Z", "2026-11-01T07:30:00Z", "2026-11-01T11:59:00Z"],
            ["2026-11-01T12:00:00Z", "2026-10-31T10:59:00Z"],
        ),
    ],
)
def test_dst_days_count_the_records_of_their_23_or_25_hours(
    tally_station, make_user, make_record, day, inside, outside
):
    walker = make_user("walker")
    for stamp in inside + outside:
        at = datetime.fromisoformat(stamp)
        make_record(walker, "count", tally_station, at, {"metric": "scrap", "value": 1})
    summary = daily_summary(db.session, day, walker, now=AFTER)
    assert summary["stations"][0]["counts"]["scrap"]["total"] == len(inside)
