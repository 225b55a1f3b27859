"""Push (DESIGN §3): one answer per record, in order, each record stored exactly once."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, insert, select

from floorwalk.extensions import db
from floorwalk.models import Record, RecordVersion
from floorwalk.settings import plant_clock, set_setting
from floorwalk.sync.push import apply_push, corrected_time
from floorwalk.sync.records import record_columns
from tests.factories import OBSERVED, counts, push_body, record, stamp, statuses
from tests.support import TEST_DATABASE_URL, sign_in

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def post_push(client, token, body, **kwargs):
    return client.post("/api/v1/sync/push", json=body, headers={"X-CSRFToken": token}, **kwargs)


def stored_count(model=Record) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_new_batch_is_created_and_answered_in_input_order(client, signed_in, plant):
    user, token = signed_in()
    records = counts(user, 5)
    response = post_push(client, token, push_body(*records))
    assert response.status_code == 200
    answer = response.get_json()
    assert [r["id"] for r in answer["results"]] == [r["id"] for r in records]
    assert statuses(answer) == ["created"] * 5
    assert datetime.fromisoformat(answer["server_time"]).tzinfo is not None
    assert stored_count() == 5 and stored_count(RecordVersion) == 5


def test_the_same_batch_sent_again_is_stored_once(client, signed_in, plant):
    user, token = signed_in()
    body = push_body(*counts(user, 3))
    post_push(client, token, body)
    again = post_push(client, token, body).get_json()
    assert statuses(again) == ["duplicate"] * 3
    assert stored_count() == 3 and stored_count(RecordVersion) == 3


def test_a_record_keeps_what_the_phone_sent_and_what_the_server_adds(app, make_user, plant):
    set_setting(db.session, "timezone", "America/Chicago")
    set_setting(db.session, "shifts", "A=06:00,B=14:00,C=22:00")
    user = make_user()
    sent = record(user, offset_ms=500, data={"metric": "units_completed", "value": 40,
                                             "note": "board"})  # fmt: skip
    assert statuses({"results": apply_push(db.session, user, push_body(sent), NOW)}) == ["created"]
    stored = db.session.get(Record, uuid.UUID(sent["id"]))
    assert stored.author_id == user.id and stored.station.code == "PRS-04"
    assert stored.metric.key == "units_completed" and stored.value == 40 and stored.text == "board"
    assert stored.device_observed_at == sent["observed_at"]
    # 14:03 UTC is 08:03 in Chicago: shift A of the 24th.
    assert (stored.production_day, stored.shift) == (date(2026, 11, 24), "A")


def test_an_edit_at_a_higher_version_updates_and_keeps_history(app, make_user, plant):
    user = make_user()
    first = record(user)
    apply_push(db.session, user, push_body(first), NOW)
    later = OBSERVED + timedelta(hours=20)  # the next production day
    edit = {**first, "version": 2, "observed_at": stamp(later),
            "data": {"metric": "units_completed", "value": 55}}  # fmt: skip
    results = apply_push(db.session, user, push_body(edit), NOW + timedelta(days=1))
    assert results == [{"id": first["id"], "status": "updated"}]
    stored = db.session.get(Record, uuid.UUID(first["id"]))
    db.session.refresh(stored)
    assert (stored.version, stored.value) == (2, 55)
    assert stored.production_day == date(2026, 11, 25)
    history = db.session.execute(
        select(RecordVersion.version, RecordVersion.body).order_by(RecordVersion.version)
    ).all()
    assert [(v, body["data"]["value"]) for v, body in history] == [(1, 40), (2, 55)]


def test_stale_and_conflicting_versions_change_nothing_and_carry_the_servers(app, make_user, plant):
    user = make_user()
    first = record(user)
    apply_push(db.session, user, push_body({**first, "version": 3}), NOW)
    older = {**first, "version": 2, "data": {"metric": "units_completed", "value": 1}}
    rival = {**first, "version": 3, "data": {"metric": "units_completed", "value": 2}}
    results = apply_push(db.session, user, push_body(older, rival), NOW)
    assert [r["status"] for r in results] == ["stale", "conflict"]
    for result in results:
        assert result["server"]["version"] == 3
        assert result["server"]["record"]["data"] == first["data"]
        assert result["server"]["record"]["observed_at"] == first["observed_at"]
    assert db.session.get(Record, uuid.UUID(first["id"])).value == 40


def test_the_same_content_with_another_offset_is_a_duplicate(app, make_user, plant):
    user = make_user()
    first = record(user, offset_ms=100)
    apply_push(db.session, user, push_body(first), NOW)
    results = apply_push(db.session, user, push_body({**first, "offset_ms": 900}), NOW)
    assert results[0]["status"] == "duplicate"


def test_records_of_one_push_are_applied_in_order(app, make_user, plant):
    user = make_user()
    first = record(user)
    edit = {**first, "version": 2, "data": {"metric": "units_completed", "value": 7}}
    results = apply_push(db.session, user, push_body(first, edit, first, edit), NOW)
    assert [r["status"] for r in results] == ["created", "updated", "stale", "duplicate"]
    assert db.session.get(Record, uuid.UUID(first["id"])).value == 7
    assert stored_count(RecordVersion) == 2


def test_a_delete_withdraws_the_record_and_keeps_its_history(app, make_user, plant):
    user = make_user()
    first = record(user)
    apply_push(db.session, user, push_body(first), NOW)
    results = apply_push(db.session, user, push_body({**first, "version": 2, "deleted": True}), NOW)
    assert results[0]["status"] == "updated"
    stored = db.session.get(Record, uuid.UUID(first["id"]))
    db.session.refresh(stored)
    assert stored.deleted and stored.version == 2
    assert stored_count(RecordVersion) == 2


def test_an_edited_observation_keeps_the_status_the_server_gave_it(app, make_user, plant):
    user = make_user()
    first = record(user, "observation")
    apply_push(db.session, user, push_body(first), NOW)
    stored = db.session.get(Record, uuid.UUID(first["id"]))
    assert stored.status == "open"
    stored.status = "acknowledged"
    db.session.commit()
    edit = {**first, "version": 2, "status": "resolved"}
    results = apply_push(db.session, user, push_body(edit), NOW)
    assert results[0]["errors"] == {"status": ["Unknown field."]}
    edit.pop("status")
    edit["data"] = {**first["data"], "text": "Oil on floor, cleaned"}
    assert apply_push(db.session, user, push_body(edit), NOW)[0]["status"] == "updated"
    db.session.refresh(stored)
    assert (stored.status, stored.text) == ("acknowledged", "Oil on floor, cleaned")


def bad(user, **changes):
    body = record(user)
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


REJECTIONS = {
    "no id": (lambda u: bad(u, id=...), "id"),
    "id not a uuid": (lambda u: bad(u, id="9b3c"), "id"),
    "unknown type": (lambda u: bad(u, type="selfie"), "type"),
    "version zero": (lambda u: bad(u, version=0), "version"),
    "version as text": (lambda u: bad(u, version="1"), "version"),
    "time without offset": (lambda u: bad(u, observed_at="2026-11-24T14:03:12"), "observed_at"),
    "count without station": (lambda u: bad(u, station=None), "station"),
    "walk with a station": (lambda u: {**record(u, "walk"), "station": "PRS-04"}, "station"),
    "unknown station": (lambda u: bad(u, station="NOPE-1"), "station"),
    "unknown metric": (lambda u: bad(u, data={"metric": "smiles", "value": 1}), "data.metric"),
    "value not a number": (
        lambda u: bad(u, data={"metric": "units_completed", "value": "many"}), "data.value"),
    "unknown data field": (
        lambda u: bad(u, data={"metric": "units_completed", "value": 1, "colour": "red"}),
        "data.colour"),
    "unknown record field": (lambda u: bad(u, mood="good"), "mood"),
    "text too long": (
        lambda u: record(u, "observation", data={"category": "safety", "severity": "high",
                                                 "text": "x" * 4001}), "data.text"),
    "unknown category": (
        lambda u: record(u, "observation", data={"category": "ufo", "severity": "high",
                                                 "text": "?"}), "data.category"),
    "unknown severity": (
        lambda u: record(u, "observation", data={"category": "safety", "severity": "meh",
                                                 "text": "?"}), "data.severity"),
    "unknown employee": (
        lambda u: record(u, "employee_note", data={"employee": "E9999", "kind": "coaching",
                                                   "text": "?"}), "data.employee"),
    "unknown note kind": (
        lambda u: record(u, "employee_note", data={"employee": "E1001", "kind": "gossip",
                                                   "text": "?"}), "data.kind"),
    "unknown route": (
        lambda u: record(u, "walk", data={"route": 999, "started_at": stamp(OBSERVED)}),
        "data.route"),
    # Found by schemathesis on PostgreSQL: an id beyond INTEGER was a 500.
    "route id beyond any database integer": (
        lambda u: record(u, "walk", data={"route": 2**70, "started_at": stamp(OBSERVED)}),
        "data.route"),
    "walk ending before it starts": (
        lambda u: record(u, "walk", data={"started_at": stamp(OBSERVED),
                                          "ended_at": stamp(OBSERVED - timedelta(hours=1))}),
        "data.ended_at"),
    "another author": (lambda u: bad(u, author=u.id + 1000), "author"),
    "not an object": (lambda u: ["a", "list"], "record"),
}  # fmt: skip


@pytest.mark.parametrize("case", REJECTIONS, ids=list(REJECTIONS))
def test_each_bad_record_is_rejected_by_name_and_the_others_are_stored(
    client, signed_in, plant, case
):
    user, token = signed_in()
    make_bad, field = REJECTIONS[case]
    good_before, good_after = counts(user, 2)
    answer = post_push(client, token, push_body(good_before, make_bad(user), good_after))
    assert answer.status_code == 200
    results = answer.get_json()["results"]
    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert field in results[1]["errors"], results[1]["errors"]
    assert all(isinstance(m, str) for m in results[1]["errors"][field])
    assert stored_count() == 2


def test_an_id_that_belongs_to_another_user_is_rejected(client, app, make_user, plant):
    owner, other = make_user(), make_user()
    first = record(owner)
    apply_push(db.session, owner, push_body(first), NOW)
    db.session.commit()
    token = sign_in(client, other.username)
    hijack = {**first, "author": other.id, "version": 2}
    results = post_push(client, token, push_body(hijack)).get_json()["results"]
    assert results[0]["status"] == "rejected" and "id" in results[0]["errors"]
    assert db.session.get(Record, uuid.UUID(first["id"])).author_id == owner.id


def test_a_records_type_never_changes(app, make_user, plant):
    user = make_user()
    first = record(user)
    apply_push(db.session, user, push_body(first), NOW)
    visit = record(user, "visit", record_id=first["id"], version=2)
    result = apply_push(db.session, user, push_body(visit), NOW)[0]
    assert result["status"] == "rejected" and "type" in result["errors"]


def test_every_shipped_schema_is_accepted_and_an_unknown_one_refused(client, signed_in, plant):
    user, token = signed_in()
    assert post_push(client, token, push_body(*counts(user, 1), schema=1)).status_code == 200
    response = post_push(client, token, push_body(*counts(user, 1), schema=99))
    assert response.status_code == 400
    assert "schema" in response.get_json()["error"]["message"]
    # app, schema and device are optional for scripts and imports.
    bare = {"records": counts(user, 1)}
    assert statuses(post_push(client, token, bare).get_json()) == ["created"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not json"),
        pytest.param(b"[1, 2]", id="not an object"),
        pytest.param(json.dumps({"device": str(uuid.uuid4())}).encode(), id="no records"),
        pytest.param(json.dumps({"records": {"a": 1}}).encode(), id="records not a list"),
    ],
)
def test_a_request_that_is_not_a_push_is_a_400_and_stores_nothing(client, signed_in, body):
    _, token = signed_in()
    response = client.post(
        "/api/v1/sync/push", data=body, content_type="application/json",
        headers={"X-CSRFToken": token},
    )  # fmt: skip
    assert response.status_code == 400
    assert set(response.get_json()["error"]) == {"code", "message"}
    assert stored_count() == 0


def test_more_than_500_records_is_a_400_and_stores_nothing(client, signed_in, plant):
    user, token = signed_in()
    response = post_push(client, token, push_body(*counts(user, 501)))
    assert response.status_code == 400
    assert "records" in response.get_json()["error"]["message"]
    assert stored_count() == 0


def test_a_body_over_5_mb_is_a_413_and_stores_nothing(client, signed_in, plant):
    user, token = signed_in()
    padded = record(user, data={"metric": "units_completed", "value": 1, "note": "x" * 4000})
    body = push_body(*[dict(padded, id=str(uuid.uuid4())) for _ in range(1400)])
    assert len(json.dumps(body)) > 5 * 1024 * 1024
    response = post_push(client, token, body)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert stored_count() == 0


def test_a_push_with_an_expired_session_is_a_401_before_the_csrf_check(client, make_user, plant):
    user = make_user()
    token = sign_in(client, user.username)
    client.delete("/api/v1/session", headers={"X-CSRFToken": token})
    response = post_push(client, "stale-token", push_body(*counts(user, 1)))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert stored_count() == 0


def test_the_app_refreshes_its_csrf_token_after_a_400_csrf_and_retries(client, signed_in, plant):
    user, _ = signed_in()
    body = push_body(*counts(user, 2))
    refused = post_push(client, "an-old-token", body)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf"
    assert stored_count() == 0
    fresh = client.get("/api/v1/session").get_json()["csrf_token"]
    assert statuses(post_push(client, fresh, body).get_json()) == ["created", "created"]


def test_a_push_needs_a_json_body(client, signed_in):
    _, token = signed_in()
    response = client.post(
        "/api/v1/sync/push", data="records=1", headers={"X-CSRFToken": token},
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("offset_ms", "sent_skew", "expected_shift"),
    [
        pytest.param(None, None, timedelta(0), id="no clock information"),
        pytest.param(90_000, None, timedelta(0), id="offset within two minutes"),
        pytest.param(600_000, None, timedelta(minutes=-10), id="device ten minutes fast"),
        pytest.param(-600_000, None, timedelta(minutes=10), id="device ten minutes slow"),
        pytest.param(None, timedelta(minutes=-30), timedelta(minutes=30), id="by sent_at"),
        pytest.param(0, timedelta(minutes=-30), timedelta(0), id="offset wins over sent_at"),
    ],
)
def test_device_clocks_are_corrected_beyond_two_minutes(offset_ms, sent_skew, expected_shift):
    observed = NOW - timedelta(hours=1)
    sent_at = NOW + sent_skew if sent_skew is not None else None
    assert corrected_time(observed, offset_ms, sent_at, NOW) == observed + expected_shift


def test_a_correction_never_moves_a_record_past_its_receipt(app, make_user, plant):
    user = make_user()
    sent = record(user, observed_at=NOW - timedelta(minutes=1), offset_ms=-3_600_000)
    apply_push(db.session, user, push_body(sent), NOW)
    stored = db.session.get(Record, uuid.UUID(sent["id"]))
    assert stored.observed_at == NOW
    assert stored.device_observed_at == sent["observed_at"]


def test_a_photo_uploaded_by_another_user_cannot_be_named(app, make_user, plant):
    from floorwalk.models import Photo

    owner, other = make_user(), make_user()
    photo_id = uuid.uuid4()
    db.session.add(Photo(id=photo_id, uploader_id=owner.id, sha256="0" * 64, width=1,
                         height=1, size=1))  # fmt: skip
    db.session.commit()
    data = {"category": "safety", "severity": "low", "text": "see photo",
            "photos": [str(photo_id)]}  # fmt: skip
    theirs = apply_push(db.session, other, push_body(record(other, "observation", data=data)), NOW)
    assert theirs[0]["status"] == "rejected" and "data.photos" in theirs[0]["errors"]
    mine = apply_push(db.session, owner, push_body(record(owner, "observation", data=data)), NOW)
    assert mine[0]["status"] == "created"
    # Not uploaded yet: the first author to name it keeps it.
    later = uuid.uuid4()
    data["photos"] = [str(later)]
    assert apply_push(db.session, owner, push_body(record(owner, "observation", data=data)),
                      NOW)[0]["status"] == "created"  # fmt: skip
    theirs = apply_push(db.session, other, push_body(record(other, "observation", data=data)), NOW)
    assert theirs[0]["status"] == "rejected"


@pytest.mark.parametrize("text", ["nul \x00 inside", "lone \udc50 surrogate"])
def test_text_no_database_can_store_is_rejected_by_field(app, make_user, plant, text):
    user = make_user()
    data = {"category": "safety", "severity": "low", "text": text, "photos": []}
    result = apply_push(db.session, user, push_body(record(user, "observation", data=data)), NOW)
    assert result[0]["status"] == "rejected" and "data.text" in result[0]["errors"]


def test_a_batch_mixing_every_outcome_is_answered_in_input_order(client, signed_in, plant):
    user, token = signed_in()
    kept, edited, older, rival = counts(user, 4)
    post_push(client, token, push_body(kept, edited, {**older, "version": 3}, rival))
    fresh = counts(user, 2, start=OBSERVED + timedelta(hours=1))
    batch = [
        fresh[0],
        kept,
        {**edited, "version": 2, "data": {"metric": "units_completed", "value": 99}},
        {**older, "version": 2},
        {**rival, "data": {"metric": "units_completed", "value": 1}},
        {**fresh[1], "data": {"metric": "units_completed", "value": "lots"}},
        {**fresh[1], "station": "NOPE-1"},
        "not a record",
        fresh[1],
    ]
    results = post_push(client, token, push_body(*batch)).get_json()["results"]
    assert [r["status"] for r in results] == [
        "created", "duplicate", "updated", "stale", "conflict", "rejected", "rejected",
        "rejected", "created",
    ]  # fmt: skip
    assert [r["id"] for r in results] == [*(r["id"] for r in batch[:7]), None, fresh[1]["id"]]
    assert results[5]["errors"] == {"data.value": ["Not a valid number."]}
    assert "station" in results[6]["errors"]
    assert results[3]["server"]["version"] == 3 and results[4]["server"]["version"] == 1
    assert db.session.get(Record, uuid.UUID(edited["id"])).value == 99
    assert stored_count() == 6 and stored_count(RecordVersion) == 7


def test_a_record_stored_by_another_writer_during_the_push_is_answered_against_it(
    app, make_user, plant
):
    """The race exactly-once is for: another writer stores an id after this push read
    it as new and before it inserts. The database keeps the first row, and the push
    answers against it."""
    owner, other = make_user(), make_user()
    theirs, mine = record(owner), record(other)
    stolen = {**theirs, "author": other.id}  # another user's id, unseen when read
    columns = record_columns(theirs, owner.id, plant["station"].id, OBSERVED,
                             plant_clock(db.session), {"metric": plant["metric"]}, NOW)  # fmt: skip
    connection = db.session.connection()
    raced = []

    @event.listens_for(connection, "before_execute")
    def other_writer_first(conn, clause, multiparams, params, execution_options):
        if not raced and getattr(clause, "table", None) is Record.__table__ and clause.is_insert:
            raced.append(clause)  # its own transaction had its own change number
            conn.execute(insert(Record.__table__).values(**columns, change_seq=0))

    results = apply_push(db.session, other, push_body(stolen, mine), NOW)
    assert [r["status"] for r in results] == ["rejected", "created"]
    assert "id" in results[0]["errors"]
    assert db.session.get(Record, uuid.UUID(theirs["id"])).author_id == owner.id
    assert raced and stored_count() == 2 and stored_count(RecordVersion) == 1


def statements_of_push(client, token, body) -> tuple[dict, list[str]]:
    """A push's answer and the SQL statements it ran, in order."""
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        answer = post_push(client, token, body).get_json()
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    return answer, statements


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite's write lock")
def test_a_push_holds_sqlite_write_lock_for_its_writes_alone(app, client, signed_in, plant):
    """SQLite has one writer at a time: a push reads and checks its records in a
    deferred transaction, so other pushes are not kept waiting meanwhile, and takes the
    write lock (BEGIN IMMEDIATE) only to read the stored state and write."""
    user, token = signed_in()
    answer, statements = statements_of_push(client, token, push_body(*counts(user, 3)))
    assert statuses(answer) == ["created"] * 3
    begins = [n for n, s in enumerate(statements) if s.startswith("BEGIN")]
    assert [statements[n] for n in begins] == ["BEGIN", "BEGIN IMMEDIATE"]
    reading, writing = statements[: begins[1]], statements[begins[1] :]
    assert any("FROM stations" in s for s in reading)  # the checks: what records name
    assert not any(s.startswith(("INSERT", "UPDATE", "DELETE")) for s in reading)
    assert any(s.startswith("INSERT INTO records") for s in writing)


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite's write lock")
def test_a_push_of_rejected_records_never_waits_for_the_write_lock(app, client, signed_in, plant):
    user, token = signed_in()
    answer, statements = statements_of_push(
        client, token, push_body(record(user, station="NOPE-1"), {"id": "not a record"})
    )
    assert statuses(answer) == ["rejected", "rejected"]
    assert "BEGIN IMMEDIATE" not in statements and stored_count() == 0
