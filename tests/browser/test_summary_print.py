"""The summary page printed from Chromium: a one- or two-page report (issue 6)."""

from datetime import date

import pytest

from floorwalk.demo import load_demo
from floorwalk.extensions import db
from tests.support import TEST_ITERATIONS, print_pdf

pytestmark = pytest.mark.browser
# A demo loaded as of this day: every walk of the week before it is complete, whatever
# the clock says now, so the printed day is the same on every run.
DEMO_TODAY = date(2026, 2, 11)
PRINTED_DAY = "2026-02-10"


@pytest.fixture
def manager_page(browser, live_server):
    accounts = load_demo(db.session, today=DEMO_TODAY, iterations=TEST_ITERATIONS)
    db.session.commit()
    manager = next(a for a in accounts if a.role == "manager")
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto(f"/login?next=/summary/{PRINTED_DAY}")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(manager.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/summary/{PRINTED_DAY}")
    yield page
    context.close()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_demo_day_prints_on_at_most_two_pages(manager_page, paper):
    assert manager_page.get_by_role("heading", name="Alerts").is_visible()
    pages, text = print_pdf(manager_page, "summary-print", paper)
    assert pages <= 2
    # The report keeps what a manager reads it for.
    for heading in ("Alerts", "Coverage", "Counts against target", "Observations", "Last 14 days"):
        assert heading in text
    assert "PRS-01" in text and "ASM-08" in text  # every station's counts are on paper
