"""The admin tabs and the main navigation fit every width: each link is on screen, not
scrolled out of a strip or clipped, on a phone, a laptop and a wide monitor."""

import pytest

from floorwalk.views.admin import SECTIONS
from tests.browser.conftest import PHONE
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


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
def test_every_admin_tab_is_visible_at_every_width(browser, live_server, make_user, size):
    make_user("boss", role="admin")
    context = browser.new_context(viewport=SIZES[size], base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("Username").fill("boss")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        page.goto("/admin/stations")
        tabs = page.get_by_role("navigation", name="Admin").get_by_role("link")
        main = page.get_by_role("navigation", name="Main").get_by_role("link")
        assert tabs.count() == len(SECTIONS) and "Admin" in main.all_inner_texts()
        screenshot(page, f"admin-nav-{size}")
        hidden = [
            link.inner_text()
            for link in tabs.all() + main.all()
            if not link.is_visible() or not link.evaluate(ON_SCREEN)
        ]
        assert hidden == [], f"{size}: {hidden}"
        for link in tabs.all():
            box = link.bounding_box()
            assert box["height"] >= 48  # a gloved thumb
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    finally:
        context.close()
