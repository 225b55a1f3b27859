"""Shift handover (DESIGN §10): what the next lead must know, the outgoing lead's note and
"Acknowledge handover" with who and when; the figures are those of tests/summary_plant.py."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from floorwalk.extensions import db
from floorwalk.models import AuditEvent, Handover
from floorwalk.settings import plant_clock
from floorwalk.summaries.handover import last_shift
from tests.summary_plant import D, local
from tests.support import sign_in

PAGE = f"/handover?day={D.isoformat()}&shift=A"


def post(client, token, action, **fields):
    data = {"csrf_token": token, "day": D.isoformat(), "shift": "A", **fields}
    return client.post(f"/handover/{action}", data=data)


def stored() -> Handover | None:
    db.session.expire_all()
    return db.session.execute(select(Handover)).scalar_one_or_none()


@pytest.mark.parametrize(
    ("now", "handed_over"),
    [
        (local(D, 15), (D, "A")),  # during B: A is being handed over
        (local(D, 7), (D - timedelta(days=1), "C")),  # during A: last night's C
        (local(D, 3, plus_days=1), (D, "B")),  # C runs past midnight
    ],
)
def test_the_handover_shown_is_of_the_shift_that_ended_last(summary_plant, now, handed_over):
    assert last_shift(plant_clock(db.session), now) == handed_over


def test_the_handover_lists_what_the_next_lead_must_know(client, summary_plant):
    sign_in(client, "walker1")
    html = client.get(PAGE).get_data(as_text=True)
    # Shift A: oil on the walkway (high, open); scrap 2 of A's 10/3; PRS-02 0 of 100 and
    # never visited; the robot's fault is at WLD-01, which the plan leaves out.
    assert "4 need a decision: 1 safety, 2 stations behind plan, 1 missed station" in html
    assert "Oil on the walkway." in html and "Robot faulted." not in html
    assert "Its alerts concern Press Shop." in html
    assert "Acknowledge handover</button>" not in html  # coordinators read
    assert "Save note" not in html


def test_the_outgoing_leads_note_is_kept_and_shown(client, summary_plant):
    token = sign_in(client, "sup_press")
    response = post(client, token, "note", note="  Die 4 is back; watch PRS-02 staffing. ")
    assert response.status_code == 302
    handover = stored()
    assert handover.note == "Die 4 is back; watch PRS-02 staffing."
    assert handover.note_by.username == "sup_press"
    sign_in(client, "walker1")
    assert "Die 4 is back; watch PRS-02 staffing." in client.get(PAGE).get_data(as_text=True)


def test_coordinators_may_not_write_the_note(client, summary_plant):
    token = sign_in(client, "walker1")
    assert post(client, token, "note", note="Hi").status_code == 403
    assert stored() is None


def test_a_supervisor_of_the_area_acknowledges_once_with_who_and_when(client, summary_plant):
    token = sign_in(client, "sup_press")
    assert "Acknowledge handover</button>" in client.get(PAGE).get_data(as_text=True)
    assert post(client, token, "acknowledge").status_code == 302
    handover = stored()
    assert handover.acknowledged_by.username == "sup_press"
    assert handover.acknowledged_at is not None
    html = client.get(PAGE).get_data(as_text=True)
    assert "✓ Acknowledged</strong> by sup_press at" in html
    assert "Acknowledge handover</button>" not in html
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.entity == "handover")
    ).scalar_one()
    assert (event.action, event.entity_key) == ("acknowledge", f"{D.isoformat()} A")
    # A second press changes nothing and says why.
    response = post(client, sign_in(client, "boss"), "acknowledge")
    assert response.status_code == 302
    assert stored().acknowledged_by.username == "sup_press"
    assert "already acknowledged by sup_press" in client.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize(
    ("username", "status"), [("sup_weld", 403), ("walker1", 403), ("boss", 302)]
)
def test_only_supervisors_of_the_areas_concerned_and_managers_acknowledge(
    client, summary_plant, username, status
):
    token = sign_in(client, username)
    assert post(client, token, "acknowledge").status_code == status
    assert (stored() is not None) == (status == 302)


def test_a_bad_day_or_shift_is_answered_with_a_sentence(client, summary_plant):
    sign_in(client, "boss")
    response = client.get("/handover?day=2026-02-31&shift=A")
    assert response.status_code == 400
    assert "Check day: use a day as YYYY-MM-DD." in response.get_data(as_text=True)
    response = client.get(f"/handover?day={D.isoformat()}&shift=Z")
    assert response.status_code == 400
    assert "Unknown shift &#39;Z&#39;" in response.get_data(as_text=True)


@pytest.mark.parametrize(("username", "linked"), [("sup_press", True), ("walker1", False)])
def test_supervisors_reach_the_last_handover_from_home_and_everyone_from_the_day(
    client, summary_plant, username, linked
):
    sign_in(client, username)
    assert ('href="/handover"' in client.get("/").get_data(as_text=True)) == linked
    day_page = client.get(f"/summary/{D.isoformat()}").get_data(as_text=True)
    assert f'href="/handover?day={D.isoformat()}&amp;shift=C"' in day_page


def test_the_handover_lists_the_actions_due_that_the_reader_may_see(client, summary_plant):
    from floorwalk.models import User
    from floorwalk.sync.push import apply_push
    from tests.factories import action_record, action_update, push_body, stamp

    users = {u.username: u for u in db.session.execute(select(User)).scalars()}
    lead, walker = users["sup_press"], users["walker1"]
    made = stamp(local(D, 9) - timedelta(days=3))

    def action(title, due, station="PRS-01", owner=walker):
        body = action_record(lead, owner, due=due.isoformat(), station=station, title=title)
        body["observed_at"] = made
        apply_push(db.session, lead, push_body(body), local(D, 10))
        return body

    action("Fix the guard on the blanking press", D - timedelta(days=1))  # overdue
    action("Sweep under the transfer press", D + timedelta(days=1), "PRS-02")  # due tomorrow
    action("Order new gloves", D + timedelta(days=5))  # later: not the next lead's
    done = action("Replace the drip tray", D)
    update = action_update(walker, done, status="done")
    update["observed_at"] = stamp(local(D, 9))
    apply_push(db.session, walker, push_body(update), local(D, 10))
    action("Reset the robot's gripper", D, "WLD-01", owner=users["sup_weld"])  # Welding's
    db.session.commit()

    sign_in(client, "walker1")
    html = client.get(PAGE).get_data(as_text=True)
    section = html[html.index('id="h-actions"') :]
    assert 'Actions due <span class="count">2</span>' in section
    first, second = section.index("Fix the guard"), section.index("Sweep under")
    assert first < second  # overdue first
    assert "overdue" in section[first:second]
    for absent in ("Order new gloves", "Replace the drip tray", "Reset the robot"):
        assert absent not in section
