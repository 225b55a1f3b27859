"""Daily summaries against figures computed by hand (DESIGN §3, Summary).

The plant: America/Chicago, shifts A=06:00, B=14:00, C=22:00 (C runs past midnight and
belongs wholly to the day it starts). Day D is Tuesday 2026-11-24 (UTC-6).
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from floorwalk.extensions import db
from floorwalk.followup import follow_up
from floorwalk.models import Employee, PlanTarget, StationMetric, UnscheduledStation
from floorwalk.settings import set_setting
from floorwalk.summaries import SummaryError, daily_summary, daily_trend, station_history

CHICAGO = ZoneInfo("America/Chicago")
D = date(2026, 11, 24)
AFTER = datetime(2026, 11, 26, 12, tzinfo=UTC)  # both days are over


def local(day: date, hour: int, minute: int = 0, plus_days: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day + plus_days, hour, minute, tzinfo=CHICAGO)


def set_targets(station, metric, target=None, min_level=None, position=0):
    db.session.add(
        StationMetric(
            station=station, metric=metric, target=target, min_level=min_level, position=position
        )
    )


@pytest.fixture
def plant(make_user, make_station, make_metric, make_record):
    """The scenario every figure below is computed from by hand."""
    set_setting(db.session, "timezone", "America/Chicago")
    set_setting(db.session, "shifts", "A=06:00,B=14:00,C=22:00")
    units = make_metric("units_completed", "counter")
    scrap = make_metric("scrap", "tally")
    material = make_metric("material_on_hand", "gauge", unit="bins")
    prs1 = make_station("PRS-01", "Blanking press", "Press Shop")
    prs2 = make_station("PRS-02", "Transfer press", "Press Shop")
    wld1 = make_station("WLD-01", "Robot cell", "Welding")
    old = make_station("OLD-01", "Old press", "Press Shop", active=False)
    set_targets(prs1, units, target=600)
    set_targets(prs1, scrap, target=10, position=1)
    set_targets(prs1, material, min_level=5, position=2)
    set_targets(prs2, units, target=300)
    set_targets(wld1, units, target=400)
    set_targets(wld1, material, min_level=5, position=1)
    db.session.add(UnscheduledStation(day=D, shift="", station=wld1))
    e1 = Employee(badge="E1", name="Maria Gonzalez", area=prs1.area)
    e2 = Employee(badge="E2", name="Tom Becker", area=wld1.area)
    db.session.add_all((e1, e2))
    db.session.commit()

    w1 = make_user("walker1")
    w2 = make_user("walker2")
    users = {
        "walker1": w1,
        "walker2": w2,
        "other": make_user("other"),
        "sup_press": make_user("sup_press", "supervisor", areas=["Press Shop"]),
        "sup_weld": make_user("sup_weld", "supervisor", areas=["Welding"]),
        "manager": make_user("boss", "manager"),
    }
    late = datetime(2026, 11, 25, 15, tzinfo=UTC)  # synced the next day
    r = make_record
    count = {"units": "units_completed", "scrap": "scrap", "material": "material_on_hand"}

    def c(author, station, when, metric, value, **kw):
        return r(author, "count", station, when, {"metric": count[metric], "value": value}, **kw)

    r(w1, "visit", prs1, local(D, 7))
    c(w1, prs1, local(D, 7, 5), "units", 100)
    c(w1, prs1, local(D, 13), "units", 230)
    c(w2, prs1, local(D, 13, 10), "units", 230)  # the same board read by a second walker
    r(w2, "visit", prs1, local(D, 13))
    c(w1, prs1, local(D, 15), "units", 120)
    c(w2, prs1, local(D, 21), "units", 180)
    c(w1, prs1, local(D, 14, 30), "units", 999, deleted=True)
    c(w1, prs1, local(D, 23, 30), "units", 50)
    c(w2, prs1, local(D, 3, plus_days=1), "units", 90)  # shift C, after midnight
    c(w1, prs1, local(D, 7, 10), "scrap", 2)
    c(w1, prs1, local(D, 15, 10), "scrap", 3)
    c(w1, prs1, local(D, 7, 20), "material", 10)
    c(w1, prs1, local(D, 15, 20), "material", 3)
    c(w2, prs1, local(D, 12), "material", 8, received_at=late)  # late, and not the last
    c(w1, wld1, local(D, 8), "material", 1)
    c(w1, old, local(D, 9), "units", 40)
    r(w1, "visit", old, local(D, 9))

    def o(author, station, when, category, severity, text, **kw):
        data = {"category": category, "severity": severity, "text": text}
        if "minutes" in kw:
            data["minutes"] = kw.pop("minutes")
        return r(author, "observation", station, when, data, **kw)

    safety = o(w1, prs1, local(D, 10), "safety", "high", "Oil on the walkway.")
    machine = o(w2, prs1, local(D, 16), "machine", "medium", "Die change overran.", minutes=20)
    robot = o(w1, wld1, local(D, 9), "machine", "critical", "Robot faulted.", minutes=30)
    o(w1, prs1, local(D, 11), "quality", "low", "Burr.", deleted=True)
    label = o(w2, prs1, local(D, 23), "quality", "low", "Label smudged.", received_at=late)
    follow_up(db.session, machine, users["manager"], "resolve", "Die fixed.")
    note1 = r(
        w1,
        "employee_note",
        prs1,
        local(D, 10, 30),
        {"employee": "E1", "kind": "recognition", "text": "Caught a bad bin."},
    )
    note2 = r(
        w2,
        "employee_note",
        wld1,
        local(D, 11),
        {"employee": "E2", "kind": "coaching", "text": "Lockout steps."},
    )

    previous = date(2026, 11, 23)
    c(w1, prs1, local(previous, 10), "units", 450)
    o(w1, prs2, local(previous, 10), "schedule", "info", "Ahead of plan.")
    db.session.commit()
    return {
        "users": users,
        "stations": {s.code: s for s in (prs1, prs2, wld1, old)},
        "metrics": {"units": units},
        "records": {
            "safety": safety,
            "robot": robot,
            "label": label,
            "note1": note1,
            "note2": note2,
        },
    }


def summary_for(plant, username="manager", **kwargs):
    kwargs.setdefault("now", AFTER)
    return daily_summary(db.session, D, plant["users"][username], **kwargs)


def note_item(plant, key, employee, name, kind, text, author, station, at):
    return {
        "id": str(plant["records"][key].id),
        "employee": employee,
        "employee_name": name,
        "kind": kind,
        "text": text,
        "author": author,
        "station": station,
        "observed_at": at,
    }


def test_whole_day_summary_matches_the_hand_computed_one(plant):
    summary = summary_for(plant)
    assert summary == {
        "day": "2026-11-24",
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
                "first_visit": "2026-11-24T07:00:00-06:00",
                "last_visit": "2026-11-25T03:00:00-06:00",
                "counts": {
                    # max per shift 230 + 180 + 90; the deleted 999 never counts
                    "units_completed": {"total": 500, "target": 600, "attainment": 0.8333},
                    "scrap": {"total": 5, "target": 10, "attainment": 0.5},
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
                "counts": {"units_completed": {"total": 0, "target": 300, "attainment": 0.0}},
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
                    plant,
                    "note1",
                    "E1",
                    "Maria Gonzalez",
                    "recognition",
                    "Caught a bad bin.",
                    "walker1",
                    "PRS-01",
                    "2026-11-24T10:30:00-06:00",
                ),
                note_item(
                    plant,
                    "note2",
                    "E2",
                    "Tom Becker",
                    "coaching",
                    "Lockout steps.",
                    "walker2",
                    "WLD-01",
                    "2026-11-24T11:00:00-06:00",
                ),
            ],
        },
        "alerts": [
            {
                "kind": "open_observation",
                "severity": "high",
                "station": "PRS-01",
                "category": "safety",
                "id": str(plant["records"]["safety"].id),
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
            "day": "2026-11-23",
            "visited": 2,
            "stations": 3,
            "observations": 1,
            "open": 1,
            "attainment": 0.3435,
        },
        "change": {"visited": -1, "observations": 3, "open": 2, "attainment": 0.2114},
    }


def test_day_end_alerts_wait_until_the_day_is_over(plant):
    summary = summary_for(plant, now=local(D, 16))
    assert summary["complete"] is False
    assert [a["kind"] for a in summary["alerts"]] == ["open_observation", "below_min_level"]
    assert summary["coverage"]["missed"] == ["PRS-02"]  # coverage itself is always shown


def test_a_shift_summary_narrows_to_that_shift(plant):
    summary = summary_for(plant, shift="A")
    prs1 = summary["stations"][0]
    assert prs1["counts"] == {
        "units_completed": {"total": 230, "target": 200, "attainment": 1.15},
        "scrap": {"total": 2, "target": pytest.approx(10 / 3), "attainment": 0.6},
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


def test_the_night_shift_keeps_its_hours_after_midnight(plant):
    prs1 = summary_for(plant, shift="C")["stations"][0]
    assert prs1["counts"]["units_completed"]["total"] == 90
    assert prs1["first_visit"] == "2026-11-24T23:00:00-06:00"
    assert prs1["last_visit"] == "2026-11-25T03:00:00-06:00"


def test_a_plan_overrides_one_shifts_target_and_unschedules_a_station_for_a_shift(plant):
    stations, units = plant["stations"], plant["metrics"]["units"]
    db.session.add(
        PlanTarget(day=D, shift="A", station=stations["PRS-01"], metric=units, target=300)
    )
    db.session.add(UnscheduledStation(day=D, shift="C", station=stations["PRS-02"]))
    db.session.commit()
    day = summary_for(plant)
    # A's 300 from the plan, B and C a third of the standing 600 each
    assert day["stations"][0]["counts"]["units_completed"] == {
        "total": 500,
        "target": 700,
        "attainment": 0.7143,
    }
    # PRS-02 works A and B only: two thirds of its 300
    assert day["stations"][1]["counts"]["units_completed"]["target"] == 200
    assert summary_for(plant, shift="A")["stations"][0]["counts"]["units_completed"] == {
        "total": 230,
        "target": 300,
        "attainment": 0.7667,
    }
    assert summary_for(plant, shift="B")["stations"][0]["counts"]["units_completed"] == {
        "total": 180,
        "target": 200,
        "attainment": 0.9,
    }
    night = summary_for(plant, shift="C")
    assert [s["code"] for s in night["stations"]] == ["PRS-01"]
    assert night["coverage"] == {"visited": 1, "stations": 1, "missed": []}


def test_a_whole_day_plan_target_replaces_the_standing_one(plant):
    stations, units = plant["stations"], plant["metrics"]["units"]
    db.session.add(
        PlanTarget(day=D, shift="", station=stations["PRS-01"], metric=units, target=450)
    )
    db.session.commit()
    assert summary_for(plant)["stations"][0]["counts"]["units_completed"]["target"] == 450
    assert (
        summary_for(plant, shift="B")["stations"][0]["counts"]["units_completed"]["target"] == 150
    )


def test_area_filter_keeps_that_areas_stations_observations_and_notes(plant):
    welding = plant["stations"]["WLD-01"].area
    summary = summary_for(plant, area_id=welding.id)
    assert summary["area"] == "Welding"
    assert summary["stations"] == []  # its one station is not scheduled that day
    assert summary["coverage"] == {"visited": 0, "stations": 0, "missed": []}
    assert summary["observations"]["by_category"] == {"machine": 1}
    assert summary["downtime"] == {"machine": 30}
    assert summary["employee_notes"]["by_kind"] == {"coaching": 1}
    assert summary["alerts"] == []
    press = summary_for(plant, area_id=plant["stations"]["PRS-01"].area_id)
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
def test_each_role_reads_only_the_employee_notes_it_may(plant, username, readable):
    notes = summary_for(plant, username)["employee_notes"]
    assert notes["total"] == 2 and notes["by_kind"] == {"coaching": 1, "recognition": 1}
    assert [item["employee"] for item in notes["items"]] == readable


def test_resolving_an_observation_removes_its_alert(plant):
    follow_up(
        db.session,
        plant["records"]["safety"],
        plant["users"]["sup_press"],
        "resolve",
        "Cleaned up and signposted.",
    )
    db.session.commit()
    summary = summary_for(plant)
    assert "open_observation" not in [a["kind"] for a in summary["alerts"]]
    assert summary["observations"]["open"] == 2


def test_unknown_shift_is_refused(plant):
    with pytest.raises(SummaryError, match="Unknown shift 'X'"):
        summary_for(plant, shift="X")


def test_trend_gives_each_day_its_coverage_observations_and_attainment(plant):
    trend = daily_trend(db.session, D, days=3)
    assert trend == [
        {
            "day": "2026-11-22",
            "visited": 0,
            "stations": 3,
            "observations": 0,
            "open": 0,
            "attainment": 0.0,
        },
        {
            "day": "2026-11-23",
            "visited": 2,
            "stations": 3,
            "observations": 1,
            "open": 1,
            "attainment": 0.3435,
        },
        {
            "day": "2026-11-24",
            "visited": 1,
            "stations": 2,
            "observations": 4,
            "open": 3,
            "attainment": 0.5549,
        },
    ]


def test_station_history_gives_each_days_total_and_target(plant):
    history = station_history(db.session, plant["stations"]["PRS-01"], D, days=3)
    units = next(s for s in history["series"] if s["metric"].key == "units_completed")
    assert [(p["day"], p["value"], p["target"]) for p in units["points"]] == [
        (date(2026, 11, 22), None, 600),
        (date(2026, 11, 23), 450, 600),
        (date(2026, 11, 24), 500, 600),
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
