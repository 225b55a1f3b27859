"""The bell (DESIGN §9): the phone's header shows the unread count the last pull carried,
and the pages' header shows it too; each opens the inbox, which marks them read."""

import pytest
from sqlalchemy import select

from floorwalk.extensions import db
from floorwalk.models import User
from floorwalk.notifications.inbox import notify
from tests.browser.test_app_browser import open_app, phone_plant  # noqa: F401
from tests.support import beside_the_server, screenshot

pytestmark = pytest.mark.browser


def test_the_phone_and_the_pages_show_the_unread_count_and_open_the_inbox(
    phone,
    phone_plant,  # noqa: F811
):
    with beside_the_server() as session:
        walker = session.execute(select(User).where(User.username == "walker")).scalar_one()
        for n in range(2):
            notify(session, walker, "action_assigned", f"Action {n} for you", "Fix the guard",
                   "/walk", f"a{n}")  # fmt: skip
    open_app(phone)
    bell = phone.get_by_role("link", name="Notifications, 2 unread")
    bell.wait_for()
    assert phone.locator("#bell-count").inner_text() == "2"
    screenshot(phone, "phone-bell")
    header = phone.locator("header").bounding_box()
    assert header["height"] <= 56  # still one row
    bell.click()
    phone.wait_for_url("**/notifications")
    assert phone.get_by_role("link", name="Notifications, 2 unread").is_visible()
    assert phone.get_by_text("Action 1 for you").is_visible()
    phone.get_by_role("button", name="Mark all read").click()
    phone.get_by_role("link", name="Notifications, 0 unread").wait_for()
    db.session.commit()
