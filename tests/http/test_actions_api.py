"""``GET /api/v1/actions`` (DESIGN §9) and actions pushed through the API: who sees
which, the filters, and bad query values answered in the API's error shape."""

from datetime import timedelta

import pytest

from floorwalk.extensions import db
from floorwalk.models import utcnow
from floorwalk.sync.push import apply_push
from tests.factories import action_record, action_update, push_body, stamp, statuses
from tests.support import sign_in


@pytest.fixture
def plant_actions(make_user, make_station, plant):
    """Three actions: one at PRS-04 (Press Shop), one at WLD-01 (Welding), one without a
    station owned by a welder; and who is who."""
    make_station("WLD-01", "Welder", "Welding")
    people = {
        "walker": make_user("walker"),
        "owner": make_user("owner"),
        "welder": make_user("welder", areas=["Welding"]),
        "press-lead": make_user("press-lead", "supervisor", areas=["Press Shop"]),
        "weld-lead": make_user("weld-lead", "supervisor", areas=["Welding"]),
        "manager": make_user("manager", "manager"),
        "admin": make_user("admin", "admin"),
    }
    now = utcnow()
    today, past = now.date(), now - timedelta(days=3)
    walker = people["walker"]

    def made(owner, station, due, observed_at=now):
        body = action_record(walker, owner, station=station, due=due.isoformat())
        body["observed_at"] = stamp(observed_at)
        return body

    press = made(people["owner"], "PRS-04", today + timedelta(days=2))
    weld = made(people["welder"], "WLD-01", today + timedelta(days=5))
    late = made(people["welder"], None, (past + timedelta(days=1)).date(), observed_at=past)
    results = apply_push(db.session, walker, push_body(press, weld, late), now)
    assert statuses({"results": results}) == ["created"] * 3
    db.session.commit()
    return people, {"press": press["id"], "weld": weld["id"], "late": late["id"]}


def listed(client, **query) -> list[str]:
    response = client.get("/api/v1/actions", query_string=query)
    assert response.status_code == 200, response.get_json()
    return [action["id"] for action in response.get_json()["actions"]]


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("walker", {"press", "weld", "late"}),  # created them all
        ("owner", {"press"}),
        ("welder", {"weld", "late"}),
        ("press-lead", {"press"}),
        ("weld-lead", {"weld", "late"}),  # its station, and its owner's area without one
        ("manager", {"press", "weld", "late"}),
        ("admin", {"press", "weld", "late"}),
    ],
)
def test_each_role_sees_the_actions_of_its_permissions(client, plant_actions, who, sees):
    people, actions = plant_actions
    sign_in(client, who)
    assert set(listed(client)) == {actions[name] for name in sees}


def test_the_list_answers_designs_shape_overdue_first(client, plant_actions):
    people, actions = plant_actions
    sign_in(client, "manager")
    answer = client.get("/api/v1/actions").get_json()
    assert [a["id"] for a in answer["actions"]] == [actions["late"], actions["press"],
                                                    actions["weld"]]  # fmt: skip
    first = answer["actions"][0]
    assert set(first) == {
        "id", "title", "status", "priority", "owner", "due", "overdue", "station",
        "observation", "created_by", "created_at", "updates",
    }  # fmt: skip
    assert first["overdue"] is True and first["station"] is None
    assert first["owner"] == {"id": people["welder"].id, "username": "welder"}
    assert first["created_by"]["username"] == "walker" and first["updates"] == []


def test_the_filters_narrow_the_list(client, plant_actions):
    people, actions = plant_actions
    sign_in(client, "walker")
    assert listed(client, overdue="1") == [actions["late"]]
    assert set(listed(client, area=people["weld-lead"].areas[0].id)) == {
        actions["weld"],
        actions["late"],
    }
    assert listed(client, status="done") == []
    assert set(listed(client, status="open")) == set(actions.values())
    assert listed(client, owner=str(people["owner"].id)) == [actions["press"]]
    assert listed(client, owner="me") == []
    client.delete("/api/v1/session")
    sign_in(client, "owner")
    assert listed(client, owner="me") == [actions["press"]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "finished"}, "status"),
        ({"owner": "someone"}, "owner"),
        ({"overdue": "maybe"}, "overdue"),
        ({"area": "Welding"}, "area"),
    ],
)
def test_bad_query_values_answer_400_in_the_api_error_shape(client, signed_in, query, message):
    signed_in()
    response = client.get("/api/v1/actions", query_string=query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and message in error["message"]


def test_without_a_session_the_list_answers_401(client):
    response = client.get("/api/v1/actions")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_an_action_made_offline_and_updated_comes_back_through_the_api(client, make_user, plant):
    owner = make_user("owner")
    walker = make_user("walker")
    token = sign_in(client, "walker")
    body = action_record(walker, owner, due=(utcnow().date() + timedelta(days=1)).isoformat())
    body["observed_at"] = stamp(utcnow() - timedelta(hours=2))  # made offline, sent now
    update = action_update(walker, body, comment="Tell the night shift")
    update["observed_at"] = stamp(utcnow() - timedelta(hours=1))
    response = client.post(
        "/api/v1/sync/push", json=push_body(body, update), headers={"X-CSRFToken": token}
    )
    assert statuses(response.get_json()) == ["created", "created"]
    (action,) = client.get("/api/v1/actions").get_json()["actions"]
    assert action["id"] == body["id"] and action["status"] == "open"
    assert [u["comment"] for u in action["updates"]] == ["Tell the night shift"]
    pulled = client.get("/api/v1/sync/pull").get_json()
    assert [a["id"] for a in pulled["actions"]] == [body["id"]]
