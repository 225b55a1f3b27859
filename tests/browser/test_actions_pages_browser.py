"""The actions pages in a browser (DESIGN §9): the list and an action's page fit a
390 px phone and a 1280 px laptop without sideways scrolling, pass axe, and a move made
with the page's buttons sticks."""

from datetime import timedelta

import pytest

from floorwalk.extensions import db
from floorwalk.models import utcnow
from floorwalk.sync.push import apply_push
from tests.browser.test_phone_browser import AXE, serious_violations
from tests.factories import action_record, push_body, stamp, statuses
from tests.support import signed_in_page

pytestmark = pytest.mark.browser
SCREENS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}


@pytest.fixture
def long_action(action_people):
    people = action_people
    body = action_record(
        people["walker"], people["owner"], due=(utcnow().date() + timedelta(days=1)).isoformat(),
        title="Replace the cracked drip tray under the transfer press " * 3,
    )  # fmt: skip
    body["observed_at"] = stamp(utcnow() - timedelta(minutes=5))
    results = apply_push(db.session, people["walker"], push_body(body), utcnow())
    assert statuses({"results": results}) == ["created"]
    db.session.commit()
    return body


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm install)")
@pytest.mark.parametrize("screen", SCREENS)
def test_the_list_and_an_actions_page_fit_the_screen_and_pass_axe(
    browser, live_server, long_action, screen
):
    context, page = signed_in_page(browser, live_server, "owner", "/actions", SCREENS[screen])
    context.add_init_script(script=AXE.read_text())
    try:
        page.reload()
        assert fits(page) and serious_violations(page) == []
        page.get_by_role("link", name="Replace the cracked drip tray").first.click()
        page.get_by_role("heading", level=1).wait_for()
        assert fits(page) and serious_violations(page) == []
        page.get_by_label("Comment").fill("Tray ordered")
        page.get_by_role("button", name="Start").click()
        page.get_by_text("Action updated.").wait_for()
        assert page.get_by_text("Tray ordered").is_visible()
        assert page.get_by_role("button", name="Done").is_visible()
        assert not page.get_by_role("button", name="Start").is_visible()
    finally:
        context.close()
