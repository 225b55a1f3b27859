"""Devices (DESIGN §11) end to end: a phone holding records the server refused reports
them on its next sync, and the admin's device list shows that count."""

import pytest

from tests.browser.test_app_browser import (
    PASSWORD,
    note_about_a_forgotten_employee,
    open_app,
    phone_plant,  # noqa: F401 (a fixture)
    status_is,
)

pytestmark = pytest.mark.browser


def reported_device():
    from sqlalchemy import select

    from floorwalk.extensions import db
    from floorwalk.models import Device

    db.session.commit()  # a fresh snapshot: the server wrote it in its own transaction
    return db.session.scalars(select(Device)).one_or_none()


def test_a_phone_reports_its_unsent_records_and_the_admin_sees_them(
    phone,
    live_server,
    make_user,
    phone_plant,  # noqa: F811
):

    open_app(phone, "/s/PRS-04")
    device = reported_device()
    assert device is not None and device.user.username == "walker" and device.pending == 0
    # Two notes naming an employee the server no longer knows: refused, they stay on
    # the phone, the only copy.
    note_about_a_forgotten_employee(phone, live_server)
    phone.get_by_role("button", name="Sync now").click()
    status_is(phone, "All synced")
    for _ in range(100):
        device = reported_device()
        if device.pending == 2:
            break
        phone.wait_for_timeout(100)
    assert device.pending == 2 and device.app

    admin = make_user("boss", role="admin")
    desk = phone.context.browser.new_context(base_url=live_server.url)
    try:
        page = desk.new_page()
        page.goto("/login?next=/admin/devices")
        page.get_by_label("Username").fill(admin.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/admin/devices")
        row = page.get_by_role("row").filter(has_text=str(device.id))
        cells = [text.strip() for text in row.get_by_role("cell").all_inner_texts()]
        assert cells[1] == "walker" and cells[2] == device.app and cells[4] == "2"
        page.get_by_role("navigation").get_by_role("link", name="Devices").wait_for()
    finally:
        desk.close()
