"""Values and dates a push accepts (DESIGN §3): a count from 0 to 1,000,000,000, downtime
minutes from 0 to 1,440, an observed time from 2000-01-01 to five minutes after receipt.
Anything else is rejected by field, record by record, and the rest of the push is stored."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from floorwalk.extensions import db
from floorwalk.models import Record
from tests.factories import push_body, record, statuses
from tests.support import sign_in


def post_push(client, token, body):
    return client.post("/api/v1/sync/push", json=body, headers={"X-CSRFToken": token})


def stored() -> int:
    return db.session.execute(select(func.count()).select_from(Record)).scalar_one()


def an_hour_ago() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def between_good_ones(user, bad: dict, **envelope) -> dict:
    """A push of a good count, ``bad``, and another good count."""
    good = [record(user, observed_at=an_hour_ago(), offset_ms=0) for _ in range(2)]
    return push_body(good[0], bad, good[1], **envelope)


def push_between_good_ones(client, token, user, bad, **envelope) -> dict:
    response = post_push(client, token, between_good_ones(user, bad, **envelope))
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    assert statuses(answer) == ["created", "rejected", "created"]
    assert stored() == 2
    return answer["results"][1]["errors"]


@pytest.mark.parametrize("value", [-1, -0.5, 1_000_000_001, 1e308, 10**30])
def test_a_count_out_of_range_is_rejected_by_field(client, signed_in, plant, value):
    user, token = signed_in()
    bad = record(
        user, observed_at=an_hour_ago(), data={"metric": "units_completed", "value": value}
    )
    errors = push_between_good_ones(client, token, user, bad)
    assert list(errors) == ["data.value"]
    assert "1000000000" in errors["data.value"][0]


@pytest.mark.parametrize("minutes", [-1, 1441, 1e308])
def test_downtime_minutes_out_of_range_are_rejected_by_field(client, signed_in, plant, minutes):
    user, token = signed_in()
    data = {"category": "machine", "severity": "high", "text": "Stopped", "minutes": minutes}
    bad = record(user, "observation", observed_at=an_hour_ago(), data=data)
    errors = push_between_good_ones(client, token, user, bad)
    assert list(errors) == ["data.minutes"]


def test_the_ends_of_the_ranges_are_stored(client, signed_in, plant):
    user, token = signed_in()
    at = an_hour_ago()
    body = push_body(
        record(user, observed_at=at, data={"metric": "units_completed", "value": 0}),
        record(user, observed_at=at, data={"metric": "units_completed", "value": 1_000_000_000}),
        record(user, "observation", observed_at=at,
               data={"category": "machine", "severity": "low", "text": "x", "minutes": 1440}),
    )  # fmt: skip
    assert statuses(post_push(client, token, body).get_json()) == ["created"] * 3


EXTREME = {
    "the last instant of year 9999": {"observed_at": "9999-12-31T23:59:59+00:00"},
    "the first instant of year 1": {"observed_at": "0001-01-01T00:00:00+00:00"},
    "year 9999 west of UTC": {"observed_at": "9999-12-31T23:00:00-05:00"},
    "year 1 east of UTC": {"observed_at": "0001-01-01T01:00:00+05:00"},
    "a year-1 time with a large offset": {
        "observed_at": "0001-01-01T12:00:00+00:00",
        "offset_ms": 10 * 365 * 24 * 3600 * 1000,
    },
    "just before 2000": {"observed_at": "1999-12-31T23:59:59+00:00"},
}


@pytest.mark.parametrize("fields", EXTREME.values(), ids=EXTREME.keys())
def test_an_extreme_observed_time_is_rejected_and_the_others_stored(
    client, signed_in, plant, fields
):
    user, token = signed_in()
    errors = push_between_good_ones(client, token, user, {**record(user), **fields})
    assert list(errors) == ["observed_at"]
    assert "check the phone's date" in errors["observed_at"][0]


def test_a_send_time_in_year_9999_rejects_the_records_it_would_correct(client, signed_in, plant):
    user, token = signed_in()
    bad = record(user, observed_at=an_hour_ago())  # no offset_ms: corrected by sent_at
    errors = push_between_good_ones(
        client, token, user, bad, sent_at=datetime.max.replace(tzinfo=UTC)
    )
    assert "before 2000-01-01" in errors["observed_at"][0]


def test_a_time_more_than_five_minutes_ahead_is_rejected_but_four_minutes_is_kept(
    client, signed_in, plant
):
    user, token = signed_in()
    now = datetime.now(UTC)
    ahead = record(user, observed_at=now + timedelta(minutes=10))
    close = record(user, observed_at=now + timedelta(minutes=4))
    answer = post_push(client, token, push_body(ahead, close)).get_json()
    assert statuses(answer) == ["rejected", "created"]
    assert "more than 5 minutes after" in answer["results"][0]["errors"]["observed_at"][0]


def test_a_time_corrected_into_the_window_is_kept(client, signed_in, plant):
    """A phone whose clock is an hour fast: its record is corrected, not refused."""
    user, token = signed_in()
    now = datetime.now(UTC)
    fast = record(user, observed_at=now + timedelta(hours=1), offset_ms=3_600_000)
    answer = post_push(client, token, push_body(fast, sent_at=now + timedelta(hours=1)))
    assert statuses(answer.get_json()) == ["created"]
    kept = db.session.scalars(select(Record.observed_at)).one()
    assert abs(kept - now) < timedelta(minutes=1)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31"])
@pytest.mark.parametrize("url", ["/summary/{day}", "/api/v1/summary/{day}", "/summary/{day}.csv"])
def test_a_summary_of_a_day_off_the_calendar_is_a_404_that_says_why(client, make_user, day, url):
    make_user("boss", "manager")
    sign_in(client, "boss")
    response = client.get(url.format(day=day))
    assert response.status_code == 404
    assert "days run from 2000-01-01" in response.get_data(as_text=True)
