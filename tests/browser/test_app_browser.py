"""The phone app end to end in Chromium at phone size (DESIGN §4, issue 5).

Offline here means the server is stopped: Playwright's offline switch does not cut the
service worker's own requests, so it would prove nothing.
"""

import json
import uuid
from collections import Counter

import pytest

from tests.support import LABEL_PUBLIC_URL, beside_the_server, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
PUSH_FIELDS = {"id", "type", "station", "author", "version", "observed_at", "offset_ms", "walk"}
PUSH_FIELDS |= {"data", "deleted"}


def sign_in_on_phone(page, username, next_path="/walk"):
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}")


def wait_until_offline_ready(page):
    """The worker controls the page and has precached the app."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")


def test_the_app_opens_offline_once_it_has_been_loaded(phone, live_server, make_user):
    make_user("walker")
    sign_in_on_phone(phone, "walker")
    status_is(phone, "All synced")  # once the first sync has finished (DESIGN §4)
    wait_until_offline_ready(phone)
    screenshot(phone, "walk-home")
    assert phone.get_by_role("link", name="Last shift's handover").count() == 0  # a walker

    live_server.stop()
    phone.reload()
    phone.get_by_role("button", name="Scan station").wait_for()
    assert phone.get_by_label("Station code").is_visible()
    # The status line tells a server nobody answers for from a phone with no network.
    last_sync = phone.locator("#last-sync")
    phone.get_by_role("button", name="Sync now").click()
    last_sync.filter(has_text="No server").wait_for()
    assert last_sync.get_attribute("title").startswith("Cannot reach the server; retrying.")
    phone.context.set_offline(True)
    phone.get_by_role("button", name="Sync now").click()
    last_sync.filter(has_text="Offline").wait_for()
    assert last_sync.get_attribute("title").startswith("Offline: records are kept on this phone.")


def test_a_supervisors_app_home_leads_to_the_last_shifts_handover(phone, make_user):
    """The installed app opens on /walk, not on the pages' home: the link is there too."""
    make_user("lead", "supervisor", areas=["Press Shop"])
    sign_in_on_phone(phone, "lead")
    status_is(phone, "All synced")
    phone.get_by_role("link", name="Last shift's handover").click()
    phone.wait_for_url("**/handover")
    assert phone.get_by_role("heading", level=1).inner_text().startswith("Handover · ")


