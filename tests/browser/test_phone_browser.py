"""The walk at clipboard speed (issue 16): the count sheet, "Saved" and "Undo", and a
sync status that says "All synced" only once a sync has finished (DESIGN §4)."""

import re

import pytest

from tests.browser.test_app_browser import (
    open_app,
    phone_plant,  # noqa: F401 (a fixture)
    server_records,
    sign_in_on_phone,
    status_is,
    wait_until_sent,
)
from tests.support import AXE, axe_violations, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def count_sheet_plant(phone_plant):  # noqa: F811
    """QR-07, the station on the fake camera's label, lists four metrics of every kind."""
    from sqlalchemy import select

    from floorwalk.extensions import db
    from floorwalk.models import Metric, Station, StationMetric

    station = db.session.execute(select(Station).where(Station.code == "QR-07")).scalar_one()
    counter = Metric(key="press_counter", label="Press counter", unit="strokes", kind="counter")
    more = [
        (Metric(key="scrap", label="Scrap", unit="pcs", kind="tally"), None, None),
        (counter, None, None),
        (Metric(key="bins_full", label="Full bins", unit="bins", kind="gauge"), None, 2.0),
    ]
    for position, (metric, target, min_level) in enumerate(more, start=1):
        station.metrics.append(
            StationMetric(metric=metric, position=position, target=target, min_level=min_level)
        )
    db.session.commit()
    return phone_plant


