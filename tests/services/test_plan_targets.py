"""One target rule (catalog/plan.py): the admin's plan page, the day and shift summaries
and pull (so the phone) show the same target for a station and shift."""

from datetime import UTC, date, datetime

import pytest

from floorwalk.catalog.csv_io import import_csv
from floorwalk.catalog.plan import day_plan, targets_for
from floorwalk.extensions import db
from floorwalk.settings import set_setting
from floorwalk.summaries.day import daily_summary
from floorwalk.sync.pull import pull

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # 12:00 in Chicago, shift A of DAY


@pytest.fixture
def split_plan(plant, make_user):
    """PRS-04 with a whole-day plan target of 600 units on DAY, over shifts A, B, C."""
    set_setting(db.session, "timezone", "America/Chicago")
    set_setting(db.session, "shifts", "A=06:00,B=14:00,C=22:00")
    plan = f"day,shift,station,metric,target,scheduled\n{DAY},,PRS-04,units_completed,600,yes\n"
    report = import_csv(db.session, "plan", plan.encode())
    assert not report.errors
    db.session.commit()
    return make_user(role="manager")


def summary_target(user, shift=None):
    (station,) = daily_summary(db.session, DAY, user, shift=shift, now=NOW)["stations"]
    return station["counts"]["units_completed"]["target"]


def plan_page_target(shift=""):
    """The target the plan page shows (shift '' for the day) and each shift's share."""
    (row,) = day_plan(db.session, DAY, shift)
    (planned,) = [p for p in row.targets if p.label == "Units completed"]
    return {(shift, planned.target), *planned.shares}


def pulled_targets(user):
    rows = pull(db.session, user, None, NOW)["plan"]["station_targets"]
    return {r["shift"]: r["target"] for r in rows if r["station"] == "PRS-04"}


def test_a_whole_day_target_splits_evenly_over_three_shifts_everywhere(split_plan, plant):
    station, metric = plant["station"], plant["metric"]
    assert targets_for(db.session, DAY, station, metric) == 600
    assert targets_for(db.session, DAY, station, metric, "B") == 200

    assert summary_target(split_plan) == 600
    assert summary_target(split_plan, "A") == 200

    assert plan_page_target("A") == {("A", 200)}
    assert plan_page_target() == {("", 600), ("A", 200), ("B", 200), ("C", 200)}

    assert pulled_targets(split_plan) == {"": 600, "A": 200, "B": 200, "C": 200}


def test_a_shift_of_the_plan_replaces_that_shifts_share_only(split_plan, plant):
    extra = f"day,shift,station,metric,target,scheduled\n{DAY},,PRS-04,units_completed,600,yes\n"
    extra += f"{DAY},A,PRS-04,units_completed,300,yes\n"
    import_csv(db.session, "plan", extra.encode())
    db.session.commit()

    assert summary_target(split_plan) == 700  # 300 + 200 + 200
    assert summary_target(split_plan, "A") == 300
    assert plan_page_target() == {("", 700), ("A", 300), ("B", 200), ("C", 200)}
    assert pulled_targets(split_plan) == {"": 700, "A": 300, "B": 200, "C": 200}
