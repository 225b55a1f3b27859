"""Every view of a day stays valid whatever was stored before the push checked ranges
(DESIGN §3): values out of range never count, no page answers 500, and no answer
carries Infinity or NaN, which are not JSON."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from floorwalk.extensions import db
from floorwalk.models import Record
from tests.support import sign_in

STORED_BEFORE = [1e308, 1e308, float("inf"), -5.0]


def strict_json(response):
    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(response.get_data(as_text=True), parse_constant=refuse)


@pytest.fixture
def odd_day(make_user, make_station, make_metric, make_record):
    """Today at PRS-01: a count of 40, counts stored out of range, and a downtime
    observation of 1e308 minutes; returns the production day."""
    station = make_station("PRS-01")
    make_metric()
    walker = make_user("walker")
    make_user("boss", "manager")
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    make_record(walker, "count", station, at, {"metric": "units_completed", "value": 40})
    for value in STORED_BEFORE:
        row = make_record(walker, "count", station, at, {"metric": "units_completed", "value": 1})
        db.session.execute(update(Record).where(Record.id == row.id).values(value=value))
    data = {"category": "machine", "severity": "high", "text": "Press down", "minutes": 30}
    row = make_record(walker, "observation", station, at, data)
    db.session.execute(update(Record).where(Record.id == row.id).values(minutes=1e308))
    db.session.commit()
    return row.production_day.isoformat()


def test_the_day_in_json_counts_only_values_in_range(client, odd_day):
    sign_in(client, "boss")
    response = client.get(f"/api/v1/summary/{odd_day}")
    assert response.status_code == 200
    summary = strict_json(response)
    (station,) = summary["stations"]
    assert station["counts"]["units_completed"]["total"] == 40
    assert summary["downtime"] == {"machine": 0}


@pytest.mark.parametrize("page", ["/summary", "/summary/{day}", "/stations/PRS-01"])
def test_the_pages_answer(client, odd_day, page):
    sign_in(client, "boss")
    response = client.get(page.format(day=odd_day))
    assert response.status_code == 200


def test_the_day_csv_counts_only_values_in_range(client, odd_day):
    sign_in(client, "boss")
    response = client.get(f"/summary/{odd_day}.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "inf" not in text and ",40," in text


def test_the_records_csv_writes_no_infinity(client, odd_day):
    sign_in(client, "boss")
    response = client.get(f"/summary/records.csv?from={odd_day}&to={odd_day}")
    assert response.status_code == 200
    assert "inf" not in response.get_data(as_text=True)


def test_json_answers_never_carry_infinity(app):
    from flask import jsonify

    with app.test_request_context():
        body = jsonify({"a": [float("inf"), 1.5, {"b": float("nan")}], "c": -float("inf")})
    assert json.loads(body.get_data(as_text=True)) == {"a": [None, 1.5, {"b": None}], "c": None}
