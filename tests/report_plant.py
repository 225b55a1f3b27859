"""The period scenario: ten days that cross a month boundary and the start of daylight
saving time, with a plan that unschedules a station for two days; every figure of the
report is computed by hand in tests/services/test_reports.py.

America/Chicago, shifts A=06:00, B=18:00 (B runs past midnight and belongs wholly to
the day it starts). The period is Fri 2026-02-27 to Sun 2026-03-08: clocks go forward
at 02:00 on 2026-03-08, so B of 03-07 ends at 06:00 CDT. The previous period of equal
length is 2026-02-17 to 2026-02-26.

Standing targets: PRS-01 units 100 and scrap 5 (material: min level 5), PRS-02 units 50,
WLD-01 units 80. Plan: WLD-01 off on 02-28 and 03-01; PRS-01 units 150 on 03-02.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from floorwalk.extensions import db
from floorwalk.models import PlanTarget, Station, UnscheduledStation
from floorwalk.settings import set_setting
from tests.summary_plant import set_targets

CHICAGO = ZoneInfo("America/Chicago")
FROM, TO = date(2026, 2, 27), date(2026, 3, 8)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHICAGO)


def build_period(make_user, make_station, make_metric, make_record) -> dict:
    set_setting(db.session, "timezone", "America/Chicago")
    set_setting(db.session, "shifts", "A=06:00,B=18:00")
    units = make_metric("units_completed", "counter")
    scrap = make_metric("scrap", "tally")
    material = make_metric("material_on_hand", "gauge", unit="bins")
    prs1 = make_station("PRS-01", "Blanking press", "Press Shop")
    prs2 = make_station("PRS-02", "Transfer press", "Press Shop")
    wld1 = make_station("WLD-01", "Robot cell", "Welding")
    set_targets(prs1, units, target=100)
    set_targets(prs1, scrap, target=5, position=1)
    set_targets(prs1, material, min_level=5, position=2)
    set_targets(prs2, units, target=50)
    set_targets(wld1, units, target=80)
    for off in (date(2026, 2, 28), date(2026, 3, 1)):
        db.session.add(UnscheduledStation(day=off, shift="", station=wld1))
    db.session.add(
        PlanTarget(day=date(2026, 3, 2), shift="", station=prs1, metric=units, target=150)
    )
    db.session.commit()
    walker = make_user("walker")

    def c(station, when, metric, value):
        make_record(walker, "count", station, when, {"metric": metric, "value": value})

    # PRS-01 units (a counter: per shift the highest reading, summed over the shifts)
    c(prs1, at(2, 27, 8), "units_completed", 60)
    c(prs1, at(2, 27, 15), "units_completed", 70)  # A: 70
    c(prs1, at(2, 27, 20), "units_completed", 40)  # B: 40 -> 02-27: 110
    c(prs1, at(3, 7, 10), "units_completed", 50)  # A of 03-07
    c(prs1, at(3, 8, 5, 30), "units_completed", 30)  # 05:30 CDT: still B of 03-07 -> 80
    c(prs1, at(3, 8, 10), "units_completed", 90)  # A of 03-08 -> 90
    # PRS-01 scrap (a tally) on both sides of the month boundary
    c(prs1, at(2, 28, 9), "scrap", 2)
    c(prs1, at(3, 1, 9), "scrap", 3)
    # PRS-01 material (a gauge): the period's last reading is 3, read at 05:00 on 03-09,
    # which is B of 03-08
    c(prs1, at(2, 27, 10), "material_on_hand", 8)
    c(prs1, at(3, 8, 8), "material_on_hand", 4)
    c(prs1, at(3, 9, 5), "material_on_hand", 3)
    # WLD-01: 40 on a day the plan leaves it out (not in the report), 80 on 03-02
    c(wld1, at(2, 28, 9), "units_completed", 40)
    c(wld1, at(3, 2, 9), "units_completed", 80)
    make_record(walker, "visit", wld1, at(3, 2, 8))
    # Observations
    obs = {"photos": []}
    make_record(
        walker, "observation", prs1, at(2, 27, 11),
        {**obs, "category": "safety", "severity": "high", "text": "Oil on the walkway."},
    )  # fmt: skip
    make_record(
        walker, "observation", wld1, at(3, 1, 12),
        {**obs, "category": "machine", "severity": "critical", "text": "Robot faulted.",
         "minutes": 30},
    )  # fmt: skip
    # The previous period: PRS-01 units 95 on 02-20
    c(prs1, at(2, 20, 9), "units_completed", 95)
    return {
        "walker": walker,
        "areas": {"Press Shop": prs1.area_id, "Welding": wld1.area_id},
        "users": {
            "coordinator": make_user("coord"),
            "sup_press": make_user("sup_press", "supervisor", areas=["Press Shop"]),
            "manager": make_user("boss", "manager"),
        },
    }


def begin_history(period: dict, make_record, day: date) -> None:
    """A visit at PRS-02 at noon on ``day``: the plant's records begin then, and a report
    counts no day before (without it they begin on 02-20)."""
    station = db.session.scalar(select(Station).where(Station.code == "PRS-02"))
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=CHICAGO)
    make_record(period["walker"], "visit", station, noon)
