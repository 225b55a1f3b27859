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
