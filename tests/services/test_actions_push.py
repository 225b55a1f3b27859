"""Actions through push (DESIGN §9): made offline, updated by several people, each update
checked against the state the server finds, in the order it receives them."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from floorwalk.accounts import set_user_active
from floorwalk.extensions import db
from floorwalk.models import Action, ActionUpdate, Photo, Record, RecordPhoto
from floorwalk.sync.push import apply_push, import_records
from tests.factories import OBSERVED, action_record, action_update, push_body, record, statuses

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def push(user, *records, now=NOW):
    return apply_push(db.session, user, push_body(*records), now)


def state(body) -> Action:
    db.session.expire_all()
    return db.session.get(Action, uuid.UUID(body["id"]))


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def people(action_people):
    return action_people


def made(people, **data):
    """An action the walker made for the owner, stored."""
    body = action_record(people["walker"], people["owner"], **data)
    assert statuses({"results": push(people["walker"], body)}) == ["created"]
    return body


def test_an_action_made_offline_is_stored_with_its_state_when_the_phone_syncs(people):
    walker, owner = people["walker"], people["owner"]
    body = action_record(walker, owner, text="Drip tray", observation=str(uuid.uuid4()))
    # Captured at 14:03, sent an hour later when the phone found the network.
    assert push(walker, body, now=NOW + timedelta(hours=1)) == [
        {"id": body["id"], "status": "created"}
    ]
    action = state(body)
    assert (action.title, action.status, action.priority) == (
        "Clean the oil under the press",
        "open",
        "high",
    )
    assert action.owner_id == owner.id and action.created_by_id == walker.id
    assert action.station.code == "PRS-04" and action.due == date(2026, 11, 27)
    assert str(action.observation_id) == body["data"]["observation"]
    assert action.created_at == OBSERVED and action.created_day == date(2026, 11, 24)
    assert db.session.get(Record, uuid.UUID(body["id"])).type == "action"


def test_two_people_updating_one_action_offline_are_both_kept_in_receipt_order(people):
    body = made(people)
    owner, lead = people["owner"], people["supervisor"]
    started = action_update(owner, body, status="in_progress", comment="On it")
    later = action_update(lead, body, due="2026-11-30", comment="Parts come Monday")
    done = action_update(owner, body, status="done", comment="Tray fitted")
    assert statuses({"results": push(owner, started)}) == ["created"]
    assert statuses({"results": push(lead, later)}) == ["created"]
    assert statuses({"results": push(owner, done)}) == ["created"]
    action = state(body)
    assert (action.status, action.due, action.done_by_id) == ("done", date(2026, 11, 30), owner.id)
    history = [(u.position, u.author_id, u.status, u.comment) for u in action.updates]
    assert history == [
        (1, owner.id, "in_progress", "On it"),
        (2, lead.id, None, "Parts come Monday"),
        (3, owner.id, "done", "Tray fitted"),
    ]


def test_an_update_that_no_longer_fits_the_state_it_finds_is_rejected_and_waits(people):
    body = made(people)
    owner, lead = people["owner"], people["supervisor"]
    # Both offline: the owner finishes it, the supervisor cancels it; the owner syncs first.
    assert statuses({"results": push(owner, action_update(owner, body, status="done"))}) == [
        "created"
    ]
    (result,) = push(lead, action_update(lead, body, status="cancelled"))
    assert result["status"] == "rejected"
    assert result["errors"] == {
        "data.status": ["The action is done: it can only be verified, reopened now, not cancelled."]
    }
    assert state(body).status == "done" and count(ActionUpdate) == 1


def test_done_by_someone_who_is_not_the_owner_is_rejected_with_the_reason(people):
    body = made(people)
    other = people["other"]
    (result,) = push(other, action_update(other, body, status="done"))
    assert result["status"] == "rejected"
    assert result["errors"]["data.action"] == [
        f"The action {body['id']} is not yours to change: only its owner, its creator, "
        "its area's supervisors and managers work on it."
    ]
    assert state(body).status == "open"


def test_the_areas_supervisor_may_mark_done_but_not_verify_what_they_marked_done(people):
    body = made(people)
    lead, manager = people["supervisor"], people["manager"]
    assert statuses({"results": push(lead, action_update(lead, body, status="done"))}) == [
        "created"
    ]
    (result,) = push(lead, action_update(lead, body, status="verified"))
    assert result["errors"] == {
        "data.status": ["You marked this action done: someone else verifies it."]
    }
    assert state(body).status == "done"
    assert (
        statuses({"results": push(manager, action_update(manager, body, status="verified"))})[0]
        == "created"
    )
    action = state(body)
    assert action.status == "verified" and action.closed_at == OBSERVED
    assert action.closed_day == date(2026, 11, 24)


def test_the_owner_may_not_verify_cancel_or_reassign(people):
    body = made(people)
    owner, manager = people["owner"], people["manager"]
    push(owner, action_update(owner, body, status="done"))
    (verify, cancel, reassign) = push(
        owner,
        action_update(owner, body, status="verified"),
        action_update(owner, body, status="reopened"),
        action_update(owner, body, owner=manager.id),
    )
    assert verify["errors"]["data.status"] == [
        "Only the creator, the area's supervisors and managers may mark an action verified."
    ]
    assert cancel["errors"]["data.status"] == [
        "Only the creator, the area's supervisors and managers may mark an action reopened."
    ]
    assert reassign["errors"]["data.owner"] == [
        "Only the creator, the area's supervisors and managers may change its owner."
    ]


def test_open_straight_to_verified_is_rejected_with_the_reason(people):
    body = made(people)
    lead = people["supervisor"]
    (result,) = push(lead, action_update(lead, body, status="verified"))
    assert result["status"] == "rejected"
    assert result["errors"] == {
        "data.status": [
            "The action is open: it can only be in progress, done, cancelled now, not verified."
        ]
    }
    assert state(body).status == "open" and count(ActionUpdate) == 0


def test_done_twice_is_rejected(people):
    body = made(people)
    owner = people["owner"]
    first, second = push(
        owner, action_update(owner, body, status="done"), action_update(owner, body, status="done")
    )
    assert first["status"] == "created"
    assert second["errors"] == {"data.status": ["The action is done already."]}


def test_reopened_puts_it_back_to_open_and_forgets_who_marked_it_done(people):
    body = made(people)
    owner, walker = people["owner"], people["walker"]
    push(owner, action_update(owner, body, status="done"))
    assert statuses(
        {"results": push(walker, action_update(walker, body, status="reopened", comment="Still"))}
    ) == ["created"]
    action = state(body)
    assert (action.status, action.done_by_id, action.closed_at) == ("open", None, None)
    assert [u.status for u in action.updates] == ["done", "reopened"]


def test_an_action_and_its_updates_in_one_push_are_applied_in_input_order(people):
    walker, owner = people["walker"], people["owner"]
    body = action_record(walker, walker)
    results = push(
        walker,
        action_update(walker, body, status="in_progress"),  # before its action: unknown
        body,
        action_update(walker, body, status="in_progress"),
        action_update(walker, body, owner=owner.id, comment="Yours now"),
    )
    assert statuses({"results": results}) == ["rejected", "created", "created", "created"]
    assert results[0]["errors"] == {"data.action": [f"No action has the id {body['id']}."]}
    action = state(body)
    assert (action.status, action.owner_id, action.update_count) == ("in_progress", owner.id, 2)


def test_a_retried_push_stores_each_action_and_update_once(people):
    walker, owner = people["walker"], people["owner"]
    body = action_record(walker, owner)
    update = action_update(walker, body, comment="Tell the night shift")
    batch = push_body(body, update)
    assert statuses({"results": apply_push(db.session, walker, batch, NOW)}) == ["created"] * 2
    again = apply_push(db.session, walker, batch, NOW + timedelta(minutes=1))
    assert statuses({"results": again}) == ["duplicate"] * 2
    assert count(Action) == 1 and count(ActionUpdate) == 1 and state(body).update_count == 1


def test_an_update_is_never_edited_a_second_version_with_other_content_is_rejected(people):
    body = made(people)
    owner = people["owner"]
    update = action_update(owner, body, comment="First")
    push(owner, update)
    same = push(owner, {**update, "version": 2})
    edited = push(owner, {**update, "version": 2, "data": {**update["data"], "comment": "Other"}})
    assert statuses({"results": same}) == ["duplicate"]
    assert edited[0]["status"] == "rejected"
    assert edited[0]["errors"] == {
        "record": ["An update is never edited: send a new action_update instead."]
    }
    withdrawn = push(people["walker"], {**body, "version": 2, "deleted": True})
    assert withdrawn[0]["status"] == "rejected" and "deleted" in withdrawn[0]["errors"]
    assert [u.comment for u in state(body).updates] == ["First"]


def _bad_inputs(people):
    walker, owner = people["walker"], people["owner"]
    action = state(made(people))
    return {
        "unknown owner": (action_record(walker, 999_999), "data.owner",
                          "No active user has the id 999999."),
        "inactive owner": (action_record(walker, people["other"]), "data.owner",
                           f"No active user has the id {people['other'].id}."),
        "due before creation": (action_record(walker, owner, due="2026-11-23"), "data.due",
                                "The due date 2026-11-23 is before the action was made "
                                "(2026-11-24)."),
        "title of 201": (action_record(walker, owner, title="x" * 201), "data.title",
                         "A title is 1 to 200 characters."),
        "unknown status": (action_update(owner, str(action.id), status="finished"),
                           "data.status", "Unknown status finished: one of in_progress, done, "
                           "verified, cancelled, reopened."),
        "not visible": (action_update(people["elsewhere"], str(action.id), status="done"),
                        "data.action", f"The action {action.id} is not yours to change: "
                        "only its owner, its creator, its area's supervisors and managers "
                        "work on it."),
        "due before creation, by update": (
            action_update(walker, str(action.id), due="2026-11-20"), "data.due",
            "The due date 2026-11-20 is before the action was made (2026-11-24)."),
        "empty update": (action_update(walker, str(action.id)), "data",
                         "An update changes the status, owner or due date, or adds a comment."),
    }  # fmt: skip


BAD = (
    "unknown owner", "inactive owner", "due before creation", "title of 201", "unknown status",
    "not visible", "due before creation, by update", "empty update",
)  # fmt: skip


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_rejected_by_field_and_nothing_else_changes(people, case):
    set_user_active(db.session, people["manager"], people["other"], False)
    db.session.commit()
    bad, field, message = _bad_inputs(people)[case]
    author = next(user for user in people.values() if user.id == bad["author"])
    good = record(author)  # a count beside it, in the same push
    before = (count(Action), count(ActionUpdate))
    results = push(author, good, bad)
    assert results[0] == {"id": good["id"], "status": "created"}
    assert results[1]["status"] == "rejected"
    assert results[1]["errors"] == {field: [message]}
    assert (count(Action), count(ActionUpdate)) == before
    assert db.session.get(Record, uuid.UUID(bad["id"])) is None
    (action,) = db.session.execute(select(Action)).scalars()
    assert (action.status, action.due, action.update_count) == ("open", date(2026, 11, 27), 0)


def test_photos_on_an_update_are_linked_and_must_be_the_authors(people, tmp_path):
    body = made(people)
    owner, other = people["owner"], people["other"]
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    for photo_id, uploader in ((mine, owner), (theirs, other)):
        db.session.add(Photo(id=photo_id, uploader_id=uploader.id, sha256="0" * 64,
                             width=1, height=1, size=1))  # fmt: skip
    db.session.commit()
    ok, refused = push(
        owner,
        action_update(owner, body, status="done", photos=[str(mine)]),
        action_update(owner, body, comment="and this", photos=[str(theirs)]),
    )
    assert ok["status"] == "created"
    assert refused["errors"] == {"data.photos": [f"The photo {theirs} belongs to another user."]}
    links = db.session.execute(select(RecordPhoto.record_id, RecordPhoto.photo_id)).all()
    assert [(str(r), p) for r, p in links] == [(ok["id"], mine)]


def test_a_phones_export_brings_actions_with_their_authors_rules_and_all(people):
    walker, owner = people["walker"], people["owner"]
    body = action_record(walker, owner)
    export = {"device": str(uuid.uuid4()), "records": [
        body,
        action_update(owner, body, status="done"),
        action_update(owner, body, status="verified"),  # the owner does not verify
    ]}  # fmt: skip
    results = import_records(db.session, json.dumps(export).encode(), NOW)
    assert statuses({"results": results}) == ["created", "created", "rejected"]
    action = state(body)
    assert (action.status, action.created_by_id, action.done_by_id) == ("done", walker.id, owner.id)
