"""Signing in with a real browser at phone size, under the real CSP."""

import pytest

from tests.support import screenshot

pytestmark = pytest.mark.browser


def test_a_supervisor_signs_in_on_a_phone_without_csp_violations(live_server, phone, make_user):
    make_user("maria", "supervisor", areas=["Press Shop"])
    problems = []
    phone.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    phone.goto("/")
    assert phone.url.endswith("/login?next=/")
    screenshot(phone, "login")
    phone.get_by_label("Username").fill("maria")
    phone.get_by_label("Password").fill("correct horse battery")
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url(f"{live_server.url}/")
    assert phone.get_by_role("heading", name="Hello, maria").is_visible()
    screenshot(phone, "home")
    assert problems == []


def test_the_sign_in_button_and_fields_are_big_enough_for_gloves(live_server, phone):
    phone.goto("/login")
    for control in (
        phone.get_by_label("Username"),
        phone.get_by_label("Password"),
        phone.get_by_role("button", name="Sign in"),
    ):
        box = control.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48


def test_a_wrong_password_is_shown_beside_the_form(live_server, phone, make_user):
    make_user("maria")
    phone.goto("/login")
    phone.get_by_label("Username").fill("maria")
    phone.get_by_label("Password").fill("not the password")
    phone.get_by_role("button", name="Sign in").click()
    assert phone.get_by_role("alert").inner_text() == "Unknown username or wrong password."
    screenshot(phone, "login-error")