class NetworkFetches:
    """WSGI middleware that counts the requests reaching the server by method and path.

    What reaches the server went over the network; the browser's own events also report
    answers from the service worker and the HTTP cache. The query is left out, so a
    cache-busting ``?__WB_REVISION__=`` fetch counts as the same file again.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.counts = Counter()

    def __call__(self, environ, start_response):
        self.counts[f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}"] += 1
        return self.wsgi_app(environ, start_response)


def test_the_first_load_downloads_each_file_once(app, phone, make_user):
    fetches = NetworkFetches(app.wsgi_app)
    app.wsgi_app = fetches
    make_user("walker")
    sign_in_on_phone(phone, "walker")
    wait_until_offline_ready(phone)  # the worker has precached the app
    phone.get_by_text("Last sync").wait_for()
    screenshot(phone, "walk-first-load")

    sheets = phone.evaluate(
        "() => [...document.styleSheets].map((s) => [s.href, s.cssRules.length])"
    )
    assert len(sheets) == 2  # app.css and walk.css, from their hashed copies
    for href, rules in sheets:
        assert "/static/dist/assets/" in href and rules > 0

    twice = {path: count for path, count in fetches.counts.items() if count > 1}
    # The worker keeps its own copy of the shell when it installs (sw.js): pages are
    # no-store, so the copy the page loaded cannot be reused.
    assert twice.pop("GET /walk", 2) == 2
    assert twice == {}


# With the catalog from pull ----------------------------------------------------------


@pytest.fixture
def phone_plant(app, make_station, make_user):
    """A small plant: two stations with an expected metric, categories, two employees,
    and the route "Morning loop" through both stations."""
    from floorwalk.extensions import db
    from floorwalk.models import Area, Employee, Metric, Route, RouteStop, StationMetric

    station = make_station("PRS-04", "Transfer press", "Press Shop")
    label_station = make_station("QR-07", "Leak test", "Assembly")
    metric = Metric(key="units_completed", label="Units completed", unit="pcs", kind="tally")
    station.metrics = [StationMetric(metric=metric, position=0, target=250.0)]
    label_station.metrics = [StationMetric(metric=metric, position=0, target=100.0)]
    area = db.session.get(Area, station.area_id)
    db.session.add(Employee(badge="E1001", name="Maria Gonzalez", area=area, active=True))
    db.session.add(Employee(badge="E1002", name="John Smith", area=area, active=True))
    stops = [RouteStop(station=station, position=0), RouteStop(station=label_station, position=1)]
    db.session.add(Route(name="Morning loop", stops=stops))
    db.session.commit()
    return make_user("walker")


def open_app(page, path="/walk"):
    """Signed in, the first pull done and the app precached: ready to go offline."""
    sign_in_on_phone(page, "walker", path)
    wait_until_offline_ready(page)
    page.get_by_text("Last sync").wait_for()
    if path.startswith("/s/"):
        # The visit a label URL records may be saved after the first sync: wait until
        # the server has it, not only until the outbox is empty.
        wait_for_server(page, "visit")
    wait_until_sent(page)


def wait_for_server(page, type_, timeout_ms=15_000):
    """Until the server has stored a record of ``type_``."""
    for _ in range(timeout_ms // 100):
        if records_on_server(type_):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"no {type_} reached the server")


def records_on_server(type_=None):
    from sqlalchemy import func, select

    from floorwalk.extensions import db
    from floorwalk.models import Record

    db.session.commit()  # a fresh snapshot: the server stored them in its own transactions
    query = select(Record.type, func.count()).group_by(Record.type)
    counts = dict(db.session.execute(query).all())
    return counts.get(type_, 0) if type_ else counts


def jpeg_bytes():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def status_is(page, text):
    page.get_by_role("status").filter(has_text=text).wait_for()


def test_a_walk_captured_offline_survives_reloads_and_arrives_once(phone, live_server, phone_plant):
    open_app(phone)
    live_server.stop()

    phone.goto("/s/PRS-04")  # the label URL, with the server gone
    heading = phone.get_by_role("heading", level=1)
    assert "PRS-04" in heading.inner_text() and "Transfer press" in heading.inner_text()
    status_is(phone, "1 pending")  # the visit

    phone.get_by_role("button", name="Add count").click()
    phone.get_by_label("Metric").select_option("units_completed")
    phone.get_by_label("Value").fill("40")
    phone.get_by_role("button", name="Save").click()
    status_is(phone, "2 pending")

    phone.get_by_role("button", name="Add observation").click()
    phone.get_by_label("Category").select_option("safety")
    phone.get_by_label("Severity").select_option("high")
    phone.get_by_label("Description").fill("Oil on the walkway next to the press guard.")
    phone.get_by_label("Photo").set_input_files(
        files=[{"name": "oil.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    screenshot(phone, "observation-form")
    phone.get_by_role("button", name="Save").click()
    status_is(phone, "3 pending")

    phone.get_by_role("button", name="Add employee note").click()
    phone.get_by_label("Employee").fill("E1001")
    phone.get_by_label("Kind").select_option("recognition")
    phone.get_by_label("Note").fill("Caught a mislabeled bin before it shipped.")
    phone.get_by_role("button", name="Save").click()
    status_is(phone, "4 pending")
    screenshot(phone, "station-offline")

    phone.reload()  # offline still: everything is on the phone
    status_is(phone, "5 pending")  # opening the station again is another visit
    assert phone.get_by_text("Units completed: 40 pcs").is_visible()
    assert records_on_server() == {}

    live_server.start()
    phone.get_by_role("button", name="Sync now").click()
    status_is(phone, "All synced")
    phone.get_by_role("button", name="Sync now").click()  # again: nothing is doubled
    phone.get_by_text("Syncing").wait_for(state="hidden")
    assert records_on_server() == {"visit": 2, "count": 1, "observation": 1, "employee_note": 1}

    from floorwalk.extensions import db
    from floorwalk.models import Photo, Record

    observation = db.session.query(Record).filter_by(type="observation").one()
    (photo_id,) = observation.data["photos"]
    photo = db.session.get(Photo, uuid.UUID(photo_id))
    assert photo is not None and max(photo.width, photo.height) <= 1600
    # Ids made on the phone start with their time (UUIDv7): new rows go to the end of
    # the server's indexes, so a push stays fast however long the history.
    assert {record.id.version for record in db.session.query(Record)} == {7}
    assert photo.id.version == 7


def test_scanning_a_station_label_opens_the_station(phone, live_server, phone_plant):
    # The fake camera shows floorwalk's own PNG label, printed for another host name.
    assert LABEL_PUBLIC_URL not in live_server.url
    open_app(phone)
    phone.get_by_role("button", name="Scan station").click()
    heading = phone.get_by_role("heading", level=1)
    heading.filter(has_text="QR-07").wait_for()
    assert "Leak test" in heading.inner_text()
    assert phone.url.endswith("/s/QR-07")
    # The camera is released once the scanner has closed.
    assert phone.evaluate("() => document.querySelector('video') === null")
    screenshot(phone, "station-scanned")


def test_a_label_opened_before_the_catalog_arrives_still_records_its_visit(
    phone, live_server, phone_plant
):
    """A first load learns the user and the stations from its first sync; when that sync
    fails after the session check (its pull answers 503), the visit waits for the next."""
    failed = []

    def fail_first_pull(route):
        if failed:
            route.continue_()
        else:
            failed.append(route.request.url)
            route.fulfill(status=503, body="busy")

    phone.route("**/api/v1/sync/pull*", fail_first_pull)
    sign_in_on_phone(phone, "walker", "/s/PRS-04")
    wait_for_server(phone, "visit")  # the retry, 2–6 s after the failure
    wait_until_sent(phone)
    assert failed and records_on_server() == {"visit": 1}
    assert "PRS-04" in phone.get_by_role("heading", level=1).inner_text()


def test_an_expired_session_signs_in_again_in_place_and_keeps_the_outbox(
    phone, live_server, phone_plant
):
    from floorwalk.accounts import end_sessions

    open_app(phone, "/s/PRS-04")
    status_is(phone, "All synced")
    live_server.stop()
    phone.get_by_role("button", name="Add count").click()
    phone.get_by_label("Value").fill("12")
    phone.get_by_role("button", name="Save").click()
    status_is(phone, "1 pending")

    with beside_the_server() as session:  # signed out everywhere while the phone was away
        end_sessions(session.merge(phone_plant))
    live_server.start()
    phone.get_by_role("button", name="Sync now").click()
    phone.get_by_label("Password").fill(PASSWORD)
    screenshot(phone, "sign-in-again")
    phone.get_by_role("button", name="Sign in").click()
    status_is(phone, "All synced")
    assert phone.url.endswith("/s/PRS-04")
    assert records_on_server("count") == 1


def test_an_app_update_is_offered_and_keeps_the_outbox(
    phone, live_server, phone_plant, app, tmp_path
):
    from pathlib import Path

    worker = tmp_path / "sw.js"
    worker.write_text((Path(app.static_folder) / "dist" / "sw.js").read_text())
    app.config["SERVICE_WORKER_FILE"] = str(worker)
    open_app(phone, "/s/PRS-04")
    live_server.stop()
    phone.get_by_role("button", name="Add count").click()
    phone.get_by_label("Value").fill("7")
    phone.get_by_role("button", name="Save").click()
    status_is(phone, "1 pending")

    worker.write_text(worker.read_text() + "\n// the next version\n")
    live_server.start()
    phone.evaluate("async () => (await navigator.serviceWorker.ready).update()")
    phone.get_by_text("A new version is ready").wait_for()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Reload").click()
    phone.get_by_role("heading", level=1).filter(has_text="PRS-04").wait_for()
    assert phone.get_by_text("Units completed: 7 pcs").is_visible()


# Helpers for what the phone keeps and what the server stored --------------------------

READ_STORE = """async ([name, key]) => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open("floorwalk");
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    return await new Promise((resolve, reject) => {
      const store = db.transaction(name).objectStore(name);
      const request = key === null ? store.getAll() : store.get(key);
      request.onsuccess = () => resolve(request.result ?? null);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}"""


def on_phone(page, store, key=None):
    """What the phone keeps in one IndexedDB store (every value, or the one at ``key``)."""
    return page.evaluate(READ_STORE, [store, key])


def wait_on_phone(page, predicate, store, key=None, timeout_ms=15_000):
    """Wait until the JS ``predicate`` holds for what the phone keeps in ``store`` (at
    ``key``). Polled from here: ``wait_for_function`` does not await an async predicate."""
    check = f"async (args) => ({predicate})(await ({READ_STORE})(args))"
    for _ in range(timeout_ms // 100):
        if page.evaluate(check, [store, key]):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{store}/{key} never satisfied {predicate}")


def wait_until_sent(page):
    """The outbox is empty: the server answered every record."""
    wait_on_phone(page, "(outbox) => outbox.length === 0", "outbox")


def accept_dialogs(page) -> list[str]:
    """Answer every confirm() with OK; returns the messages shown, in order."""
    messages = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return messages


def server_records(type_):
    from sqlalchemy import select

    from floorwalk.extensions import db
    from floorwalk.models import Record

    db.session.commit()  # a fresh snapshot
    return db.session.execute(select(Record).where(Record.type == type_)).scalars().all()


def push_from_another_phone(client, username, records):
    """The same user pushes from elsewhere, through the API, while this phone is away."""
    from tests.support import sign_in

    token = sign_in(client, username, PASSWORD)
    body = {"records": records}
    answer = client.post("/api/v1/sync/push", json=body, headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.get_json()
    return [result["status"] for result in answer.get_json()["results"]]


def count_version(record, version, value):
    return {
        "id": str(record.id),
        "type": "count",
        "station": "PRS-04",
        "author": record.author_id,
        "version": version,
        "observed_at": record.device_observed_at,
        "data": {"metric": "units_completed", "value": value},
    }


def add_count(page, value):
    page.get_by_role("button", name="Add count").click()
    page.get_by_label("Value").fill(str(value))
    page.get_by_role("button", name="Save").click()


def recent(page, text):
    """The record line in the station's (or home's) list that shows ``text``."""
    return page.locator(".records .record").filter(has_text=text)


def record_action(line, name):
    """A record's "Edit" or "Delete", behind a tap on the record."""
    line.locator("summary").click()
    line.get_by_role("button", name=name).click()


