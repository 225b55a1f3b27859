"""The first hour (issue 14): a new admin goes from an empty database to printed labels
and a first synced walk using only the pages, the set-up checklist marking each step.

The only thing made outside the pages is the first admin, with the command the README
gives (`floorwalk users create admin --role admin --password-stdin`). The admin browses
at the server's own address (http://127.0.0.1:PORT); phones reach it as
http://localhost:PORT, which is the public URL the labels must name. Every admin page
passed through is checked with axe-core.
"""

import pypdfium2
import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_app_browser import status_is, wait_until_sent
from tests.services.test_checklist import STEPS
from tests.services.test_labels import decode_pdf
from tests.support import ARTIFACTS, AXE, PASSWORD, axe_violations, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm install)"),
]
LAPTOP = {"width": 1280, "height": 800}
PARTS = ("mark", "detail")  # of each checklist step: "Done" or "To do", and what it says
SHIFTS = "A=06:00,B=14:00,C=22:00"


class Admin:
    """The admin's laptop: each page is opened by clicking, as a person would, and
    checked with axe-core once it has loaded."""

    def __init__(self, page):
        self.page = page
        self.checked: dict[str, list[str]] = {}

    def axe(self, at: str = "") -> None:
        """axe-core's violations on the page as it shows now, kept by URL (every visit)."""
        self.checked.setdefault(self.page.url + at, []).extend(axe_violations(self.page))

    def go(self, link, heading: str) -> None:
        """Click and wait for the next page (the same URL too: a stale page would do);
        then its heading, and axe-core."""
        with self.page.expect_navigation():
            link.click()
        self.page.get_by_role("heading", level=1, name=heading).wait_for()
        self.axe()

    def section(self, name: str) -> None:
        """An admin section, from its tab."""
        self.go(
            self.page.get_by_role("navigation", name="Admin").get_by_role("link", name=name), name
        )

    def click(self, name: str, heading: str) -> None:
        self.go(self.page.get_by_role("link", name=name, exact=True), heading)

    def fill(self, fields: dict[str, str]) -> None:
        for label, text in fields.items():
            self.page.get_by_label(label, exact=True).fill(text)

    def add(self, section: str, thing: str, fields: dict, choices: dict, saved: str) -> None:
        """From a section's tab, its "Add …" button; the form filled in (``choices``:
        selects by option, or checkboxes when the option is True) and saved."""
        self.section(section)
        self.click(f"Add {thing}", f"New {thing}")
        self.fill(fields)
        for label, option in choices.items():
            field = self.page.get_by_label(label, exact=True)
            field.check() if option is True else field.select_option(option)
        self.save(saved)

    def save(self, message: str, button="Save") -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button, exact=True).click()
        self.page.get_by_text(message, exact=True).wait_for()  # the flashed message
        self.axe()

    def checklist(self) -> dict[str, tuple[str, str]]:
        """The start page's checklist as it reads: step -> (its mark, what it says)."""
        self.go(
            self.page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin"),
            "Admin",
        )
        region = self.page.get_by_role("region", name="Set-up checklist")
        steps = {}
        for item in region.get_by_role("listitem").all():
            mark, detail = (item.locator(f".checklist-{part}").inner_text() for part in PARTS)
            steps[item.get_by_role("link").inner_text()] = (mark, detail)
        assert list(steps) == STEPS
        return steps

    def done(self, *names: str) -> dict[str, tuple[str, str]]:
        """The checklist after a step: the first ``names`` steps are done, the rest not."""
        steps = self.checklist()
        for name in STEPS:
            assert steps[name][0] == ("Done" if name in names else "To do"), (name, steps)
        return steps


def new_context(browser, base_url, viewport):
    context = browser.new_context(viewport=viewport, base_url=base_url)
    context.set_default_timeout(15_000)
    context.add_init_script(script=AXE.read_text())  # under the page's CSP, as the app is
    return context