class Actions:
    """Counts what the user does: each click and each field filled is one action."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, value):
        self.count += 1
        locator.fill(value)


def test_a_station_is_counted_from_its_label_in_six_actions_and_arrives_once(
    phone, count_sheet_plant
):
    open_app(phone)
    user = Actions(phone)
    user.click(phone.get_by_role("button", name="Scan station"))
    phone.get_by_role("heading", level=1).filter(has_text="QR-07").wait_for()
    # Each field says what to enter for its kind, with today's target or min level.
    sheet = phone.locator(".count-sheet")
    assert "How many since your last count" in sheet.locator(".sheet-row").nth(0).inner_text()
    assert "The reading on the counter" in sheet.locator(".sheet-row").nth(2).inner_text()
    assert "How many there are now" in sheet.locator(".sheet-row").nth(3).inner_text()
    # Progress is the user's own: the phone holds no one else's records.
    assert "yours: — / 100 pcs" in sheet.locator(".sheet-row").nth(0).inner_text()
    assert "min 2 bins" in sheet.locator(".sheet-row").nth(3).inner_text()
    # One filled button on the view: "Save counts"; the "Add …" ones are outlined.
    filled = phone.locator("section.station .button-primary:visible").all_inner_texts()
    assert [name for name in filled if name != "Scan next"] == ["Save counts"], filled
    assert phone.get_by_label("Units completed").get_attribute("inputmode") == "numeric"
    assert phone.get_by_label("Full bins").get_attribute("inputmode") == "decimal"

    user.fill(phone.get_by_label("Units completed"), "42")
    user.fill(phone.get_by_label("Scrap"), "3")
    user.fill(phone.get_by_label("Press counter"), "18250")
    user.fill(phone.get_by_label("Full bins"), "4.5")
    screenshot(phone, "count-sheet-filled")
    user.click(phone.get_by_role("button", name="Save counts"))
    phone.locator("#toast").filter(has_text="Saved 4 counts").wait_for()
    assert user.count <= 6, f"{user.count} actions from scan to saved"

    # Said to screen readers, the view back at the top of the station, the fields empty.
    phone.locator("#announce").filter(has_text="Saved 4 counts").wait_for()
    assert phone.evaluate("() => window.scrollY") == 0
    assert phone.get_by_label("Units completed").input_value() == ""
    assert "yours: 42 / 100 pcs" in sheet.locator(".sheet-row").nth(0).inner_text()
    assert phone.get_by_role("button", name="Undo").is_visible()
    assert phone.get_by_role("button", name="Scan next").is_visible()
    screenshot(phone, "count-sheet-saved")

    wait_until_sent(phone)
    phone.get_by_role("button", name="Sync now").click()  # again: nothing is doubled
    status_is(phone, "All synced")
    phone.get_by_text("Syncing").wait_for(state="hidden")
    counts = {record.data["metric"]: record.value for record in server_records("count")}
    expected = {"units_completed": 42.0, "scrap": 3.0, "press_counter": 18250.0, "bins_full": 4.5}
    assert counts == expected


def test_the_count_sheet_refuses_negatives_and_warns_far_from_the_usual(phone, count_sheet_plant):
    open_app(phone, "/s/PRS-04")
    value = phone.get_by_label("Units completed")
    for typed in ("40", "38", "41"):
        value.fill(typed)
        phone.get_by_role("button", name="Save counts").click()
        phone.locator("#toast").filter(has_text="Saved 1 count").wait_for()
        phone.locator("#toast").evaluate("(el) => { el.hidden = true; }")

    value.fill("-5")
    phone.get_by_role("button", name="Save counts").click()
    # Under the field (kept across a redraw when a sync ends), and nothing saved.
    phone.locator(".sheet-error").filter(has_text="Enter 0 or more.").wait_for()
    value.fill("4000")
    value.blur()
    phone.get_by_text("Far from the usual here (38–41)").wait_for()
    screenshot(phone, "count-sheet-warning")
    phone.get_by_role("button", name="Save counts").click()  # a warning, not a block
    phone.locator("#toast").filter(has_text="Saved 1 count").wait_for()
    wait_until_sent(phone)
    values = sorted(record.value for record in server_records("count"))
    assert values == [38.0, 40.0, 41.0, 4000.0]


def test_undo_takes_back_a_save_and_a_delete_without_a_dialog(phone, count_sheet_plant):
    dialogs = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_app(phone, "/s/PRS-04")
    phone.get_by_label("Units completed").fill("40")
    phone.get_by_role("button", name="Save counts").click()
    phone.get_by_role("button", name="Undo").click()
    phone.get_by_text("— / 250 pcs").wait_for()
    wait_until_sent(phone)
    (count,) = server_records("count")
    assert count.deleted

    phone.get_by_label("Units completed").fill("45")
    phone.get_by_role("button", name="Save counts").click()
    phone.get_by_text("45 / 250 pcs").wait_for()
    wait_until_sent(phone)
    line = phone.locator(".records .record").filter(has_text="Units completed: 45 pcs")
    line.locator("summary").click()
    line.get_by_role("button", name="Delete").click()
    phone.get_by_text("— / 250 pcs").wait_for()
    phone.locator("#toast").filter(has_text="Deleted").get_by_role("button", name="Undo").click()
    phone.get_by_text("45 / 250 pcs").wait_for()
    wait_until_sent(phone)
    kept = [record for record in server_records("count") if not record.deleted]
    assert [record.value for record in kept] == [45.0]
    assert dialogs == []


def test_a_record_opened_for_its_actions_stays_open_through_a_sync(phone, count_sheet_plant):
    """A gloved thumb opens a record to reach Delete; a sync ending meanwhile redraws the
    list, and the record must still be open, its buttons where the thumb is going."""
    open_app(phone, "/s/PRS-04")
    phone.get_by_label("Units completed").fill("45")
    phone.get_by_role("button", name="Save counts").click()
    wait_until_sent(phone)
    line = phone.locator(".records .record").filter(has_text="Units completed: 45 pcs")
    line.locator("summary").click()
    delete = line.get_by_role("button", name="Delete")
    delete.wait_for()
    with phone.expect_response(lambda r: "/api/v1/sync/pull" in r.url):
        phone.get_by_role("button", name="Sync now").click()
    phone.wait_for_timeout(500)  # the redraw after the pull
    assert delete.is_visible()


def test_the_status_never_says_all_synced_before_the_first_sync_ends(phone, phone_plant):  # noqa: F811
    seen = []
    release = []

    def hold_first_pull(route):
        if not release:
            release.append(route)  # answered below, once the page has been watched
        else:
            route.continue_()

    phone.route("**/api/v1/sync/pull**", hold_first_pull)
    phone.expose_function("sawStatus", lambda text: seen.append(text))
    phone.add_init_script(
        """addEventListener("DOMContentLoaded", () => {
          const el = document.getElementById("sync-status");
          if (!el) return; // the sign-in page
          const report = () => window.sawStatus(el.textContent);
          report();
          const watched = { childList: true, characterData: true, subtree: true };
          new MutationObserver(report).observe(el, watched);
        });"""
    )
    sign_in_on_phone(phone, "walker")
    for _ in range(100):
        if release:
            break
        phone.wait_for_timeout(100)
    assert release, "the first pull never started"
    phone.wait_for_timeout(500)
    status = phone.get_by_role("status")
    assert status.inner_text() == "Not synced yet"
    assert phone.locator("#sync-box").get_attribute("data-state") in {"syncing", "never"}
    screenshot(phone, "status-first-sync")
    assert "All synced" not in seen
    release[0].continue_()
    status_is(phone, "All synced")
    assert phone.locator("#sync-box").get_attribute("data-state") == "synced"
    assert phone.get_by_text("Last sync just now").is_visible()
    assert seen and "All synced" not in seen[: seen.index("All synced")]


@pytest.mark.parametrize("how", ["online", "server gone", "no network"])
def test_the_header_stays_one_row_and_never_covers_a_form(phone, live_server, phone_plant, how):  # noqa: F811
    open_app(phone, "/s/PRS-04")
    state, note = "synced", "Last sync"
    if how != "online":
        live_server.stop()
        phone.get_by_label("Units completed").fill("40")
        phone.get_by_role("button", name="Save counts").click()
        state, note = "offline", "No server · Last sync"
    if how == "no network":
        phone.context.set_offline(True)
        phone.get_by_role("button", name="Sync now").click()
        note = "Offline · Last sync"
    phone.locator("#last-sync").filter(has_text=note).wait_for()
    # Said in full, and never cut by the ellipsis on a 390 px phone.
    cut = phone.locator("#last-sync").evaluate("e => [e.scrollWidth, e.clientWidth, e.textContent]")
    assert cut[0] <= cut[1], cut
    if how != "online":
        status_is(phone, "1 pending")
    assert phone.locator("#sync-box").get_attribute("data-state") == state
    icon = phone.locator("#sync-icon").inner_text()
    assert icon == {"synced": "✓", "offline": "⊘"}[state]
    header = phone.locator("header").bounding_box()
    assert header["height"] <= 56
    assert phone.locator("#last-sync").bounding_box()["height"] < 20  # one line
    phone.get_by_role("button", name="Add observation").click()
    heading = phone.get_by_role("heading", name="Add observation")
    phone.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    heading.scroll_into_view_if_needed()
    phone.evaluate("() => document.querySelector('form.capture').scrollIntoView()")
    assert heading.bounding_box()["y"] >= header["height"]
    screenshot(phone, f"header-{how.replace(' ', '-')}")
    phone.context.set_offline(False)


def test_recent_records_name_their_station_fold_visits_and_hide_actions_behind_a_tap(
    phone, count_sheet_plant
):
    open_app(phone, "/s/PRS-04")
    for _ in range(2):
        phone.get_by_role("button", name="Done").click()
        phone.get_by_label("Station code").fill("QR-07")
        phone.get_by_role("button", name="Open").click()
        phone.get_by_role("heading", level=1).filter(has_text="QR-07").wait_for()
    phone.get_by_label("Scrap").fill("1")
    phone.get_by_role("button", name="Save counts").click()
    phone.locator("#toast").filter(has_text="Saved 1 count").wait_for()
    phone.get_by_role("button", name="Done").click()
    groups = phone.locator(".recent-group")
    groups.first.wait_for()
    assert groups.nth(0).get_by_role("heading").inner_text() == "QR-07 Leak test"
    assert groups.nth(1).get_by_role("heading").inner_text() == "PRS-04 Transfer press"
    assert groups.nth(0).get_by_text("Visited QR-07 ×2").is_visible()
    assert groups.nth(1).get_by_text("Visited PRS-04").is_visible()
    screenshot(phone, "recent-records")
    phone.get_by_label("Station code").fill("QR-07")
    phone.get_by_role("button", name="Open").click()
    line = phone.locator(".records .record").filter(has_text="Scrap: 1 pcs")
    assert not line.get_by_role("button", name="Edit").is_visible()
    line.locator("summary").click()
    assert line.get_by_role("button", name="Edit").is_visible()
    screenshot(phone, "record-actions")


def serious_violations(page):
    """axe-core's violations of impact serious or critical on what the page shows now."""
    return axe_violations(page, ("serious", "critical"))


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm install)")
def test_the_walk_the_station_and_each_form_pass_axe(phone, count_sheet_plant):
    # An init script runs whatever the page's CSP says; a <script> tag would be refused.
    phone.context.add_init_script(script=AXE.read_text())
    open_app(phone)
    seen = {"/walk": serious_violations(phone)}
    phone.get_by_label("Station code").fill("QR-07")
    phone.get_by_role("button", name="Open").click()
    phone.get_by_role("heading", level=1).filter(has_text="QR-07").wait_for()
    seen["station"] = serious_violations(phone)
    for name in ("Add count", "Add observation", "Add employee note"):
        phone.get_by_role("button", name=name).click()
        phone.get_by_role("heading", name=name).wait_for()
        seen[name] = serious_violations(phone)
        phone.get_by_role("button", name="Cancel").click()
    assert seen == {key: [] for key in seen}