def synced_line(page, text):
    line = recent(page, text)
    line.filter(has_text="· synced").wait_for()
    return line


# Editing, deleting, conflicts --------------------------------------------------------


def test_one_edits_and_deletes_ones_own_record(phone, phone_plant):
    accept_dialogs(phone)
    open_app(phone, "/s/PRS-04")
    add_count(phone, 40)
    record_action(synced_line(phone, "Units completed: 40 pcs"), "Edit")
    phone.get_by_role("heading", name="Edit count").wait_for()
    assert phone.get_by_label("Value").input_value() == "40"
    phone.get_by_label("Value").fill("45")
    phone.get_by_role("button", name="Save").click()
    synced_line(phone, "Units completed: 45 pcs")
    assert phone.get_by_text("45 / 250 pcs").is_visible()
    assert recent(phone, "Units completed: 40 pcs").count() == 0
    (count,) = server_records("count")
    assert (count.version, count.value, count.deleted) == (2, 45.0, False)

    record_action(recent(phone, "Units completed: 45 pcs"), "Delete")
    recent(phone, "Units completed").wait_for(state="detached")
    assert phone.get_by_text("— / 250 pcs").is_visible()
    wait_until_sent(phone)
    (count,) = server_records("count")
    assert (count.version, count.deleted) == (3, True)
    phone.reload()  # the pull that follows keeps it gone
    phone.get_by_role("heading", level=1).filter(has_text="PRS-04").wait_for()
    assert recent(phone, "Units completed").count() == 0