def sign_in(page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def first_admin(runner) -> None:
    """The first admin, made as the README says a plant makes it."""
    command = ["users", "create", "admin", "--role", "admin", "--password-stdin"]
    result = runner.invoke(args=command, input=PASSWORD + "\n")
    assert result.exit_code == 0 and "Created admin admin." in result.output, result.output


def plant_settings(admin: Admin, own_url: str, phones_url: str) -> None:
    page = admin.page
    admin.go(page.get_by_role("link", name="Plant time zone and shifts"), "Settings")
    page.get_by_label("Timezone").select_option("Europe/Warsaw")
    admin.fill({"Shifts": SHIFTS})
    # Offered the address the admin is browsing; saved with the form.
    assert page.get_by_label("Public URL").input_value() == own_url
    admin.save("Settings saved.")
    steps = admin.done(*STEPS[:2])
    assert steps["Plant time zone and shifts"][1] == f"Europe/Warsaw, shifts {SHIFTS}."
    assert steps["Public URL"][1] == f"Labels open {own_url}/s/CODE."
    # The phones reach the server by another name: that is what the labels must carry.
    admin.go(page.get_by_role("link", name="Public URL"), "Settings")
    admin.fill({"Public URL": phones_url})
    admin.save("Settings saved.")
    assert admin.done(*STEPS[:2])["Public URL"][1] == f"Labels open {phones_url}/s/CODE."


def area_and_stations(admin: Admin) -> None:
    admin.add("Areas", "area", {"Name": "Assembly"}, {}, "Saved area Assembly.")
    for code, name in (("ASM-01", "Press fit"), ("ASM-02", "Leak test")):
        fields = {"Code": code, "Name": name, "Area": "Assembly"}
        admin.add("Stations", "station", fields, {}, f"Added station {code}; now list its metrics.")
    steps = admin.done(*STEPS[:3])
    assert steps["Areas and stations"][1] == "1 area, 2 active stations."
    assert steps["Metrics and what each station counts"][1] == "No metrics yet."


def metric_and_targets(admin: Admin) -> None:
    fields = {"Key": "units_completed", "Label": "Units completed", "Unit": "pcs"}
    admin.add("Metrics", "metric", fields, {"Kind": "tally"}, "Saved metric units_completed.")
    steps = admin.done(*STEPS[:3])
    assert steps["Metrics and what each station counts"][1] == "2 stations count nothing yet."
    for code, target in (("ASM-01", "120"), ("ASM-02", "80")):
        admin.section("Stations")
        admin.click(code, f"Station {code}")
        admin.page.get_by_label("Metric").select_option("units_completed")
        admin.page.get_by_label("Target").fill(target)
        admin.save(f"Saved the metrics of {code}.", button="Save metrics")
    steps = admin.done(*STEPS[:5])
    assert steps["Targets and min levels"][1] == "2 targets, 0 min levels."


def people(admin: Admin) -> None:
    fields, area = {"Badge": "E1001", "Name": "Maria Gonzalez"}, {"Area": "Assembly"}
    admin.add("Employees", "employee", fields, area, "Saved employee E1001.")
    assert admin.done(*STEPS[:6])["Employees"][1] == "1 active employee."

    fields, choices = {"Username": "cora", "Password": PASSWORD}, {"Role": "coordinator"}
    choices["Assembly"] = True  # the area's checkbox
    admin.add("Users", "user", fields, choices, "Added coordinator cora.")
    admin.section("Users")
    row = admin.page.get_by_role("row").filter(has_text="cora")
    assert row.get_by_role("cell").all_inner_texts() == ["cora", "coordinator", "Assembly", "yes"]
    assert admin.done(*STEPS[:7])["Users and their areas"][1] == "1 coordinator or supervisor."


def route(admin: Admin) -> None:
    fields = {"Name": "Morning loop", "Stations, in walking order": "ASM-01\nASM-02"}
    admin.add("Routes", "route", fields, {"Area": "Assembly"}, "Saved route Morning loop.")
    admin.section("Routes")
    row = admin.page.get_by_role("row").filter(has_text="Morning loop")
    assert "ASM-01 → ASM-02" in row.inner_text()
    assert admin.done(*STEPS[:8])["Routes"][1] == "1 route with stops."


def print_labels(admin: Admin, phones_url: str) -> None:
    """The route's sheet, from its "Labels" link: a PDF with both stations in walking
    order, each QR naming the phones' address."""
    admin.section("Routes")
    row = admin.page.get_by_role("row").filter(has_text="Morning loop")
    # The sheet opens in the browser's PDF viewer, to print from there: keep the bytes the
    # browser received on their way to it.
    received = []

    def keep(route) -> None:
        response = route.fetch()
        received.append((response.headers["content-type"], response.body()))
        route.fulfill(response=response)

    admin.page.route("**/admin/labels.pdf?*", keep)
    row.get_by_role("link", name="Labels").click()
    admin.page.wait_for_url("**/admin/labels.pdf?*")
    admin.page.go_back()  # printed: back to the admin pages
    ((kind, pdf),) = received
    assert kind == "application/pdf" and pdf.startswith(b"%PDF-")
    (ARTIFACTS / "first-hour-labels.pdf").write_bytes(pdf)
    assert decode_pdf(pdf)[0] == [f"{phones_url}/s/ASM-01", f"{phones_url}/s/ASM-02"]
    document = pypdfium2.PdfDocument(pdf)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    for words in ("ASM-01", "Press fit", "ASM-02", "Leak test"):
        assert words in text
    assert admin.done(*STEPS[:9])["Labels printed"][1] == "Labels downloaded 1 time."


def first_walk(browser, phones_url: str) -> None:
    """The coordinator scans the first label: the phone opens /s/ASM-01, asks them to
    sign in, and the count they log reaches the server."""
    context = new_context(browser, phones_url, PHONE)
    errors = []
    try:
        phone = context.new_page()
        phone.on("pageerror", lambda error: errors.append(error))
        phone.goto("/s/ASM-01")
        phone.get_by_role("heading", name="Sign in").wait_for()
        sign_in(phone, "cora")
        phone.wait_for_url("**/s/ASM-01")
        heading = phone.get_by_role("heading", level=1)
        heading.filter(has_text="Press fit").wait_for()
        assert "ASM-01" in heading.inner_text()
        phone.get_by_role("button", name="Add count").click()
        phone.get_by_label("Metric").select_option("units_completed")
        phone.get_by_label("Value").fill("40")
        phone.get_by_role("button", name="Save").click()
        wait_until_sent(phone)
        status_is(phone, "All synced")
        screenshot(phone, "first-hour-first-count")
    finally:
        context.close()
    assert errors == []


def test_a_new_admin_goes_from_an_empty_database_to_labels_and_a_first_synced_walk(
    browser, live_server, runner
):
    first_admin(runner)
    own_url = f"http://127.0.0.1:{live_server.port}"
    phones_url = live_server.url  # http://localhost:PORT
    context = new_context(browser, own_url, LAPTOP)
    try:
        page = context.new_page()
        page.goto("/login")
        sign_in(page, "admin")
        page.wait_for_url(f"{own_url}/")
        admin = Admin(page)
        steps = admin.done()
        assert "0 of 10 steps done. Next: Plant time zone and shifts." in region_text(page)
        assert steps["Public URL"][1].startswith("Not set")
        on_a_phone(admin, "first-hour-checklist-empty")

        plant_settings(admin, own_url, phones_url)
        area_and_stations(admin)
        metric_and_targets(admin)
        people(admin)
        route(admin)
        print_labels(admin, phones_url)
        first_walk(browser, phones_url)

        steps = admin.done(*STEPS)
        assert steps["First walk synced"][1] == "2 records synced."  # the visit and the count
        assert "Every step is done." in region_text(page)
        on_a_phone(admin, "first-hour-checklist-done")
        assert len(admin.checked) >= 15  # each page axe-core read, by its URL
        assert admin.checked == {url: [] for url in admin.checked}
    finally:
        context.close()


def region_text(page) -> str:
    return page.get_by_role("region", name="Set-up checklist").inner_text()


def on_a_phone(admin: Admin, name: str) -> None:
    """The checklist at phone size, read by axe-core and in a screenshot; then back to
    the laptop."""
    admin.page.set_viewport_size(PHONE)
    admin.page.get_by_role("heading", name="Set-up checklist").scroll_into_view_if_needed()
    screenshot(admin.page, name)
    admin.axe(" at 390 px")
    admin.page.set_viewport_size(LAPTOP)
