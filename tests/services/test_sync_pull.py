"""Pull (DESIGN §3): a full snapshot, then deltas that never skip a row."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from floorwalk.extensions import db
from floorwalk.models import Category, Employee, Station, SyncState
from floorwalk.sync.pull import pull
from floorwalk.sync.push import apply_push
from tests.factories import push_body, record
from tests.support import TEST_DATABASE_URL, sign_in


def get_pull(client, cursor=None):
    return client.get("/api/v1/sync/pull", query_string={"cursor": cursor} if cursor else {})


def test_a_pull_without_cursor_is_a_full_snapshot(client, signed_in, plant, app):
    app.config["MIN_APP"] = "1.2.0"
    user, _ = signed_in()
    response = get_pull(client)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    answer = response.get_json()
    assert answer["full"] is True
    assert answer["me"]["username"] == user.username
    assert answer["min_app"] == "1.2.0"
    assert answer["settings"]["timezone"] == "UTC"
    assert [s["code"] for s in answer["stations"]] == ["PRS-04"]
    assert [m["key"] for m in answer["metrics"]] == ["units_completed"]
    assert [e["badge"] for e in answer["employees"]] == ["E1001"]
    assert "safety" in [c["key"] for c in answer["categories"]]
    assert [a["name"] for a in answer["areas"]] == ["Press Shop"]
    assert set(answer["plan"]) == {"day", "station_targets", "targets", "unscheduled"}
    assert answer["removed"] == {} and answer["cursor"]


def test_a_delta_brings_only_what_changed_and_what_to_erase(client, signed_in, plant, app):
    signed_in()
    cursor = get_pull(client).get_json()["cursor"]
    quiet = get_pull(client, cursor).get_json()
    assert quiet["full"] is False
    assert (quiet["stations"], quiet["employees"], quiet["records"]) == ([], [], [])
    station = db.session.execute(select(Station)).scalar_one()
    station.active = False
    employee = db.session.execute(select(Employee)).scalar_one()
    employee.name = "Maria G."
    category = db.session.execute(select(Category).where(Category.key == "other")).scalar_one()
    category.active = False
    db.session.commit()
    delta = get_pull(client, quiet["cursor"]).get_json()
    assert delta["removed"] == {"stations": ["PRS-04"], "categories": ["other"]}
    assert [e["name"] for e in delta["employees"]] == ["Maria G."]
    assert delta["stations"] == [] and delta["categories"] == []


def test_own_records_of_the_last_seven_days_come_with_their_status(client, make_user, plant):
    user, other = make_user(), make_user()
    now = datetime.now(UTC)
    recent = record(user, "observation", observed_at=now - timedelta(days=1))
    old = record(user, observed_at=now - timedelta(days=8))
    theirs = record(other, observed_at=now - timedelta(hours=1))
    apply_push(db.session, user, push_body(recent, old), now)
    apply_push(db.session, other, push_body(theirs), now)
    db.session.commit()
    sign_in(client, user.username)
    answer = get_pull(client).get_json()
    assert [r["id"] for r in answer["records"]] == [recent["id"]]
    assert answer["records"][0]["status"] == "open"
    assert answer["records"][0]["data"] == recent["data"]

    withdrawn = {**recent, "version": 2, "deleted": True}
    apply_push(db.session, user, push_body(withdrawn), now)
    db.session.commit()
    delta = get_pull(client, answer["cursor"]).get_json()
    assert delta["records"] == [] and delta["removed"] == {"records": [recent["id"]]}


def test_a_cursor_from_another_epoch_has_expired(client, signed_in):
    signed_in()
    cursor = get_pull(client).get_json()["cursor"]
    db.session.execute(update(SyncState).values(epoch=uuid.uuid4()))  # a restore
    db.session.commit()
    response = get_pull(client, cursor)
    assert response.status_code == 410
    assert response.get_json()["error"]["code"] == "cursor_expired"
    assert get_pull(client, "rubbish!").status_code == 400


def test_a_role_or_area_change_makes_the_next_pull_full(client, signed_in, plant):
    from floorwalk.catalog import ensure_areas

    user, _ = signed_in()
    cursor = get_pull(client).get_json()["cursor"]
    user.areas = ensure_areas(db.session, ["Press Shop"])
    db.session.commit()
    answer = get_pull(client, cursor).get_json()
    assert answer["full"] is True and [s["code"] for s in answer["stations"]] == ["PRS-04"]


def test_a_pull_needs_a_session(client):
    response = get_pull(client)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="SQLite has one writer at a time")
def test_a_delta_never_skips_a_row_committed_late_by_a_concurrent_writer(app, make_user, plant):
    """Writer A takes change number n and commits late; writer B, started after it, waits
    for A's number before committing n+1. A pull in between must not hand out a cursor
    that skips A's row once A commits."""
    user = make_user()
    now = datetime.now(UTC)
    first, late, second = (record(user, observed_at=now - timedelta(minutes=m)) for m in (3, 2, 1))
    apply_push(db.session, user, push_body(first), now)
    db.session.commit()
    cursor = pull(db.session, user, None, now)["cursor"]
    db.session.commit()

    engine = db.engine
    session_a = Session(engine)
    apply_push(session_a, user, push_body(late), now)  # holds the counter, uncommitted
    b_done = threading.Event()

    def writer_b():
        with Session(engine) as session_b:
            apply_push(session_b, user, push_body(second), now)
            session_b.commit()
        b_done.set()

    thread = threading.Thread(target=writer_b)
    thread.start()
    assert not b_done.wait(0.3)  # B waits for A's number
    between = pull(db.session, user, cursor, now)
    db.session.commit()
    assert between["records"] == []
    session_a.commit()
    session_a.close()
    thread.join(10)
    assert b_done.is_set()
    after = pull(db.session, user, between["cursor"], now)
    db.session.commit()
    assert {r["id"] for r in after["records"]} == {late["id"], second["id"]}