def test_keep_mine_and_use_the_servers_settle_a_conflict_and_a_stale_version(
    phone, live_server, phone_plant, client
):
    open_app(phone, "/s/PRS-04")
    add_count(phone, 40)
    synced_line(phone, "Units completed: 40 pcs")
    (stored,) = server_records("count")

    # Conflict: the same version edited on this phone and on another one.
    live_server.stop()
    statuses = push_from_another_phone(client, "walker", [count_version(stored, 2, 45)])
    assert statuses == ["updated"]
    record_action(recent(phone, "40 pcs"), "Edit")
    phone.get_by_label("Value").fill("50")
    phone.get_by_role("button", name="Save").click()
    live_server.start()
    phone.get_by_role("button", name="Sync now").click()
    phone.get_by_role("button", name="Done").click()
    attention = phone.get_by_role("region", name="Needs attention")
    attention.get_by_text("Edited on another phone.").wait_for()
    mine, servers = attention.locator(".side-by-side > div").all()
    assert "Units completed: 50 pcs" in mine.inner_text()
    assert "Units completed: 45 pcs" in servers.inner_text()
    screenshot(phone, "conflict")
    attention.get_by_role("button", name="Keep mine").click()
    attention.wait_for(state="detached")
    wait_until_sent(phone)
    (stored,) = server_records("count")
    assert (stored.version, stored.value) == (3, 50.0)

    # Stale: the server has a newer version than the one this phone edited.
    live_server.stop()
    assert push_from_another_phone(client, "walker", [count_version(stored, 5, 60)]) == ["updated"]
    phone.get_by_label("Station code").fill("PRS-04")
    phone.get_by_role("button", name="Open").click()
    record_action(recent(phone, "50 pcs"), "Edit")
    phone.get_by_label("Value").fill("55")
    phone.get_by_role("button", name="Save").click()
    live_server.start()
    phone.get_by_role("button", name="Sync now").click()
    phone.get_by_role("button", name="Done").click()
    attention.get_by_text("The server has a newer version.").wait_for()
    attention.get_by_role("button", name="Use the server's").click()
    attention.wait_for(state="detached")
    assert recent(phone, "Units completed: 60 pcs").is_visible()
    assert recent(phone, "55 pcs").count() == 0
    wait_until_sent(phone)
    (stored,) = server_records("count")
    assert (stored.version, stored.value) == (5, 60.0)


