"""The phone app end to end in Chromium at phone size (DESIGN §4, issue 5).

Offline here means the server is stopped: Playwright's offline switch does not cut the
service worker's own requests, so it would prove nothing.
"""

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


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
    status = phone.get_by_role("status")
    assert status.inner_text() == "All synced"
    wait_until_offline_ready(phone)
    screenshot(phone, "walk-home")

    live_server.stop()
    phone.reload()
    phone.get_by_role("button", name="Scan station").wait_for()
    assert phone.get_by_label("Station code").is_visible()
    assert phone.get_by_role("button", name="Sync now").is_visible()


# With the catalog from pull ----------------------------------------------------------


@pytest.fixture
def phone_plant(app, make_station, make_user):
    """A small plant: one station with an expected metric, categories, one employee."""
    from floorwalk.extensions import db
    from floorwalk.models import Area, Employee, Metric, StationMetric

    station = make_station("PRS-04", "Transfer press", "Press Shop")
    label_station = make_station("QR-07", "Leak test", "Assembly")
    metric = Metric(key="units_completed", label="Units completed", unit="pcs", kind="tally")
    station.metrics = [StationMetric(metric=metric, position=0, target=250.0)]
    label_station.metrics = [StationMetric(metric=metric, position=0, target=100.0)]
    area = db.session.get(Area, station.area_id)
    db.session.add(Employee(badge="E1001", name="Maria Gonzalez", area=area, active=True))
    db.session.commit()
    return make_user("walker")


def open_app(page, path="/walk"):
    """Signed in, the first pull done and the app precached: ready to go offline."""
    sign_in_on_phone(page, "walker", path)
    wait_until_offline_ready(page)
    page.get_by_text("Last sync").wait_for()


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
    photo = db.session.get(Photo, __import__("uuid").UUID(photo_id))
    assert photo is not None and max(photo.width, photo.height) <= 1600


def test_scanning_a_station_label_opens_the_station(phone, phone_plant):
    open_app(phone)
    phone.get_by_role("button", name="Scan station").click()
    heading = phone.get_by_role("heading", level=1)
    heading.filter(has_text="QR-07").wait_for()
    assert "Leak test" in heading.inner_text()
    assert phone.url.endswith("/s/QR-07")
    # The camera is released once the scanner has closed.
    assert phone.evaluate("() => document.querySelector('video') === null")
    screenshot(phone, "station-scanned")


def test_an_expired_session_signs_in_again_in_place_and_keeps_the_outbox(
    phone, live_server, phone_plant
):
    from floorwalk.accounts import end_sessions
    from floorwalk.extensions import db

    open_app(phone, "/s/PRS-04")
    status_is(phone, "All synced")
    live_server.stop()
    phone.get_by_role("button", name="Add count").click()
    phone.get_by_label("Value").fill("12")
    phone.get_by_role("button", name="Save").click()
    status_is(phone, "1 pending")

    end_sessions(db.session.merge(phone_plant))  # signed out everywhere while the phone was away
    db.session.commit()
    live_server.start()
    phone.get_by_role("button", name="Sync now").click()
    phone.get_by_label("Password").fill(PASSWORD)
    screenshot(phone, "sign-in-again")
    phone.get_by_role("button", name="Sign in").click()
    status_is(phone, "All synced")
    assert phone.url.endswith("/s/PRS-04")
    assert records_on_server("count") == 1


def test_a_rejected_record_is_listed_with_the_servers_message(phone, live_server, phone_plant):
    from sqlalchemy import delete

    from floorwalk.extensions import db
    from floorwalk.models import Employee

    open_app(phone, "/s/PRS-04")
    live_server.stop()
    db.session.execute(delete(Employee).where(Employee.badge == "E1001"))
    db.session.commit()
    phone.get_by_role("button", name="Add employee note").click()
    phone.get_by_label("Employee").fill("Maria")
    phone.get_by_label("Note").fill("Covered the second half of B shift.")
    phone.get_by_role("button", name="Save").click()

    live_server.start()
    phone.get_by_role("button", name="Sync now").click()
    status_is(phone, "All synced")
    phone.get_by_role("button", name="Done").click()
    attention = phone.get_by_role("region", name="Needs attention")
    attention.get_by_text("employee").first.wait_for()
    assert "Covered the second half of B shift." in attention.inner_text()
    screenshot(phone, "needs-attention")
    assert records_on_server("employee_note") == 0


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
