"""Actions in the reports (DESIGN §10): the period report and the day summary count the
actions opened, closed and overdue, by area, against the previous period."""

from datetime import UTC, date, datetime

from floorwalk.extensions import db
from floorwalk.summaries.pages import day_page
from floorwalk.summaries.period import period_report
from floorwalk.sync.push import apply_push
from tests.factories import action_record, action_update, push_body, statuses
from tests.support import sign_in

RECEIVED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def at(day: int) -> datetime:
    return datetime(2026, 11, day, 10, 0, tzinfo=UTC)


def test_actions_opened_closed_and_overdue_by_period_day_and_area(action_people):
    people = action_people
    walker, owner, manager = people["walker"], people["owner"], people["manager"]
    late = action_record(walker, owner, due="2026-11-25", observed_at=at(24))  # never done
    checked = action_record(walker, owner, due="2026-11-24", observed_at=at(24))
    welding = action_record(walker, owner, due="2026-11-30", station="WLD-01",
                            observed_at=at(26))  # fmt: skip
    records = [
        late, checked, welding,
        action_update(owner, checked, status="done", observed_at=at(24)),
        action_update(manager, checked, status="verified", observed_at=at(25)),
        action_update(walker, welding, status="cancelled", observed_at=at(26)),
    ]  # fmt: skip
    for body in records:  # each by its author
        author = next(u for u in people.values() if u.id == body["author"])
        result = apply_push(db.session, author, push_body(body), RECEIVED)
        assert statuses({"results": result}) == ["created"]
    db.session.commit()

    report = period_report(db.session, date(2026, 11, 24), date(2026, 11, 26))
    assert report["actions"] == {"opened": 3, "closed": 2, "overdue": 1}
    assert report["previous"]["actions"] == {"opened": 0, "closed": 0, "overdue": 0}
    # Giving a station an action is no visit to it, in the report as on the day page.
    assert report["coverage"]["by_day"]["2026-11-26"]["visited"] == 0
    press = people["supervisor"].areas[0].id
    pressed = period_report(db.session, date(2026, 11, 24), date(2026, 11, 26), press)
    assert pressed["actions"] == {"opened": 2, "closed": 1, "overdue": 1}
    # On its first day nothing was overdue yet; on the 25th (below) the late one was.
    assert period_report(db.session, date(2026, 11, 24), date(2026, 11, 24))["actions"] == {
        "opened": 2, "closed": 0, "overdue": 0
    }  # fmt: skip
    day = day_page(db.session, date(2026, 11, 25), manager, None, None)
    assert day["day_actions"] == {"opened": 0, "closed": 1, "overdue": 1}


def test_the_pages_show_the_action_figures(client, action_people):
    sign_in(client, "manager")
    page = client.get("/summary").text
    assert "Actions opened" in page and "Actions overdue" in page
    report = client.get("/report?from=2026-11-24&to=2026-11-26").text
    assert "Opened" in report and "Overdue actions" in report
