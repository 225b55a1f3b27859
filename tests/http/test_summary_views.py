"""The summary pages, CSV exports, JSON API and follow-up as users meet them."""

import csv
import io
import re

import pytest
from sqlalchemy import select

from floorwalk.extensions import db
from floorwalk.models import AuditEvent, Record
from tests.support import sign_in

DAY = "2026-02-10"


def rows_of(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # spreadsheet programs then read accents
    return list(csv.DictReader(io.StringIO(text[1:])))


def assert_no_inline_styles_or_scripts(html: str) -> None:
    assert "style=" not in html
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_pages_and_api_need_a_session(client):
    assert client.get("/summary").status_code == 302
    assert client.get(f"/summary/{DAY}").headers["Location"].startswith("/login")
    response = client.get(f"/api/v1/summary/{DAY}")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("username", ["walker1", "sup_press", "manager"])
def test_every_role_reads_the_day_with_alerts_first_and_charts(client, summary_plant, username):
    sign_in(client, summary_plant["users"][username].username)
    response = client.get(f"/summary/{DAY}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_no_inline_styles_or_scripts(html)
    # The verdict first, then the grid, then the rest (DESIGN §10)
    assert html.index("Alerts") < html.index("Counts against target") < html.index("Coverage")
    assert "Oil on the walkway." in html
    assert "PRS-02</a> was not visited" in html
    assert "<title" in html and 'role="img"' in html  # charts carry their own titles
    assert "Last 14 days" in html
    assert response.headers["Cache-Control"] == "no-store"


def test_the_summary_page_shows_note_text_only_to_those_who_may_read_it(client, summary_plant):
    sign_in(client, "other")
    html = client.get(f"/summary/{DAY}").get_data(as_text=True)
    assert "Caught a bad bin." not in html and "Lockout steps." not in html
    assert "You see counts only" in html
    client.post("/logout", data={"csrf_token": sign_in(client, "other")})
    sign_in(client, "sup_weld")
    html = client.get(f"/summary/{DAY}").get_data(as_text=True)
    assert "Lockout steps." in html and "Caught a bad bin." not in html


def test_filters_narrow_the_page_to_an_area_and_a_shift(client, summary_plant):
    sign_in(client, "boss")
    area = summary_plant["stations"]["WLD-01"].area_id
    html = client.get(f"/summary/{DAY}?area={area}&shift=A").get_data(as_text=True)
    assert "Welding · shift A" in html
    assert "PRS-01" not in html


def test_the_date_picker_goes_to_that_days_page_keeping_the_filters(client, summary_plant):
    sign_in(client, "boss")
    response = client.get("/summary?day=2026-02-09&area=&shift=B")
    assert response.status_code == 302
    assert response.headers["Location"] == "/summary/2026-02-09?shift=B"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/summary/2026-13-40", 404),
        (f"/summary/{DAY}?shift=X", 400),
        (f"/summary/{DAY}?area=999", 404),
        (f"/summary/{DAY}?area=abc", 404),  # no area of that name
        (f"/summary/{DAY}?area=" + "x" * 121, 400),
    ],
)
def test_bad_days_shifts_and_areas_get_a_clear_error(client, summary_plant, url, status):
    sign_in(client, "boss")
    assert client.get(url).status_code == status


