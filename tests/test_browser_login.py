"""Signing in with a real browser at phone size, under the real CSP."""

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.browser


def test_a_coordinator_signs_in_on_a_phone_without_csp_violations(live_server, phone, make_user):
    make_user("maria", "supervisor", areas=["Press Shop"])
    page = phone.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server}/")
    assert page.url.endswith("/login?next=/")
    screenshot(page, "login")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("heading", name="Hello, maria").is_visible()
    screenshot(page, "home")
    assert problems == []


def test_the_sign_in_button_and_fields_are_big_enough_for_gloves(live_server, phone):
    page = phone.new_page()
    page.goto(f"{live_server}/login")
    for control in (
        page.get_by_label("Username"),
        page.get_by_label("Password"),
        page.get_by_role("button", name="Sign in"),
    ):
        box = control.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48


def test_a_wrong_password_is_shown_beside_the_form(live_server, phone, make_user):
    make_user("maria")
    page = phone.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "Unknown username or wrong password."
    screenshot(page, "login-error")