def note_about_a_forgotten_employee(phone, live_server):
    """Two notes, written offline, about an employee the server then forgets: the next
    sync refuses both, and they stay on the phone (its only copy)."""
    from sqlalchemy import delete

    from floorwalk.models import Employee

    live_server.stop()
    with beside_the_server() as session:
        session.execute(delete(Employee).where(Employee.badge == "E1001"))
    for text in ("Covered the second half of B shift.", "Asked for a new glove size."):
        phone.get_by_role("button", name="Add employee note").click()
        phone.get_by_label("Employee").fill("Maria")
        phone.get_by_label("Note").fill(text)
        phone.get_by_role("button", name="Save").click()
        recent(phone, text).wait_for()
    live_server.start()


def test_a_rejected_record_is_fixed_or_discarded(phone, live_server, phone_plant):

    messages = accept_dialogs(phone)
    open_app(phone, "/s/PRS-04")
    note_about_a_forgotten_employee(phone, live_server)
    phone.get_by_role("button", name="Sync now").click()
    status_is(phone, "All synced")
    phone.get_by_role("button", name="Done").click()
    attention = phone.get_by_role("region", name="Needs attention")
    fixed = attention.locator(".record").filter(has_text="second half of B shift")
    fixed.get_by_text("employee").first.wait_for()
    assert attention.locator(".record").count() == 2
    assert "Employee: No employee with the badge E1001." in fixed.inner_text()
    attention.get_by_role("heading", name="Needs attention").scroll_into_view_if_needed()
    screenshot(phone, "needs-attention")

    # Fix: the record's own form opens at its station; another employee is chosen.
    fixed.get_by_role("button", name="Fix").click()
    phone.get_by_role("heading", name="Edit employee note").wait_for()
    assert "PRS-04" in phone.get_by_role("heading", level=1).inner_text()
    phone.get_by_label("Employee").fill("E1002")
    phone.get_by_role("button", name="Save").click()
    synced_line(phone, "John Smith")
    (note,) = server_records("employee_note")
    assert note.data["employee"] == "E1002"
    assert note.data["text"] == "Covered the second half of B shift."

    # Discard: after a warning, the record leaves the phone and never reaches the server.
    phone.get_by_role("button", name="Done").click()
    attention.get_by_role("button", name="Discard").click()
    attention.wait_for(state="detached")
    assert "will not reach the server" in messages[-1]
    assert on_phone(phone, "outbox") == []
    assert len(server_records("employee_note")) == 1


