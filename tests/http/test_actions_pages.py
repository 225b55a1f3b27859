"""The actions pages (DESIGN §9): the list, an action's page with its history and the
forms that move it (through the push's own rules), and "Create action" on the
follow-up page and on the day summary's alerts."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from floorwalk.extensions import db
from floorwalk.models import Action, ActionUpdate, Photo, Record, Station, User, utcnow
from floorwalk.settings import plant_clock
from floorwalk.sync.push import apply_push
from tests.factories import action_record, action_update, push_body, stamp, statuses
from tests.support import sign_in


def push(user, *records):
    now = utcnow()
    for body in records:
        body["observed_at"] = stamp(now - timedelta(minutes=1))
    results = apply_push(db.session, user, push_body(*records), now)
    db.session.commit()
    return results


@pytest.fixture
def made(action_people):
    """An action the walker gave the owner at PRS-04, due tomorrow."""
    people = action_people
    due = (utcnow().date() + timedelta(days=1)).isoformat()
    body = action_record(people["walker"], people["owner"], due=due)
    assert statuses({"results": push(people["walker"], body)}) == ["created"]
    return people, body


def form(client, url, token, **fields):
    return client.post(url, data={**fields, "csrf_token": token})


def counted(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize("role", ["coordinator", "supervisor", "manager", "admin"])
def test_every_role_has_actions_in_the_navigation(client, signed_in, role):
    signed_in(role)
    page = client.get("/actions")
    assert page.status_code == 200
    assert re.search(r'<a href="/actions" aria-current="page">Actions</a>', page.text)


def test_the_list_shows_what_the_viewer_may_see_overdue_first(client, made):
    people, body = made
    late = action_record(people["walker"], people["walker"], due=utcnow().date().isoformat())
    push(people["walker"], late)
    db.session.execute(
        Action.__table__.update()
        .where(Action.id == uuid.UUID(late["id"]))
        .values(due=utcnow().date() - timedelta(days=2), title="Fix the late thing")
    )
    db.session.commit()
    sign_in(client, "walker")
    page = client.get("/actions").text
    assert page.index("Fix the late thing") < page.index("Clean the oil under the press")
    assert "⚠ overdue" in page
    overdue_only = client.get("/actions?overdue=1").text
    assert "Fix the late thing" in overdue_only and "Clean the oil" not in overdue_only
    client.delete("/api/v1/session")
    sign_in(client, "weld-lead")
    assert "Clean the oil" not in client.get("/actions").text


def test_an_actions_page_shows_its_history_and_only_the_moves_the_viewer_may_make(client, made):
    people, body = made
    push(people["owner"], action_update(people["owner"], body, status="in_progress",
                                        comment="Ordered a tray"))  # fmt: skip
    sign_in(client, "owner")
    page = client.get(f"/actions/{body['id']}").text
    assert "Ordered a tray" in page and "In progress" in page and "by owner" in page
    assert ">Done</button>" in page and ">Verify</button>" not in page
    assert "Reassign" not in page  # the owner does not steer
    client.delete("/api/v1/session")
    sign_in(client, "press-lead")
    lead_page = client.get(f"/actions/{body['id']}").text
    assert "Reassign" in lead_page and ">Cancel action</button>" in lead_page


def test_someone_who_may_not_see_an_action_gets_404(client, made):
    people, body = made
    token = sign_in(client, "other")
    assert client.get(f"/actions/{body['id']}").status_code == 404
    assert form(client, f"/actions/{body['id']}", token, status="done").status_code == 404
    assert counted(ActionUpdate) == 0


def test_a_move_from_the_page_is_stored_as_a_record_the_phones_pull(client, made):
    people, body = made
    token = sign_in(client, "owner")
    answer = form(client, f"/actions/{body['id']}", token, status="done", comment="Fitted")
    assert answer.status_code == 302
    (update,) = db.session.execute(select(ActionUpdate)).scalars()
    record = db.session.get(Record, update.record_id)
    assert record.type == "action_update" and record.author_id == people["owner"].id
    assert record.data == {"action": body["id"], "status": "done", "comment": "Fitted"}
    pulled = client.get("/api/v1/sync/pull").get_json()
    assert pulled["actions"][0]["status"] == "done"
    assert pulled["actions"][0]["updates"][0]["comment"] == "Fitted"


def test_verifying_what_you_marked_done_is_refused_on_the_page_with_the_reason(client, made):
    people, body = made
    token = sign_in(client, "press-lead")
    form(client, f"/actions/{body['id']}", token, status="done")
    refused = form(client, f"/actions/{body['id']}", token, status="verified")
    assert refused.status_code == 400
    assert "You marked this action done: someone else verifies it." in refused.text
    assert db.session.get(Action, uuid.UUID(body["id"])).status == "done"


def test_reassign_and_a_new_due_date_from_the_page(client, made):
    people, body = made
    token = sign_in(client, "press-lead")
    later = (utcnow().date() + timedelta(days=9)).isoformat()
    assert (
        form(client, f"/actions/{body['id']}", token, owner=people["other"].id).status_code == 302
    )
    assert form(client, f"/actions/{body['id']}", token, due=later).status_code == 302
    too_early = form(client, f"/actions/{body['id']}", token, due="2020-01-01")
    assert too_early.status_code == 400 and "is before the action was made" in too_early.text
    db.session.expire_all()
    action = db.session.get(Action, uuid.UUID(body["id"]))
    assert action.owner_id == people["other"].id and action.due.isoformat() == later


def test_forms_without_the_csrf_token_are_refused(client, made):
    people, body = made
    sign_in(client, "owner")
    assert client.post(f"/actions/{body['id']}", data={"status": "done"}).status_code == 400
    assert client.post("/actions/new", data={"title": "x"}).status_code == 400
    assert counted(ActionUpdate) == 0 and counted(Action) == 1


@pytest.fixture
def observation(action_people, make_record):
    """A high safety observation at PRS-04, seen an hour ago by the walker."""
    station = db.session.execute(select(Station).where(Station.code == "PRS-04")).scalar_one()
    data = {"category": "safety", "severity": "high", "text": "Oil on floor"}
    return make_record(action_people["walker"], "observation", station,
                       utcnow() - timedelta(hours=1), data)  # fmt: skip


def first_owner(page: str, prefix: str) -> str:
    select_html = page[page.index(f'id="{prefix}-owner"') :]
    return re.findall(r'<option value="(\d+)"', select_html)[0]


def test_create_action_on_each_observation_of_the_follow_up_page(client, observation):
    token = sign_in(client, "press-lead")
    page = client.get("/summary/observations").text
    prefix = f"a-{observation.id}"
    assert "Create action" in page and f'id="{prefix}-title"' in page
    assert re.search(rf'id="{prefix}-title"[^>]*value="Safety: Oil on floor"', page)
    lead = db.session.execute(select(User).where(User.username == "press-lead")).scalar_one()
    assert first_owner(page, prefix) == str(lead.id)  # the station's area first
    due = (utcnow().date() + timedelta(days=2)).isoformat()
    answer = form(
        client, "/actions/new", token, title="Safety: Oil on floor", owner=lead.id, due=due,
        priority="high", station="PRS-04", observation=observation.id,
    )  # fmt: skip
    assert answer.status_code == 302
    (action,) = db.session.execute(select(Action)).scalars()
    assert answer.headers["Location"].endswith(f"/actions/{action.id}")
    assert (action.observation_id, action.station.code) == (observation.id, "PRS-04")
    assert action.created_by_id == lead.id
    assert db.session.get(Record, action.id).type == "action"


def test_create_action_on_each_alert_of_the_day_summary(client, observation):
    sign_in(client, "manager")
    # The observation's own production day: seen an hour ago, it is yesterday's in the
    # first hour after the day starts (and the test failed then, on /summary of today).
    day = plant_clock(db.session).production_day(observation.observed_at)
    page = client.get(f"/summary/{day.isoformat()}").text
    alerts = page[page.index('id="alerts-h"') : page.index('id="counts-h"')]
    assert "Create action" in alerts
    assert re.search(r'name="title"[^>]*value="Safety: Oil on floor"', alerts)
    assert f'name="observation" value="{observation.id}"' in alerts


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"due": "2020-01-01"}, "due", "is before the action was made"),
        ({"title": "x" * 201}, "title", "A title is 1 to 200 characters."),
        ({"owner": "999999"}, "owner", "No active user has the id 999999."),
        ({"station": "NOPE-1"}, "form", "No station has the code NOPE-1."),
    ],
)
def test_bad_input_on_create_action_is_shown_by_field_and_nothing_is_stored(
    client, action_people, fields, field, message
):
    token = sign_in(client, "walker")
    values = {"title": "Sweep", "owner": action_people["owner"].id, "priority": "low",
              "due": (utcnow().date() + timedelta(days=1)).isoformat(), **fields}  # fmt: skip
    answer = form(client, "/actions/new", token, **values)
    assert answer.status_code == 400 and message in answer.text
    if field != "form":
        assert re.search(rf'id="n-{field}-error">[^<]*{re.escape(message)}', answer.text)
    assert counted(Action) == 0 and counted(Record) == 0


def test_a_bad_filter_on_the_list_page_answers_400_saying_which(client, signed_in):
    signed_in()
    page = client.get("/actions?status=finished")
    assert page.status_code == 400 and "unknown status finished" in page.text


def test_an_action_made_at_a_missed_station_does_not_count_as_a_visit(client, made):
    people, body = made
    sign_in(client, "manager")
    summary = client.get("/api/v1/summary/" + utcnow().date().isoformat()).get_json()
    assert summary["coverage"]["visited"] == 0 and "PRS-04" in summary["coverage"]["missed"]
    csv = client.get(
        f"/summary/records.csv?from={utcnow().date().isoformat()}&to={utcnow().date().isoformat()}"
    ).text
    assert body["id"] not in csv  # the raw records are the walk's alone


def test_a_photo_on_an_update_is_seen_as_its_action_is(client, made, tmp_path):
    people, body = made
    photo = uuid.uuid4()
    db.session.add(Photo(id=photo, uploader_id=people["owner"].id, sha256="0" * 64,
                         width=1, height=1, size=1))  # fmt: skip
    db.session.commit()
    update = action_update(people["owner"], body, comment="Leak", photos=[str(photo)])
    assert statuses({"results": push(people["owner"], update)}) == ["created"]
    sign_in(client, "weld-lead")  # another area's supervisor: not theirs to see
    assert client.get(f"/photos/{photo}").status_code == 403
    client.delete("/api/v1/session")
    sign_in(client, "press-lead")
    assert client.get(f"/photos/{photo}").status_code != 403


def test_markup_and_line_breaks_in_a_title_or_comment_are_text_on_every_page(client, made):
    """A phone's text never becomes markup: a title and a comment holding HTML are shown
    as text on the list, the action's page and the owner's inbox."""
    people = made[0]
    title, comment = "<script>alert(1)</script>\r\nBcc: x@evil.example", "<img src=x onerror=1>"
    body = action_record(people["walker"], people["owner"], title=title,
                         due=(utcnow().date() + timedelta(days=1)).isoformat())  # fmt: skip
    push(people["walker"], body)
    push(people["owner"], action_update(people["owner"], body, comment=comment))
    sign_in(client, "owner")
    for url in ("/actions", f"/actions/{body['id']}", "/notifications"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
    assert "&lt;img src=x onerror=1&gt;" in client.get(f"/actions/{body['id']}").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"owner": "-5"}, "greater than or equal to 1"),
        ({"owner": "99999999999999999999"}, "less than or equal to 2147483647"),
        ({"owner": "abc"}, "Choose an owner."),
        ({"due": "0001-01-01"}, "before the action was made"),
        ({"due": "99999-01-01"}, "Give a date as YYYY-MM-DD."),
        ({"comment": "x\x00y"}, "NUL"),
        ({"status": "finished"}, "Must be one of"),
    ],
)
def test_odd_values_in_an_actions_form_are_refused_by_field_and_change_nothing(
    client, made, fields, message
):
    people, body = made
    token = sign_in(client, "walker")
    response = form(client, f"/actions/{body['id']}", token, **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'<p class="error"[^>]*>[^<]*' + re.escape(message), page), page
    assert counted(ActionUpdate) == 0


def test_another_kind_of_records_id_is_no_action_on_the_page(client, made, make_record):
    """An observation's id (or an unknown one) in an action's address answers 404 to a
    look and to a move alike, and stores nothing."""
    people, _ = made
    station = db.session.execute(select(Station).where(Station.code == "PRS-04")).scalar_one()
    data = {"category": "safety", "severity": "high", "text": "Oil on floor"}
    observation = make_record(people["walker"], "observation", station,
                              utcnow() - timedelta(hours=1), data)  # fmt: skip
    token = sign_in(client, "manager")
    for record_id in (observation.id, uuid.uuid4()):
        assert client.get(f"/actions/{record_id}").status_code == 404
        assert form(client, f"/actions/{record_id}", token, comment="x").status_code == 404
    assert client.get("/actions/not-a-uuid").status_code == 404
    assert counted(ActionUpdate) == 0
