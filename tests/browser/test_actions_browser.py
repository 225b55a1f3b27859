"""Actions on the phone (DESIGN §9, issue 12): created offline from an observation,
done by their owner on another phone with a photo of the fix, verified by their creator.

Offline here is both the browser's offline switch (the page says so) and the server
stopped (Playwright's switch does not cut the service worker's own requests)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_app_browser import (
    jpeg_bytes,
    open_app,
    phone_plant,  # noqa: F401 (a fixture)
    push_from_another_phone,
    sign_in_on_phone,
    status_is,
    wait_until_offline_ready,
    wait_until_sent,
)
from tests.browser.test_phone_browser import AXE, serious_violations
from tests.support import screenshot

pytestmark = pytest.mark.browser
TITLE = "Oil on the walkway next to the press guard."


def the_action():
    from sqlalchemy import select

    from floorwalk.extensions import db
    from floorwalk.models import Action

    db.session.commit()  # a fresh snapshot: the server wrote in its own transactions
    return db.session.execute(select(Action)).scalar_one()


@pytest.fixture
def owner_phone(browser, live_server):
    """A second phone, for the action's owner."""
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, has_touch=True)
    context.set_default_timeout(15_000)
    context.add_init_script(script=AXE.read_text())
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    yield page
    context.close()
    assert errors == []