def test_take_photo_shows_thumbnails_each_removable_before_saving(phone, phone_plant):  # noqa: F811
    from tests.browser.test_app_browser import jpeg_bytes

    open_app(phone, "/s/PRS-04")
    phone.get_by_role("button", name="Add observation").click()
    photo = phone.get_by_label("Photo")
    assert photo.get_attribute("capture") == "environment"
    assert phone.get_by_role("button", name="Take photo").bounding_box()["height"] >= 48
    for name in ("first.jpg", "second.jpg"):
        photo.set_input_files(
            files=[{"name": name, "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
        )
    thumbs = phone.get_by_role("list", name="Pictures taken").get_by_role("listitem")
    assert thumbs.count() == 2
    phone.get_by_label("Description").fill("Pallet blocking the aisle.")
    screenshot(phone, "observation-photos")
    thumbs.nth(0).get_by_role("button", name="Remove").click()
    assert thumbs.count() == 1
    phone.get_by_role("button", name="Save", exact=True).click()
    phone.locator("#toast").filter(has_text="Saved").wait_for()
    wait_until_sent(phone)
    (observation,) = server_records("observation")
    assert len(observation.data["photos"]) == 1


def test_the_employee_picker_lists_the_stations_area_first(phone, phone_plant):  # noqa: F811
    from floorwalk.extensions import db
    from floorwalk.models import Employee
    from floorwalk.models import Station as StationRow

    assembly = db.session.query(StationRow).filter_by(code="QR-07").one().area
    db.session.add(Employee(badge="E0001", name="Aaron Able", area=assembly, active=True))
    db.session.commit()
    open_app(phone, "/s/PRS-04")
    phone.get_by_role("button", name="Add employee note").click()
    options = phone.locator("datalist option")
    values = [options.nth(i).get_attribute("value") for i in range(options.count())]
    assert values == ["John Smith (E1002)", "Maria Gonzalez (E1001)", "Aaron Able (E0001)"]
    phone.get_by_label("Employee").fill("E0001")  # by badge, from another area too
    phone.get_by_label("Note").fill("Helped at the press for an hour.")
    phone.get_by_role("button", name="Save", exact=True).click()
    phone.locator("#toast").filter(has_text="Saved").wait_for()
    wait_until_sent(phone)
    (note,) = server_records("employee_note")
    assert note.data["employee"] == "E0001"


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def test_the_add_to_home_screen_hint_shows_once_signed_in_never_over_a_form(
    browser,
    live_server,
    phone_plant,  # noqa: F811
):
    from tests.browser.conftest import PHONE

    context = browser.new_context(viewport=PHONE, base_url=live_server.url, user_agent=IPHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        hint = page.get_by_text("Add to Home Screen")
        page.goto("/login")
        assert page.locator('link[rel="manifest"]').get_attribute("href") == "/manifest.webmanifest"
        assert page.request.get("/manifest.webmanifest").status == 200
        assert hint.count() == 0
        sign_in_on_phone(page, "walker")
        page.get_by_text("Last sync").wait_for()
        hint.wait_for()
        screenshot(page, "install-hint")
        page.on("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="Sign in").wait_for()  # the in-place sign-in form
        page.wait_for_timeout(300)
        assert not hint.is_visible()
    finally:
        context.close()


def test_a_server_error_on_push_is_said_in_plain_words(phone, phone_plant):  # noqa: F811
    open_app(phone, "/s/PRS-04")
    failed = []

    def server_error(route):
        failed.append(route.request.url)
        route.fulfill(
            status=500,
            content_type="application/json",
            body='{"error": {"code": "internal", "message": "Internal Server Error"}}',
        )

    phone.route("**/api/v1/sync/push**", server_error)
    phone.get_by_label("Units completed").fill("40")
    phone.get_by_role("button", name="Save counts").click()
    said = "The server had a problem; your records are kept and will be sent again."
    phone.locator("#last-sync").filter(has_text="Server error · Last sync").wait_for()
    assert phone.locator("#last-sync").get_attribute("title").startswith(said)
    assert failed
    status_is(phone, "1 pending")
    assert "500" not in phone.locator("header").inner_text()
    screenshot(phone, "header-server-error")
    phone.unroute("**/api/v1/sync/push**")
    phone.get_by_role("button", name="Sync now").click()
    status_is(phone, "All synced")
    assert [record.value for record in server_records("count")] == [40.0]


def test_a_save_on_a_route_walk_offers_the_next_unvisited_stop(phone, phone_plant):  # noqa: F811
    open_app(phone)
    phone.get_by_label("Route").select_option(label="Morning loop")
    phone.get_by_role("button", name="Start walk").click()
    phone.get_by_role("list", name="Route stations").get_by_role("button").first.click()
    phone.get_by_role("heading", level=1).filter(has_text="PRS-04").wait_for()
    next_stop = phone.get_by_role("button", name="Next: QR-07 Leak test")
    assert next_stop.count() == 0  # offered after a save, not before
    phone.get_by_label("Units completed").fill("40")
    phone.get_by_role("button", name="Save counts").click()
    next_stop.wait_for()
    # A glove-sized button: measured in the page until it holds, since the save's sync
    # may draw the station again in between (CI once measured a button just taken away).
    phone.wait_for_function(
        """() => [...document.querySelectorAll("button")].some(
            (b) => b.textContent.includes("Next: QR-07") && b.getBoundingClientRect().height >= 48
        )"""
    )
    screenshot(phone, "walk-next-stop")
    next_stop.click()
    phone.get_by_role("heading", level=1).filter(has_text="QR-07").wait_for()
    phone.get_by_label("Units completed").fill("12")
    phone.get_by_role("button", name="Save counts").click()
    phone.locator("#toast").filter(has_text="Saved").wait_for()
    assert phone.get_by_role("button", name=re.compile("^Next:")).count() == 0  # all visited


FAKE_RECOGNIZER = """
window.SpeechRecognition = class extends EventTarget {
  start() {
    const event = new Event("result");
    event.results = [[{ transcript: "pallet blocking the aisle" }]];
    setTimeout(() => { this.dispatchEvent(event); this.dispatchEvent(new Event("end")); }, 50);
  }
  stop() { this.dispatchEvent(new Event("end")); }
};
"""


def test_speak_fills_a_text_field_where_the_browser_recognizes_speech(phone, phone_plant):  # noqa: F811
    phone.add_init_script(FAKE_RECOGNIZER)
    open_app(phone, "/s/PRS-04")
    phone.get_by_role("button", name="Add observation").click()
    description = phone.get_by_label("Description")
    description.fill("Near the press:")
    asked = []
    phone.on("request", lambda request: asked.append(request.url))
    phone.get_by_role("button", name="Speak").click()
    phone.wait_for_function(
        "() => document.querySelector('textarea[name=text]').value.includes('aisle')"
    )
    assert description.input_value() == "Near the press: pallet blocking the aisle"
    assert not [url for url in asked if "/api/" not in url]  # nothing of ours but sync
    screenshot(phone, "observation-speak")


def test_no_speak_button_where_the_browser_offers_no_recognition(phone, phone_plant):  # noqa: F811
    phone.add_init_script("delete window.SpeechRecognition; delete window.webkitSpeechRecognition;")
    open_app(phone, "/s/PRS-04")
    phone.get_by_role("button", name="Add observation").click()
    phone.get_by_label("Description").wait_for()
    assert phone.get_by_role("button", name="Speak").count() == 0


STORAGE_FULL = "This phone's storage is full: sync, or delete old photos"


def test_a_full_phone_says_so_keeps_the_form_and_saves_once_there_is_room(
    browser,
    live_server,
    phone_plant,  # noqa: F811
    tmp_path,
):
    """A browser profile on a small filesystem filled up is a phone whose storage is full:
    Chromium refuses the photo's write (its quota does not follow the free space)."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
    from tests.browser.test_app_browser import jpeg_bytes
    from tests.deploy.test_faults import fill, small_filesystem

    with small_filesystem(tmp_path / "profile", "size=64m,mode=0700") as profile:
        context = browser.browser_type.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=PHONE,
            base_url=live_server.url, has_touch=True,
        )  # fmt: skip
        try:
            context.set_default_timeout(15_000)
            page = context.pages[0]
            errors = []
            page.on("pageerror", lambda error: errors.append(error))
            open_app(page, "/s/PRS-04")
            live_server.stop()  # offline: the save stays on the phone
            page.get_by_role("button", name="Add observation").click()
            page.get_by_label("Category").select_option("safety")
            description = page.get_by_label("Description")
            description.fill("Oil on the walkway next to the press guard.")
            page.get_by_label("Photo").set_input_files(
                files=[{"name": "oil.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
            )
            filler = fill(profile)
            save = page.get_by_role("button", name="Save", exact=True)
            save.click()
            page.locator("form .error").filter(has_text=STORAGE_FULL).wait_for()
            screenshot(page, "observation-storage-full")
            # What was typed stays, and nothing was saved by half.
            assert description.input_value() == "Oil on the walkway next to the press guard."
            assert page.get_by_label("Category").input_value() == "safety"
            photos = page.get_by_role("list", name="Pictures taken").get_by_role("listitem")
            assert photos.count() == 1
            status_is(page, "All synced")

            filler.unlink()  # room again: the same Save works
            save.click()
            page.locator("#toast").filter(has_text="Saved").wait_for()
            status_is(page, "1 pending")
            assert errors == []
        finally:
            context.close()
