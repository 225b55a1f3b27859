"""The demo's week tells a story the reports show (issue 15): one bad day, a material
shortage building over three days at one station, a station missed on the night walk."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from floorwalk import demo
from floorwalk.extensions import db
from floorwalk.models import Record, Station, User
from floorwalk.summaries.day import daily_summary
from floorwalk.summaries.period import period_report
from tests.support import TEST_ITERATIONS

TODAY = date(2026, 2, 11)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
def manager(app):
    demo.load_demo(db.session, today=TODAY, iterations=TEST_ITERATIONS)
    db.session.commit()
    return db.session.execute(select(User).where(User.role == "manager")).scalar_one()


def test_the_demo_week_has_one_bad_day(manager):
    report = period_report(db.session, ago(7), ago(1))
    by_day = report["attainment"]["by_day"]
    bad = ago(demo.BAD_DAY).isoformat()
    assert by_day[bad] < 0.7
    assert all(value >= 0.85 for day, value in by_day.items() if day != bad), by_day


def test_a_material_shortage_builds_over_three_days_at_one_station(manager):
    lasts = []
    for days_ago in demo.SHORTAGE_DAYS:
        summary = daily_summary(db.session, ago(days_ago), manager)
        row = next(r for r in summary["stations"] if r["code"] == demo.SHORTAGE_STATION)
        lasts.append(row["counts"]["material_on_hand"]["last"])
        below = [
            alert
            for alert in summary["alerts"]
            if alert["kind"] == "below_min_level" and alert["metric"] == "material_on_hand"
        ]
        stations = [alert["station"] for alert in below]
        if days_ago == demo.SHORTAGE_DAYS[-1]:
            assert stations == [demo.SHORTAGE_STATION]  # the only level below its minimum
        else:
            assert stations == []
    assert lasts[0] > lasts[1] > lasts[2] and lasts[2] < 4  # sinking below the min level


def test_a_station_is_missed_on_the_night_shift(manager):
    night = daily_summary(db.session, ago(demo.MISSED_DAY), manager, shift=demo.MISSED_SHIFT)
    assert night["coverage"]["missed"] == [demo.MISSED_STATION]
    assert {"kind": "missed_station", "station": demo.MISSED_STATION} in night["alerts"]
    whole_day = daily_summary(db.session, ago(demo.MISSED_DAY), manager)
    assert demo.MISSED_STATION not in whole_day["coverage"]["missed"]  # seen on A and B


def test_observations_fit_the_area_of_their_station(manager):
    rows = db.session.execute(
        select(Record.data, Station.code).join(Station).where(Record.type == "observation")
    ).all()
    texts = {(code[:3], data["text"]) for data, code in rows}
    assert {prefix for prefix, _ in texts} == {"PRS", "WLD", "ASM"}
    assert not any(prefix != "WLD" and "weld" in text.lower() for prefix, text in texts)
    assert not any(prefix != "PRS" and "press" in text.lower() for prefix, text in texts)


def test_the_weeks_serious_findings_became_actions_in_every_state(manager):
    from floorwalk.models import Action

    actions = db.session.execute(select(Action).order_by(Action.created_at)).scalars().all()
    assert [action.status for action in actions] == ["open", "in_progress", "done", "verified"]
    assert all(action.observation_id is not None for action in actions)
    assert {action.owner.role for action in actions} == {"coordinator"}
    assert actions[0].due < TODAY  # the first is overdue: the list puts it on top
    assert actions[3].done_by.role == "coordinator"  # verified by someone else
    # Each a task of its own, not the finding's words again: four actions, four titles.
    titles = [action.title for action in actions]
    assert len(set(titles)) == 4 and set(titles) <= set(demo.TASKS.values()), titles
