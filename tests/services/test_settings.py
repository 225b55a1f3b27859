"""``floorwalk settings set``: valid values are stored, invalid ones change nothing."""

import pytest

from floorwalk.extensions import db
from floorwalk.settings import get_settings, plant_clock


def test_settings_set_stores_a_timezone(runner):
    result = runner.invoke(args=["settings", "set", "timezone", "America/Chicago"])
    assert result.exit_code == 0, result.output
    assert "timezone = America/Chicago" in result.output
    assert plant_clock(db.session).timezone == "America/Chicago"


def test_setting_shifts_moves_the_day_start_to_the_first_shift(runner):
    result = runner.invoke(args=["settings", "set", "shifts", "A=05:30, B=13:30 ,C=21:30"])
    assert result.exit_code == 0, result.output
    assert get_settings(db.session)["shifts"] == "A=05:30,B=13:30,C=21:30"
    assert get_settings(db.session)["day_start"] == "05:30"
    assert "day_start = 05:30" in result.output


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "unknown timezone 'Mars/Olympus'"),
        ("day_start", "25:00", "'25:00' is not a time of day"),
        ("shifts", "A=06:00,B", "is not a shift"),
        ("public_url", "floorwalk.local/path", "is not a public URL"),
        ("timezone", "localtime", "'localtime' is not a place's timezone"),
        ("timezone", "Factory", "'Factory' is not a place's timezone"),
        ("public_url", "https://floor.example.com/?next=x", "is not a public URL"),
        ("public_url", "https://floor.example.com#top", "is not a public URL"),
        ("public_url", "https://floor.example.com/s", "is not a public URL"),
        ("public_url", "https://floor example.com", "is not a public URL"),
        ("public_url", "https://floor.example.com\x07x", "is not a public URL"),
        ("public_url", "https://admin@floor.example.com", "is not a public URL"),
        ("public_url", "javascript://floor.example.com", "is not a public URL"),
        ("public_url", "https://:443", "is not a public URL"),
    ],
)
def test_invalid_values_exit_non_zero_with_a_clear_message_and_change_nothing(
    runner, name, value, message
):
    before = get_settings(db.session)
    result = runner.invoke(args=["settings", "set", name, value])
    assert result.exit_code != 0
    assert message in result.output
    db.session.expire_all()
    assert get_settings(db.session) == before


def test_day_start_other_than_the_first_shift_start_is_refused(runner):
    shifts = runner.invoke(args=["settings", "set", "shifts", "A=06:00,B=14:00,C=22:00"])
    assert shifts.exit_code == 0
    result = runner.invoke(args=["settings", "set", "day_start", "07:00"])
    assert result.exit_code != 0
    assert "first shift's start (06:00)" in result.output
    assert get_settings(db.session)["day_start"] == "06:00"
    assert runner.invoke(args=["settings", "set", "day_start", "06:00"]).exit_code == 0


def test_unknown_setting_names_are_refused(runner):
    result = runner.invoke(args=["settings", "set", "colour", "blue"])
    assert result.exit_code != 0
    assert "timezone" in result.output


def test_settings_show_prints_every_setting(runner):
    runner.invoke(args=["settings", "set", "public_url", "https://floor.example.com/"])
    result = runner.invoke(args=["settings", "show"])
    assert "public_url = https://floor.example.com" in result.output
    assert "day_start = 06:00" in result.output
