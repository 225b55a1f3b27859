"""Admin pages in a real browser: what only Chromium under the real CSP can show."""

import pytest

from floorwalk.extensions import db
from tests.services.test_metric_order import stored_order
from tests.support import screenshot


@pytest.mark.browser
def test_an_admin_moves_a_metric_with_a_gloved_thumb(phone, live_server, make_user, listed):
    """The move buttons sit inside the metrics form but submit their own small forms
    (``form="…"``); only a real browser shows that they do, under the real CSP."""
    admin = make_user("boss", role="admin")
    problems = []
    phone.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    phone.goto("/login")
    phone.get_by_label("Username").fill(admin.username)
    phone.get_by_label("Password").fill("correct horse battery")
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url(f"{live_server.url}/")
    phone.goto("/admin/stations/PRS-04")
    up = phone.get_by_role("button", name="Move Scrap up")
    for button in (up, phone.get_by_role("button", name="Move Scrap down")):
        box = button.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48
    assert phone.get_by_role("button", name="Move Units completed up").is_disabled()
    up.click()
    phone.wait_for_url(f"{live_server.url}/admin/stations/PRS-04#metric-scrap")
    legends = phone.locator(".metric-row legend").all_inner_texts()
    assert [text.split(" (")[0] for text in legends] == [
        "Scrap",
        "Units completed",
        "Material on hand",
        "Add a metric",
    ]
    screenshot(phone, "station-metrics-order")
    db.session.rollback()  # end the test's snapshot, to read what the server committed
    assert stored_order() == [(0, "scrap"), (1, "units_completed"), (2, "material_on_hand")]
    assert problems == []
