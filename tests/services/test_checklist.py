"""The set-up checklist on the admin start page (issue 14): each step done or not as the
database says, and what is missing in words."""

from floorwalk import catalog
from floorwalk.demo import load_demo
from floorwalk.extensions import db
from floorwalk.settings import set_setting
from tests.support import TEST_ITERATIONS

STEPS = [
    "Plant time zone and shifts",
    "Public URL",
    "Areas and stations",
    "Metrics and what each station counts",
    "Targets and min levels",
    "Employees",
    "Users and their areas",
    "Routes",
    "Labels printed",
    "First walk synced",
]


def checklist(configured_public_url=""):
    steps = catalog.setup_checklist(db.session, configured_public_url)
    assert [step.title for step in steps] == STEPS
    return {step.title: (step.done, step.detail) for step in steps}


def test_an_empty_plant_has_every_step_to_do_and_says_what_is_missing(app):
    steps = checklist()
    assert not any(done for done, _ in steps.values())
    assert steps["Plant time zone and shifts"][1] == (
        "The time zone is not set (UTC is assumed). No shifts yet."
    )
    assert steps["Areas and stations"][1].startswith("No stations yet")
    assert steps["Metrics and what each station counts"][1] == "No metrics yet."
    assert steps["Users and their areas"][1] == "No coordinator or supervisor can sign in yet."
    assert steps["First walk synced"][1].startswith("Nothing synced yet")


def test_a_half_set_up_plant_names_what_is_left(app, listed, make_station, make_user):
    set_setting(db.session, "timezone", "Europe/Warsaw")
    set_setting(db.session, "shifts", "A=06:00,B=14:00")
    for number in range(1, 5):
        make_station(code=f"WLD-0{number}", name=f"Welder {number}", area="Welding")
    make_user(role="coordinator")
    make_user(role="supervisor")
    db.session.commit()

    steps = checklist(configured_public_url="https://fw.example")
    assert steps["Plant time zone and shifts"] == (True, "Europe/Warsaw, shifts A=06:00,B=14:00.")
    assert steps["Public URL"] == (True, "Labels open https://fw.example/s/CODE.")
    assert steps["Areas and stations"] == (True, "2 areas, 5 active stations.")
    assert steps["Metrics and what each station counts"] == (
        False,
        "4 stations count nothing yet.",
    )
    assert steps["Targets and min levels"] == (False, "1 gauge has no min level.")
    assert steps["Employees"] == (False, "No employees yet.")
    assert steps["Users and their areas"] == (False, "1 supervisor has no area.")
    assert steps["Labels printed"][0] is False

    catalog.record_label_print(db.session, None, "station-labels.pdf", 5)
    assert checklist()["Labels printed"] == (True, "Labels downloaded 1 time.")


def test_the_demo_plant_is_set_up_but_for_the_public_url_and_labels(app):
    load_demo(db.session, iterations=TEST_ITERATIONS)
    db.session.commit()
    steps = checklist()
    left = [title for title, (done, _) in steps.items() if not done]
    assert left == ["Public URL", "Labels printed"]
    assert steps["Targets and min levels"][1] == (
        "20 targets, 40 min levels. 20 counts have no target "
        "(right where less is better, such as scrap)."
    )
    assert steps["Metrics and what each station counts"][1].endswith(
        "every active station counts at least one."
    )
