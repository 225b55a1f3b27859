"""The summary scenario: a plant and a day of records whose figures are computed by hand.

America/Chicago, shifts A=06:00, B=14:00, C=22:00 (C runs past midnight and belongs
wholly to the day it starts). Day D is Tuesday 2026-02-10 (UTC-6).
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from floorwalk.extensions import db
from floorwalk.models import Employee, StationMetric, UnscheduledStation
from floorwalk.settings import set_setting
from floorwalk.summaries.followup import follow_up

CHICAGO = ZoneInfo("America/Chicago")
D = date(2026, 2, 10)
AFTER = datetime(2026, 2, 12, 12, tzinfo=UTC)  # both days are over


def local(day: date, hour: int, minute: int = 0, plus_days: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day + plus_days, hour, minute, tzinfo=CHICAGO)


def set_targets(station, metric, target=None, min_level=None, position=0):
    db.session.add(
        StationMetric(
            station=station, metric=metric, target=target, min_level=min_level, position=position
        )
    )


def build_plant(make_user, make_station, make_metric, make_record):
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
    late = datetime(2026, 2, 11, 15, tzinfo=UTC)  # synced the next day
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

    previous = date(2026, 2, 9)
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