# Walks -------------------------------------------------------------------------------


def test_a_walk_on_a_route_ticks_stations_and_ends_with_covered_and_missed(phone, phone_plant):
    open_app(phone)
    phone.get_by_label("Route").select_option(label="Morning loop")
    phone.get_by_role("button", name="Start walk").click()
    checklist = phone.get_by_role("list", name="Route stations")
    checklist.wait_for()
    stops = checklist.get_by_role("listitem")
    expected = ["○ PRS-04 Transfer press not yet", "○ QR-07 Leak test not yet"]
    assert stops.all_text_contents() == expected
    phone.get_by_text("0 of 2 visited").wait_for()

    stops.first.get_by_role("button").click()  # a stop opens its station
    phone.get_by_role("heading", level=1).filter(has_text="PRS-04").wait_for()
    phone.get_by_role("button", name="Done").click()
    checklist.filter(has_text="Transfer press visited").wait_for()
    assert stops.all_text_contents() == ["✓ PRS-04 Transfer press visited", expected[1]]
    phone.get_by_text("1 of 2 visited").wait_for()
    screenshot(phone, "walk-checklist")

    phone.get_by_role("button", name="End walk").click()
    ended = phone.get_by_role("region", name="Walk ended")
    assert "Covered: PRS-04" in ended.inner_text()
    assert "Missed: QR-07" in ended.inner_text()
    screenshot(phone, "walk-ended")
    wait_until_sent(phone)

    from sqlalchemy import select

    from floorwalk.extensions import db
    from floorwalk.models import Route

    (walk,) = server_records("walk")
    (visit,) = server_records("visit")
    route_id = db.session.execute(select(Route.id).where(Route.name == "Morning loop")).scalar()
    assert walk.version == 2
    assert walk.data["route"] == route_id
    assert walk.data["started_at"] < walk.data["ended_at"]
    assert visit.walk_id == walk.id


# Export of what is pending -----------------------------------------------------------


def test_pending_records_exported_to_a_file_import_exactly_once(
    phone, live_server, phone_plant, runner, tmp_path
):
    open_app(phone, "/s/PRS-04")
    live_server.stop()
    add_count(phone, 12)
    phone.get_by_role("button", name="Add employee note").click()
    phone.get_by_label("Employee").fill("E1002")
    phone.get_by_label("Note").fill("Trained a new press operator.")
    phone.get_by_role("button", name="Save").click()
    status_is(phone, "2 pending")
    phone.get_by_role("button", name="Done").click()
    with phone.expect_download() as download:
        phone.get_by_role("button", name="Export pending").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)

    body = json.loads(path.read_text())
    assert {"device", "sent_at", "records"} <= set(body)
    assert uuid.UUID(body["device"])
    assert sorted(r["type"] for r in body["records"]) == ["count", "employee_note"]
    assert all(set(r) <= PUSH_FIELDS for r in body["records"])

    first = runner.invoke(args=["import", "records", str(path)])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[:2] == ["CREATED: 2", "DUPLICATE: 0"]
    again = runner.invoke(args=["import", "records", str(path)])
    assert again.output.splitlines()[:2] == ["CREATED: 0", "DUPLICATE: 2"]
    # The phone that comes back later sends them too: still stored once.
    live_server.start()
    phone.get_by_role("button", name="Sync now").click()
    wait_until_sent(phone)
    assert [r.value for r in server_records("count")] == [12.0]
    assert len(server_records("employee_note")) == 1


# Sign-out on a shared phone ----------------------------------------------------------


def sign_in_in_place(page, username):
    form = page.get_by_role("form", name="Sign in")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    form.wait_for(state="detached")


