"""`floorwalk import records FILE.json`: a phone's export loaded with the push rules."""

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from floorwalk.extensions import db
from floorwalk.models import Record
from tests.factories import counts, push_body, record, stamp


def import_file(runner, tmp_path, body):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(body) if not isinstance(body, str) else body)
    return runner.invoke(args=["import", "records", str(path)])


def status_lines(output: str) -> dict[str, int]:
    lines = [line.split(": ") for line in output.splitlines() if line.isupper() or ": " in line]
    return {name: int(count) for name, count in lines if name.isupper()}


def test_an_export_is_imported_once_keeping_authors_and_device_times(
    runner, tmp_path, make_user, plant
):
    alice, bob = make_user(), make_user()
    long_ago = datetime.now(UTC) - timedelta(days=3)
    records = [*counts(alice, 600), record(bob, observed_at=long_ago), record(bob, station="NO-1")]
    body = push_body(*records, sent_at=datetime.now(UTC) - timedelta(days=3))
    first = import_file(runner, tmp_path, body)
    assert first.exit_code == 0, first.output
    assert status_lines(first.stdout) == {"CREATED": 601, "DUPLICATE": 0, "UPDATED": 0,
                                          "STALE": 0, "CONFLICT": 0, "REJECTED": 1}  # fmt: skip
    assert "station" in first.stderr
    again = import_file(runner, tmp_path, body)
    assert status_lines(again.stdout)["DUPLICATE"] == 601
    assert db.session.execute(select(func.count(Record.id))).scalar_one() == 601
    bobs = db.session.get(Record, uuid.UUID(records[600]["id"]))
    assert bobs.author_id == bob.id
    assert stamp(bobs.observed_at) == stamp(long_ago)  # no clock correction


def test_a_file_that_is_not_an_export_stores_nothing(runner, tmp_path, make_user, plant):
    result = import_file(runner, tmp_path, "{not json")
    assert result.exit_code != 0 and "not JSON" in result.output
    result = import_file(runner, tmp_path, {"device": "x"})
    assert result.exit_code != 0 and "records" in result.output
    assert db.session.execute(select(func.count(Record.id))).scalar_one() == 0
