"""A fuzz test of actions through push (DESIGN §3, §9): whatever an ``action`` or
``action_update`` record holds, the push answers 200 with one result per record in input
order, the good action beside the odd ones is stored, each refused one says by field
why, and the actions list and page still answer. Runs on PostgreSQL too when
FLOORWALK_TEST_DATABASE_URL is set."""

import json
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import push_body, record
from tests.http.test_push_fuzz import ODD, recent, same_id

ACTION_FIELDS = ("title", "owner", "due", "priority", "text", "observation", "photos")
UPDATE_FIELDS = ("action", "status", "owner", "due", "comment", "photos")
ACTION_ODD = st.one_of(
    ODD,
    st.sampled_from([
        "x" * 200, "x" * 201, "Sweep\r\nBcc: x@evil.example", "<script>x</script>", "me",
        "5", -5, 2**31 - 1, 2**31, "9999-12-31", "0001-01-01", "2026-02-30", "not-a-uuid",
        "done", "verified", "reopened", "cancelled", "in_progress", "critical",
    ]),
)  # fmt: skip


def good_action(author_id: int, owner_id: int) -> dict:
    data = {"title": "Fix the guard", "owner": owner_id, "due": "2099-01-01", "priority": "high"}
    return record(author_id, "action", data=data, observed_at=recent())


@st.composite
def odd_action_records(draw, author_id: int, owner_id: int, known: list[str]) -> dict:
    """An action or an update of a known action (or of an observation), a few fields odd."""
    if draw(st.booleans()):
        body, names = good_action(author_id, owner_id), ACTION_FIELDS
    else:
        target = draw(st.sampled_from(known))
        data = {"action": target, "comment": "Checked"}
        body = record(author_id, "action_update", station=None, data=data, observed_at=recent())
        names = UPDATE_FIELDS
    changes = draw(st.dictionaries(st.sampled_from(names), ACTION_ODD, max_size=3))
    body["data"] = {**body["data"], **changes}
    if draw(st.booleans()):
        body[draw(st.sampled_from(("station", "version", "deleted", "walk")))] = draw(ACTION_ODD)
    return body


def post(client, token, *records):
    body = json.dumps(push_body(*records))  # allow_nan: Infinity and NaN as sent
    headers = {"X-CSRFToken": token}
    return client.post("/api/v1/sync/push", data=body, content_type="application/json",
                       headers=headers)  # fmt: skip


def test_whatever_action_records_hold_the_good_one_is_stored_and_each_odd_one_answered(
    client, signed_in, plant
):
    user, token = signed_in("manager")
    base = good_action(user.id, user.id)
    observation = record(user.id, "observation", observed_at=recent())
    assert [r["status"] for r in post(client, token, base, observation).get_json()["results"]] \
        == ["created", "created"]  # fmt: skip
    known = [base["id"], observation["id"], str(uuid.uuid4())]

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(odd_action_records(user.id, user.id, known), min_size=1, max_size=4))
    def push(records):
        good = good_action(user.id, user.id)
        response = post(client, token, *records, good)
        assert response.status_code == 200, response.get_data(as_text=True)
        results = response.get_json()["results"]
        assert len(results) == len(records) + 1
        assert results[-1] == {"id": good["id"], "status": "created"}
        for sent, result in zip(records, results, strict=False):
            assert result["id"] in same_id(sent.get("id"))
            assert result["status"] != "rejected" or result["errors"]
        assert client.get("/api/v1/actions").status_code == 200
        assert client.get(f"/actions/{good['id']}").status_code == 200

    push()
    assert client.get("/actions").status_code == 200
