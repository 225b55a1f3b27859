"""Actions reach the people who must act (DESIGN §9): whoever is given an action learns it
from their inbox, once; the worker's reminders and escalations find the actions due
without being told where they are."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import select

from floorwalk.extensions import db
from floorwalk.models import Action, Notification
from floorwalk.notifications import jobs
from floorwalk.sync.push import apply_push
from tests.factories import action_record, action_update, push_body, statuses

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


@pytest.fixture
def people(action_people):
    return action_people


def push(user, *records, now=NOW):
    results = apply_push(db.session, user, push_body(*records), now)
    db.session.commit()
    return statuses({"results": results})


def inbox(user) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Notification.kind, Notification.subject)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id)
    )
    return [tuple(row) for row in rows]


def test_the_owner_of_a_new_action_finds_it_in_the_inbox_once(people):
    walker, owner = people["walker"], people["owner"]
    body = action_record(walker, owner)
    assert push(walker, body) == ["created"]
    assert push(walker, body) == ["duplicate"]  # the phone's retry tells no one again
    assert inbox(owner) == [("action_assigned", "Action for you: Clean the oil under the press")]
    assert inbox(walker) == []  # who gave it knows


def test_a_reassigned_action_tells_the_new_owner_and_a_refused_update_tells_no_one(people):
    walker, owner, other = people["walker"], people["owner"], people["other"]
    body = action_record(walker, owner)
    push(walker, body)
    assert push(walker, action_update(walker, body, owner=other.id)) == ["created"]
    assert [kind for kind, _ in inbox(other)] == ["action_assigned"]
    # The owner may not give it away (only its creator, supervisors and managers may).
    assert push(owner, action_update(owner, body, owner=owner.id)) == ["rejected"]
    assert inbox(owner) == [("action_assigned", "Action for you: Clean the oil under the press")]


def test_the_worker_reminds_and_escalates_the_actions_due_without_being_told_them(people):
    walker, owner, lead = people["walker"], people["owner"], people["supervisor"]
    push(walker, action_record(walker, owner, due="2026-11-27"))
    done = action_record(walker, owner, due="2026-11-27", title="Already fixed")
    push(walker, done)
    push(owner, action_update(owner, done, status="done"))
    four_days_on = NOW + timedelta(days=4)  # the 28th: one day overdue
    assert jobs.action_reminders(db.session, four_days_on) == 2
    db.session.commit()
    assert [kind for kind, _ in inbox(owner)][-1] == "action_due"
    assert inbox(lead) == [
        ("escalation_action", "Action 1 day overdue: Clean the oil under the press")
    ]


def test_an_escalation_says_how_late_the_action_is_when_it_is_sent(people):
    """A worker down for days (or a plant set up with old actions) first sees an action
    five days late: supervisors and managers are told once each, with the real figure."""
    walker, owner, lead = people["walker"], people["owner"], people["supervisor"]
    push(walker, action_record(walker, owner, due="2026-11-27"))
    jobs.action_reminders(db.session, datetime(2026, 12, 2, 15, tzinfo=UTC))
    db.session.commit()
    assert inbox(lead) == [
        ("escalation_action", "Action 5 days overdue: Clean the oil under the press")
    ]
    jobs.action_reminders(db.session, datetime(2026, 12, 3, 15, tzinfo=UTC))  # once
    db.session.commit()
    assert len(inbox(lead)) == 1


def test_the_owner_is_reminded_the_day_before_and_once_overdue_not_on_the_day(people):
    walker, owner = people["walker"], people["owner"]
    push(walker, action_record(walker, owner, due="2026-11-27"))
    reminders = []
    for day in (26, 27, 28, 29):  # the day before, the day itself, then two days late
        jobs.action_reminders(db.session, datetime(2026, 11, day, 15, tzinfo=UTC))
        db.session.commit()
        reminders.append([subject for kind, subject in inbox(owner) if kind == "action_due"])
    tomorrow = "Action tomorrow: Clean the oil under the press"
    overdue = "Action overdue: Clean the oil under the press"
    assert reminders == [[tomorrow], [tomorrow], [tomorrow, overdue], [tomorrow, overdue]]
    (link,) = db.session.execute(
        select(Notification.link).where(Notification.subject == overdue)
    ).one()
    assert db.session.get(Action, UUID(link.removeprefix("/actions/"))) is not None  # its page
