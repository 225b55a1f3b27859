"""Pull carries actions (DESIGN §9): those the user owns, created or may see in their
areas, open or closed in the last 7 days, each with its derived state; and whom an
action may be given to."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from floorwalk.accounts import set_user_active
from floorwalk.extensions import db
from floorwalk.sync.cursor import decode_cursor, encode_cursor
from floorwalk.sync.pull import pull
from floorwalk.sync.push import apply_push
from tests.factories import action_record, action_update, push_body

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def push(user, *records, now=NOW):
    results = apply_push(db.session, user, push_body(*records), now)
    db.session.commit()
    return results


@pytest.fixture
def people(action_people):
    return action_people


def pulled(user, cursor=None, now=NOW):
    return pull(db.session, user, cursor, now)


def ids(answer) -> list[str]:
    return [action["id"] for action in answer["actions"]]


def test_pull_carries_each_action_with_its_derived_state_to_whoever_may_see_it(people):
    walker, owner = people["walker"], people["owner"]
    body = action_record(walker, owner, text="Drip tray")
    push(walker, body)
    push(owner, action_update(owner, body, status="done", comment="Fitted"))
    (action,) = pulled(owner)["actions"]
    assert action["status"] == "done" and action["overdue"] is False
    assert action["owner"] == {"id": owner.id, "username": "owner"}
    assert action["created_by"] == {"id": walker.id, "username": "walker"}
    assert action["done_by"] == {"id": owner.id, "username": "owner"}
    assert (action["station"], action["due"]) == ("PRS-04", "2026-11-27")
    assert action["text"] == "Drip tray"
    (update,) = action["updates"]
    assert (update["status"], update["comment"], update["author"]["username"]) == (
        "done",
        "Fitted",
        "owner",
    )
    assert update["id"] and update["photos"] == []
    for name in ("walker", "owner", "supervisor", "manager"):
        assert ids(pulled(people[name])) == [body["id"]], name
    for name in ("elsewhere", "other"):
        assert ids(pulled(people[name])) == [], name


def test_a_closed_action_leaves_pull_seven_days_after_it_closed(people):
    walker, owner, manager = people["walker"], people["owner"], people["manager"]
    body = action_record(walker, owner)
    push(walker, body)
    push(owner, action_update(owner, body, status="done"))
    push(manager, action_update(manager, body, status="verified"))
    assert ids(pulled(owner, now=NOW + timedelta(days=6))) == [body["id"]]
    assert ids(pulled(owner, now=NOW + timedelta(days=8))) == []


def test_a_delta_brings_changed_actions_and_removes_one_reassigned_away(people):
    walker, owner, other = people["walker"], people["owner"], people["other"]
    body = action_record(walker, owner)
    push(walker, body)
    cursor = pulled(owner)["cursor"]
    quiet = pulled(owner, cursor)
    assert quiet["actions"] == [] and quiet["removed"] == {}
    push(owner, action_update(owner, body, status="in_progress"))
    delta = pulled(owner, quiet["cursor"])
    assert [a["status"] for a in delta["actions"]] == ["in_progress"]
    push(walker, action_update(walker, body, owner=other.id))
    gone = pulled(owner, delta["cursor"])
    assert gone["actions"] == [] and gone["removed"] == {"actions": [body["id"]]}
    assert ids(pulled(other)) == [body["id"]]


def test_pull_lists_whom_an_action_may_be_given_to(people):
    answer = pulled(people["walker"])
    users = {user["username"]: user for user in answer["users"]}
    assert set(users) == {"walker", "owner", "press-lead", "weld-lead", "manager", "other"}
    assert users["press-lead"]["role"] == "supervisor"
    assert len(users["press-lead"]["areas"]) == 1
    set_user_active(db.session, people["manager"], people["other"], False)
    db.session.commit()
    delta = pulled(people["walker"], answer["cursor"])
    assert delta["users"] == [] and delta["removed"] == {"users": [str(people["other"].id)]}


def test_an_action_whose_area_changes_leaves_and_reaches_the_supervisors_phones(people):
    """An action belongs to its station's area (without a station, its owner's): when an
    admin moves the station, or the owner, to another area, the old area's supervisor's
    next delta erases the action and the new area's supervisor's brings it."""
    from floorwalk.accounts import update_user
    from floorwalk.catalog.stations import save_station
    from floorwalk.models import Station

    walker, owner, manager = people["walker"], people["owner"], people["manager"]
    press, weld = people["supervisor"], people["elsewhere"]
    at_station = action_record(walker, owner)
    no_station = action_record(walker, owner, station=None)
    update_user(db.session, manager, owner, "coordinator", ["Press Shop"])
    push(walker, at_station, no_station)
    press_cursor, weld_cursor = pulled(press)["cursor"], pulled(weld)["cursor"]
    station = db.session.execute(select(Station).where(Station.code == "PRS-04")).scalar_one()
    values = {"code": "PRS-04", "name": station.name, "area": "Welding", "active": True}
    save_station(db.session, manager, station, values)
    db.session.commit()
    assert pulled(press, press_cursor)["removed"] == {"actions": [at_station["id"]]}
    assert ids(pulled(weld, weld_cursor)) == [at_station["id"]]
    press_cursor, weld_cursor = pulled(press)["cursor"], pulled(weld)["cursor"]
    update_user(db.session, manager, owner, "coordinator", ["Welding"])
    db.session.commit()
    delta = pulled(press, press_cursor)
    assert delta["actions"] == [] and no_station["id"] in delta["removed"]["actions"]
    assert set(ids(pulled(weld, weld_cursor))) == {at_station["id"], no_station["id"]}


def test_a_phone_synced_before_actions_came_gets_everyone_it_may_give_an_action_to(people):
    """Users reach a phone in a delta only when they change: a phone whose cursor was
    made before pull sent users (and actions) must take a full pull once, or its owner
    picker stays empty."""
    walker = people["walker"]
    cursor = pulled(walker)["cursor"]
    epoch, seq, _ = decode_cursor(cursor)
    areas = ",".join(str(a.id) for a in walker.areas)
    before = hashlib.sha256(f"{walker.id}:{walker.role}:{areas}".encode()).hexdigest()[:16]
    answer = pulled(walker, encode_cursor(epoch, seq, before))
    assert {user["username"] for user in answer["users"]} >= {"owner", "press-lead"}
    assert pulled(walker, answer["cursor"])["users"] == []  # then deltas again