def test_json_summary_has_the_contract_shape(client, summary_plant):
    sign_in(client, "walker1")
    response = client.get(f"/api/v1/summary/{DAY}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["coverage"] == {"visited": 1, "stations": 2, "missed": ["PRS-02"]}
    assert body["stations"][0]["counts"]["units_completed"] == {
        "total": 500,
        "target": 600,
        "attainment": 0.8333,
        "counted": True,
    }
    assert body["employee_notes"]["total"] == 2
    assert [n["employee"] for n in body["employee_notes"]["items"]] == ["E1"]
    assert {a["kind"] for a in body["alerts"]} >= {"open_observation", "below_min_level"}


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/summary/2026-02-30", 400, "invalid"),
        (f"/api/v1/summary/{DAY}?area=999", 404, "not_found"),
        (f"/api/v1/summary/{DAY}?shift=Z", 400, "invalid"),
    ],
)
def test_json_summary_errors_have_the_api_shape(client, summary_plant, url, status, code):
    sign_in(client, "boss")
    response = client.get(url)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_summary_csv_has_a_row_per_station_and_metric(client, summary_plant):
    sign_in(client, "walker1")
    response = client.get(f"/summary/{DAY}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    header = response.get_data(as_text=True)[1:].splitlines()[0]
    assert header == (
        "day,area,station,name,metric,kind,total,last,min,max,target,min_level,attainment,below"
    )
    rows = rows_of(response)
    assert [(r["station"], r["metric"]) for r in rows] == [
        ("PRS-01", "units_completed"),
        ("PRS-01", "scrap"),
        ("PRS-01", "material_on_hand"),
        ("PRS-02", "units_completed"),
    ]
    assert rows[0]["total"] == "500" and rows[0]["kind"] == "counter"
    assert rows[2]["last"] == "3" and rows[2]["below"] == "yes" and rows[2]["min_level"] == "5"


@pytest.mark.parametrize(
    ("username", "readable"),
    [("sup_weld", {"Lockout steps."}), ("boss", {"Lockout steps.", "Caught a bad bin."})],
)
def test_records_csv_shows_note_text_only_to_those_who_may_read_it(
    client, summary_plant, username, readable
):
    sign_in(client, username)
    response = client.get(f"/summary/records.csv?from={DAY}&to={DAY}")
    assert response.status_code == 200
    rows = rows_of(response)
    notes = [r for r in rows if r["type"] == "employee_note"]
    assert len(notes) == 2
    assert {r["text"] for r in notes if r["text"]} == readable
    assert not any(r["value"] == "999" for r in rows)  # the deleted record stays out
    assert {r["day"] for r in rows} == {DAY}


def test_records_csv_is_not_for_coordinators_and_needs_a_sane_range(client, summary_plant):
    sign_in(client, "walker1")
    assert client.get(f"/summary/records.csv?from={DAY}&to={DAY}").status_code == 403
    sign_in(client, "boss")
    assert client.get(f"/summary/records.csv?from={DAY}&to=2026-02-01").status_code == 400
    assert client.get("/summary/records.csv?from=2025-01-01&to=2026-02-01").status_code == 400
    assert client.get("/summary/records.csv?from=2026-02-10").status_code == 400


def follow_up_url(record, action):
    return f"/summary/observations/{record.id}/{action}"


def test_a_supervisor_acknowledges_and_resolves_in_their_area_and_phones_see_it(
    client, summary_plant
):
    safety = summary_plant["records"]["safety"]
    seq_before = safety.change_seq
    token = sign_in(client, "sup_press")
    listing = client.get("/summary/observations").get_data(as_text=True)
    assert "Oil on the walkway." in listing and "Robot faulted." not in listing  # Welding's
    response = client.post(
        follow_up_url(safety, "acknowledge"),
        data={"csrf_token": token, "comment": "Cones out.", "next": "/summary/observations"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    record = db.session.get(Record, safety.id)
    assert record.status == "acknowledged"
    assert record.change_seq > seq_before  # pull sends it to the phones
    response = client.post(
        follow_up_url(safety, "resolve"), data={"csrf_token": token, "comment": "Mopped."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Record, safety.id).status == "resolved"
    events = (
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.entity_key == str(safety.id))
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    assert [(e.action, e.before, e.after) for e in events] == [
        ("acknowledge", {"status": "open"}, {"status": "acknowledged", "comment": "Cones out."}),
        ("resolve", {"status": "acknowledged"}, {"status": "resolved", "comment": "Mopped."}),
    ]
    assert events[0].actor_id == summary_plant["users"]["sup_press"].id
    listing = client.get("/summary/observations").get_data(as_text=True)
    assert "Oil on the walkway." not in listing  # resolved ones leave the open list


def test_supervisors_act_on_their_own_areas_only_and_coordinators_not_at_all(client, summary_plant):
    robot = summary_plant["records"]["robot"]
    token = sign_in(client, "sup_press")
    response = client.post(follow_up_url(robot, "acknowledge"), data={"csrf_token": token})
    assert response.status_code == 403
    token = sign_in(client, "walker1")
    assert client.get("/summary/observations").status_code == 403
    response = client.post(follow_up_url(robot, "resolve"), data={"csrf_token": token})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Record, robot.id).status == "open"


def test_resolving_needs_a_comment_and_changes_nothing_without_one(client, summary_plant):
    token = sign_in(client, "boss")
    safety = summary_plant["records"]["safety"]
    response = client.post(
        follow_up_url(safety, "resolve"), data={"csrf_token": token, "comment": "  "}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Say how it was resolved." in page
    db.session.expire_all()
    assert db.session.get(Record, safety.id).status == "open"


def test_follow_up_without_the_csrf_token_is_refused(client, summary_plant):
    sign_in(client, "boss")
    response = client.post(follow_up_url(summary_plant["records"]["safety"], "acknowledge"))
    assert response.status_code == 400


def test_the_observation_list_filters_by_area_severity_and_age(client, summary_plant):
    sign_in(client, "boss")
    welding = summary_plant["stations"]["WLD-01"].area_id
    html = client.get(f"/summary/observations?area={welding}").get_data(as_text=True)
    assert "Robot faulted." in html and "Oil on the walkway." not in html
    html = client.get("/summary/observations?severity=high").get_data(as_text=True)
    assert "Oil on the walkway." in html and "Robot faulted." not in html
    # every scenario record is from 2026 February; "older than 7 days" keeps them all
    html = client.get("/summary/observations?age=7").get_data(as_text=True)
    assert "Label smudged." in html
    html = client.get(f"/summary/observations?day={DAY}&status=all").get_data(as_text=True)
    assert "Die change overran." in html and "Die fixed." in html  # resolved, with comment
    assert_no_inline_styles_or_scripts(html)


def test_station_history_page_charts_counts_and_lists_observations(client, summary_plant):
    sign_in(client, "walker1")
    response = client.get(f"/stations/PRS-01?until={DAY}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "PRS-01 · Blanking press" in html
    assert "Units completed per day" in html
    assert "Oil on the walkway." in html
    assert_no_inline_styles_or_scripts(html)
    assert client.get("/stations/NOPE-1").status_code == 404


def test_navigation_offers_summary_to_all_and_follow_up_to_supervisors(client, summary_plant):
    sign_in(client, "walker1")
    html = client.get("/").get_data(as_text=True)
    assert ">Summary<" in html and ">Follow-up<" not in html
    sign_in(client, "sup_press")
    html = client.get("/").get_data(as_text=True)
    assert ">Summary<" in html and ">Follow-up<" in html
