"""A fuzz test of the push endpoint (DESIGN §3): whatever the records hold, the push
answers 200 with one result per record in input order, never a 500, and the day's
summary still answers afterwards. Runs on PostgreSQL too when
FLOORWALK_TEST_DATABASE_URL is set."""

import json
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import push_body, record, stamp

TYPES = ("visit", "count", "observation", "employee_note", "walk")
FIELDS = ("id", "type", "station", "author", "version", "observed_at", "offset_ms", "walk",
          "deleted", "data")  # fmt: skip
DATA_FIELDS = ("metric", "value", "note", "category", "severity", "text", "photos", "minutes",
               "employee", "kind", "route", "started_at", "ended_at")  # fmt: skip
ODD = st.one_of(
    st.sampled_from([
        None, True, False, 0, -1, 1_000_000_000, 1_000_000_001, 2**31, 2**63, 10**400, 1e308,
        -1e308, float("nan"), float("inf"), -float("inf"), 1441, -0.0, "", "PRS-04",
        "=SUM(A1)", "x" * 5000, "bad\x00text", "\ud800", "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
        "1999-12-31T23:59:59Z", "2026-11-24T14:03:12", str(uuid.uuid4()), [], {}, [[[]]],
        ["nope"], 10 * 365 * 24 * 3600 * 1000, -10 * 365 * 24 * 3600 * 1000, *TYPES,
    ]),
    st.text(max_size=6),
    st.integers(),
    st.floats(),
)  # fmt: skip


def recent() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


@st.composite
def odd_records(draw, author_id: int) -> dict:
    """A valid record of some type with a few of its fields (or its data's) made odd."""
    body = record(author_id, draw(st.sampled_from(TYPES)), observed_at=recent())
    for name, value in draw(st.dictionaries(st.sampled_from(FIELDS), ODD, max_size=3)).items():
        body[name] = value
    if isinstance(body.get("data"), dict):
        changes = draw(st.dictionaries(st.sampled_from(DATA_FIELDS), ODD, max_size=3))
        body["data"] = {**body["data"], **changes}
    return body


def test_whatever_a_push_holds_it_answers_each_record_in_order_and_the_day_still_answers(
    client, signed_in, plant
):
    user, token = signed_in("manager")
    day = (recent() - timedelta(hours=6)).date().isoformat()  # the plant's day starts 06:00 UTC

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(odd_records(user.id), min_size=1, max_size=5),
           st.sampled_from([None, stamp(datetime.now(UTC)), "9999-12-31T23:59:59+00:00",
                            "0001-01-01T00:00:00+00:00"]))  # fmt: skip
    def push(records, sent_at):
        body = push_body(*records)
        body["sent_at"] = sent_at
        response = client.post(
            "/api/v1/sync/push",
            data=json.dumps(body),  # allow_nan: Infinity and NaN reach the server as sent
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        results = response.get_json()["results"]
        assert len(results) == len(records)
        for sent, result in zip(records, results, strict=True):
            assert result["id"] in same_id(sent.get("id"))
            assert result["status"] != "rejected" or result["errors"]
        summary = client.get(f"/api/v1/summary/{day}")
        assert summary.status_code == 200
        json.loads(summary.get_data(as_text=True), parse_constant=refuse_constant)

    push()
    assert client.get(f"/summary/{day}").status_code == 200


def same_id(sent) -> set:
    """What the answer may call a record sent with the id ``sent``."""
    if not isinstance(sent, str):
        return {None}
    try:
        return {sent, str(uuid.UUID(sent))}
    except ValueError:
        return {sent}


def refuse_constant(constant):
    raise AssertionError(f"{constant} is not JSON")