def tall_enough(page, name):
    box = page.get_by_role("button", name=name, exact=True).bounding_box()
    return box["height"] >= 48


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm install)")
def test_an_action_made_offline_is_done_on_the_owners_phone_and_verified_by_its_creator(
    phone,
    owner_phone,
    live_server,
    phone_plant,  # noqa: F811
    make_user,
):
    make_user("maria", areas=["Press Shop"])
    make_user("zoe", areas=["Assembly"])
    phone.context.add_init_script(script=AXE.read_text())
    open_app(phone, "/s/PRS-04")

    # The coordinator, offline: an observation, then "Create action" from its "Saved".
    phone.context.set_offline(True)
    live_server.stop()
    phone.get_by_role("button", name="Add observation").click()
    phone.get_by_label("Category").select_option("safety")
    phone.get_by_label("Severity").select_option("high")
    phone.get_by_label("Description").fill(TITLE)
    phone.get_by_role("button", name="Save", exact=True).click()
    phone.locator("#toast").get_by_role("button", name="Create action").click()

    phone.get_by_role("heading", name="Create action").wait_for()
    assert phone.get_by_label("Title").input_value() == TITLE
    assert phone.get_by_label("Station").input_value() == "PRS-04"
    assert phone.get_by_label("Priority").input_value() == "high"  # the severity's
    # The owner list: the station's area first, then everyone else.
    owners = phone.locator("#owner-list option").evaluate_all("(os) => os.map((o) => o.value)")
    assert owners[0] == "maria" and owners.index("zoe") > owners.index("maria")
    phone.get_by_label("Owner").fill("mar")  # one match is enough
    phone.get_by_role("button", name="Next week").click()
    assert all(tall_enough(phone, name) for name in ("Today", "Tomorrow", "Next week"))
    assert serious_violations(phone) == []
    screenshot(phone, "action-create")
    phone.get_by_role("button", name="Save action").click()
    phone.locator("#toast").filter(has_text="Action saved").wait_for()
    # Back on the station: the observation offers "Create action" behind a tap too.
    phone.locator("summary").filter(has_text=TITLE).click()
    assert phone.get_by_role("button", name="Create action").is_visible()
    status_is(phone, "2 pending")  # the observation and the action

    # Online again: it syncs like any record.
    live_server.start()
    phone.context.set_offline(False)
    phone.get_by_role("button", name="Sync now").click()
    status_is(phone, "All synced")
    action = the_action()
    assert (action.title, action.owner.username, action.status) == (TITLE, "maria", "open")
    assert action.station.code == "PRS-04" and action.priority == "high"

    # The owner sees it in "My actions", starts it and marks it done with a photo.
    sign_in_on_phone(owner_phone, "maria")
    wait_until_offline_ready(owner_phone)
    status_is(owner_phone, "All synced")
    mine = owner_phone.get_by_role("region", name="My actions")
    item = mine.get_by_role("button").filter(has_text=TITLE)
    assert "PRS-04" in item.inner_text() and "Open" in item.inner_text()
    assert item.bounding_box()["height"] >= 48
    assert serious_violations(owner_phone) == []
    screenshot(owner_phone, "action-my-actions")
    item.click()
    owner_phone.get_by_role("heading", name=TITLE).wait_for()
    assert owner_phone.get_by_role("button", name="Verify").count() == 0  # not the owner's
    owner_phone.get_by_role("button", name="Start").click()
    owner_phone.locator("#toast").filter(has_text="Started").wait_for()
    owner_phone.get_by_role("button", name="Mark done").click()
    owner_phone.get_by_label("Comment").fill("Drip tray replaced, floor cleaned.")
    owner_phone.get_by_label("Photo").set_input_files(
        files=[{"name": "fixed.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    assert serious_violations(owner_phone) == []
    screenshot(owner_phone, "action-mark-done")
    owner_phone.get_by_role("button", name="Save", exact=True).click()
    owner_phone.locator("#toast").filter(has_text="Marked done").wait_for()
    # Its new state at once, whether or not the server has answered yet.
    owner_phone.get_by_text("Done, to verify").first.wait_for()
    wait_until_sent(owner_phone)
    status_is(owner_phone, "All synced")
    screenshot(owner_phone, "action-done")
    action = the_action()
    assert (action.status, action.done_by.username) == ("done", "maria")
    (started, done) = action.updates
    assert (started.status, done.status, done.comment) == (
        "in_progress",
        "done",
        "Drip tray replaced, floor cleaned.",
    )
    from floorwalk.extensions import db
    from floorwalk.models import Photo, RecordPhoto

    (link,) = db.session.query(RecordPhoto).filter_by(record_id=done.record_id).all()
    assert db.session.get(Photo, link.photo_id) is not None

    # The creator verifies it on their phone: it waits under "To verify".
    phone.get_by_role("button", name="Done").click()  # the station, back home
    phone.get_by_role("button", name="Sync now").click()
    status_is(phone, "All synced")
    to_verify = phone.get_by_role("region", name="To verify")
    to_verify.get_by_role("button").filter(has_text=TITLE).click()
    phone.get_by_role("heading", name=TITLE).wait_for()
    assert phone.get_by_role("button", name="Mark done").count() == 0
    fix = phone.get_by_role("img", name="Photo 1 of the fix")
    fix.scroll_into_view_if_needed()
    loaded = "(img) => img.complete && img.naturalWidth > 0"
    phone.wait_for_function(loaded, arg=fix.element_handle())
    assert serious_violations(phone) == []
    screenshot(phone, "action-verify")
    phone.get_by_role("button", name="Verify").click()
    phone.locator("#toast").filter(has_text="Verified").wait_for()
    wait_until_sent(phone)
    assert the_action().status == "verified"
    assert phone.get_by_role("button", name="Verify").count() == 0
    assert phone.get_by_role("button", name="Reopen").is_visible()


def action_record(author, title, made, due, owner):
    return {
        "id": str(uuid.uuid4()),
        "type": "action",
        "station": "PRS-04",
        "author": author.id,
        "version": 1,
        "observed_at": made.isoformat(timespec="milliseconds"),
        "data": {"title": title, "owner": owner.id, "due": due.isoformat(), "priority": "medium"},
    }


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm install)")
def test_my_actions_put_the_overdue_first_and_a_refused_move_waits_under_needs_attention(
    phone,
    client,
    live_server,
    phone_plant,  # noqa: F811
    make_user,
):
    walker = phone_plant
    lead = make_user("lead", role="supervisor", areas=["Press Shop"])
    now = datetime.now(UTC)
    days = timedelta(days=1)
    records = [
        action_record(lead, "Label the spare dies", now, now.date() + 3 * days, walker),
        action_record(lead, "Fix the guard latch", now - 4 * days, now.date() - 3 * days, walker),
    ]
    assert push_from_another_phone(client, "lead", records) == ["created", "created"]
    phone.context.add_init_script(script=AXE.read_text())
    open_app(phone)

    items = phone.get_by_role("region", name="My actions").get_by_role("listitem")
    items.first.filter(has_text="Fix the guard latch").wait_for()
    late = items.first.locator(".action-due")
    assert late.inner_text().startswith("Overdue: was due")
    assert late.evaluate("(el) => getComputedStyle(el).color") != items.nth(1).locator(
        ".action-due"
    ).evaluate("(el) => getComputedStyle(el).color")
    assert items.nth(1).inner_text().count("Label the spare dies") == 1
    assert serious_violations(phone) == []
    screenshot(phone, "action-overdue")

    # Offline, the owner starts an action its creator cancels meanwhile: the server,
    # which decides, refuses the start, and it waits under "Needs attention".
    spare = next(r for r in records if r["data"]["title"] == "Label the spare dies")
    phone.context.set_offline(True)
    live_server.stop()
    items.nth(1).get_by_role("button").click()
    phone.get_by_role("button", name="Start").click()
    phone.get_by_text("In progress · not synced yet").wait_for()
    cancel = {
        "id": str(uuid.uuid4()),
        "type": "action_update",
        "author": lead.id,
        "version": 1,
        "observed_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "data": {"action": spare["id"], "status": "cancelled"},
    }
    assert push_from_another_phone(client, "lead", [cancel]) == ["created"]
    live_server.start()
    phone.context.set_offline(False)
    phone.get_by_role("button", name="Back").click()
    phone.get_by_role("button", name="Sync now").click()
    status_is(phone, "All synced · 1 needs attention")
    attention = phone.get_by_role("region", name="Needs attention")
    assert "Label the spare dies: in progress" in attention.inner_text()
    assert "Status: The action is cancelled" in attention.inner_text()
    assert attention.get_by_role("button", name="Fix").count() == 0
    assert "Label the spare dies" not in phone.get_by_role("region", name="My actions").inner_text()
    screenshot(phone, "action-rejected")