def test_signing_out_offline_keeps_unsynced_records_for_their_author_alone(
    phone, live_server, phone_plant, make_user
):
    make_user("nightshift")
    messages = accept_dialogs(phone)
    open_app(phone, "/s/PRS-04")
    add_count(phone, 40)
    synced_line(phone, "Units completed: 40 pcs")
    live_server.stop()
    add_count(phone, 12)
    status_is(phone, "1 pending")

    phone.get_by_role("button", name="Done").click()
    phone.get_by_role("button", name="Sign out").click()
    phone.get_by_role("heading", name="Sign in").wait_for()  # in place: /login needs a network
    assert "1 record(s) are not on the server yet" in messages[-1]
    assert phone.url.endswith("/walk")
    screenshot(phone, "signed-out")
    walker = phone_plant.id
    assert [r["data"]["value"] for r in on_phone(phone, "outbox")] == [12]
    assert [r for r in on_phone(phone, "records") if r["author"] == walker] == []
    assert on_phone(phone, "catalog", "employees") is None
    phone.reload()  # still offline: the cached shell asks who is signing in
    phone.get_by_role("heading", name="Sign in").wait_for()

    live_server.start()
    sign_in_in_place(phone, "nightshift")
    status_is(phone, "All synced")
    phone.get_by_text("Last sync").wait_for()
    assert phone.get_by_text("nightshift · app").is_visible()
    assert phone.get_by_text("Nothing recorded yet.").is_visible()
    assert [r.value for r in server_records("count")] == [40.0]

    phone.get_by_role("button", name="Sign out").click()
    assert messages[-1] == "Sign out?"
    sign_in_in_place(phone, "walker")
    wait_until_sent(phone)
    assert sorted(r.value for r in server_records("count")) == [12.0, 40.0]
    recent(phone, "Units completed: 12 pcs").wait_for()


# Pull: removals, a restored database, an app too old ---------------------------------


def sync_until_stations(page, predicate):
    """Sync now, then wait until the phone's stations (code → station) satisfy the JS
    ``predicate``: a sync already running when the button is pressed may end first."""
    page.get_by_role("button", name="Sync now").click()
    wait_on_phone(page, predicate, "catalog", "stations")
    # The stores are written before the sync ends and redraws the screen: wait for that
    # redraw, or it may land over the station the test opens next.
    page.wait_for_function("() => !document.body.innerText.includes('Syncing…')")


def open_by_code(page, code):
    page.get_by_label("Station code").fill(code)
    page.get_by_role("button", name="Open").click()


def test_pull_erases_removals_recovers_from_a_restore_and_says_when_an_update_is_needed(
    phone, live_server, phone_plant, app
):
    from sqlalchemy import select, text, update

    from floorwalk.models import Station, SyncState

    open_app(phone)
    # An admin deactivates a station: it disappears from the phone.
    with beside_the_server() as session:
        session.execute(select(Station).where(Station.code == "QR-07")).scalar_one().active = False
    sync_until_stations(phone, "(stations) => !('QR-07' in stations)")
    open_by_code(phone, "QR-07")
    phone.get_by_text("No station with code QR-07.").wait_for()

    # The database is restored (a new epoch), with a change no delta would carry: the
    # phone's cursor expires and it takes a full snapshot, without an error shown.
    with beside_the_server() as session:
        session.execute(update(SyncState).values(epoch=uuid.uuid4()))
        session.execute(text("UPDATE stations SET name = 'Press line 4' WHERE code = 'PRS-04'"))
    sync_until_stations(phone, "(stations) => stations['PRS-04'].name === 'Press line 4'")
    open_by_code(phone, "PRS-04")
    phone.get_by_role("heading", level=1).filter(has_text="Press line 4").wait_for()
    phone.get_by_role("button", name="Done").click()
    assert "restored" not in phone.locator("#last-sync").inner_text()

    # Below min_app: a notice, and records still kept and pushed.
    app.config["MIN_APP"] = "99.0.0"
    phone.get_by_role("button", name="Sync now").click()
    notice = phone.get_by_role("alert").filter(has_text="Update needed")
    notice.wait_for()
    live_server.stop()
    open_by_code(phone, "PRS-04")
    add_count(phone, 9)
    notice.filter(has_text="Update needed — your 2 pending records are kept.").wait_for()
    screenshot(phone, "update-needed")
    phone.reload()  # offline: the notice comes back from what the phone stored
    notice.filter(has_text="your 3 pending records are kept").wait_for()  # + a visit
    live_server.start()
    phone.get_by_role("button", name="Sync now").click()
    wait_until_sent(phone)
    assert [r.value for r in server_records("count")] == [9.0]
    assert notice.is_visible()
