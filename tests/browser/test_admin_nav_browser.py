"""The admin sections and the main navigation fit every width: each link is on screen (on
a phone the sections behind one menu), not scrolled out of a strip or clipped; on a phone
the admin lists are cards."""

import pytest

from floorwalk.views.admin import SECTIONS
from tests.browser.conftest import PHONE
from tests.browser.test_phone_browser import AXE, serious_violations
from tests.support import screenshot

SIZES = {
    "phone": PHONE,
    "laptop": {"width": 1280, "height": 800},
    "monitor": {"width": 1920, "height": 1080},
}
# What the eye sees: the link's centre is the topmost thing there, inside the viewport.
ON_SCREEN = """link => {
    const box = link.getBoundingClientRect();
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    const inside = box.left >= 0 && box.top >= 0 && box.right <= innerWidth
        && box.bottom <= innerHeight;
    const hit = inside && document.elementFromPoint(x, y);
    return Boolean(hit && link.contains(hit));
}"""


def sign_in_as_admin(browser, live_server, make_user, viewport):
    make_user("boss", role="admin")
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def off_screen(links) -> list[str]:
    return [
        link.inner_text()
        for link in links.all()
        if not link.is_visible() or not link.evaluate(ON_SCREEN)
    ]


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
def test_every_admin_section_is_one_tap_or_one_menu_away_at_every_width(
    browser, live_server, make_user, size
):
    context, page = sign_in_as_admin(browser, live_server, make_user, SIZES[size])
    try:
        page.goto("/admin/stations")
        admin = page.get_by_role("navigation", name="Admin")
        main = page.get_by_role("navigation", name="Main").get_by_role("link")
        assert "Admin" in main.all_inner_texts() and off_screen(main) == []
        if size == "phone":
            # Eleven tabs would take five rows above every page: a menu names the section.
            menu = admin.get_by_text("Admin: Stations")
            assert admin.get_by_role("link").count() == 0
            menu.click()
        screenshot(page, f"admin-nav-{size}")
        tabs = admin.get_by_role("link")
        assert tabs.count() == len(SECTIONS)
        assert off_screen(tabs) == [], size
        for link in tabs.all():
            assert link.bounding_box()["height"] >= 48  # a gloved thumb
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
        tabs.filter(has_text="Users").click()
        page.wait_for_url("**/admin/users")
    finally:
        context.close()


@pytest.mark.browser
def test_on_a_phone_each_admin_list_row_is_a_card_with_every_cell_labelled(
    browser, live_server, make_user, make_station
):
    make_station("PRS-04", "Transfer press with a long name", "Press Shop")
    context, page = sign_in_as_admin(browser, live_server, make_user, PHONE)
    try:
        for path in ("/admin/stations", "/admin/users", "/admin/areas"):
            page.goto(path)
            row = page.locator("tbody tr").first
            row.scroll_into_view_if_needed()
            cells = row.get_by_role("cell")
            labels = [
                cell.evaluate("c => getComputedStyle(c, '::before').content")
                for cell in cells.all()
            ]
            headings = page.locator("thead th").all_text_contents()
            assert labels == [f'"{heading}"' for heading in headings], path
            assert off_screen(row.get_by_role("link")) == [], path
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        screenshot(page, "admin-cards-phone")
    finally:
        context.close()


def test_on_a_phone_the_day_plan_fits_the_screen(browser, live_server, make_user, make_station,
                                                 make_metric):  # fmt: skip
    """A station's schedule sits under its name: a third column ran the targets, with
    each shift's share, off a 390 px screen."""
    from floorwalk.extensions import db
    from floorwalk.models import StationMetric
    from floorwalk.settings import set_setting

    set_setting(db.session, "shifts", "A=06:00,B=14:00,C=22:00")
    station = make_station("PRS-04", "Transfer press with a long name", "Press Shop")
    metrics = [make_metric("units_completed"), make_metric("material_on_hand", kind="gauge")]
    station.metrics = [
        StationMetric(metric=metrics[0], position=0, target=420.0),
        StationMetric(metric=metrics[1], position=1, min_level=4.0),
    ]
    db.session.commit()
    context, page = sign_in_as_admin(browser, live_server, make_user, PHONE)
    try:
        page.goto("/admin/plan")
        assert page.get_by_text("Units completed: 420").is_visible()
        assert page.locator("table.plan td").first.inner_text().endswith("Scheduled")
        scroller = page.locator("table.plan").locator("..")
        assert scroller.evaluate("s => s.scrollWidth <= s.clientWidth")
        screenshot(page, "admin-plan-phone")
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm install)")
def test_on_a_phone_the_admin_home_and_the_import_pages_have_the_menu_and_fit(
    browser, live_server, make_user
):
    """The admin home and the import pages belong to no section: on a phone they showed no
    menu at all, and an import guide's third column was cut off at the card's edge."""
    context, page = sign_in_as_admin(browser, live_server, make_user, PHONE)
    context.add_init_script(script=AXE.read_text())
    try:
        for path in ("/admin/", "/admin/import/categories", "/admin/import/plan"):
            page.goto(path)
            admin = page.get_by_role("navigation", name="Admin")
            admin.get_by_text("Admin sections").click()
            assert admin.get_by_role("link").count() == len(SECTIONS), path
            assert serious_violations(page) == [], path  # the example's scroll is focusable
            guide = page.locator(".csv-guide")
            if guide.count():
                assert guide.evaluate(
                    "t => t.parentElement.scrollWidth <= t.parentElement.clientWidth"
                ), path
        screenshot(page, "admin-import-phone")
    finally:
        context.close()
