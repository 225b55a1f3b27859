"""Migration 0005 mends what was stored out of DESIGN §3's ranges before the push
checked them: such counts are withdrawn (pull removes them from the phones), such
downtime minutes cleared, and it reports how many of each."""

from datetime import UTC, datetime, timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, update

from floorwalk.extensions import db
from floorwalk.models import Record
from floorwalk.sync.pull import pull


def test_0005_withdraws_counts_and_clears_minutes_out_of_range_and_reports_them(
    app, make_user, make_station, make_metric, make_record, capsys
):
    station = make_station("PRS-01")
    make_metric()
    walker = make_user("walker")
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    values = {1e308: None, -5.0: None, float("inf"): None, 40.0: None, 1e9: None}
    for value in values:
        row = make_record(walker, "count", station, at, {"metric": "units_completed", "value": 1})
        db.session.execute(update(Record).where(Record.id == row.id).values(value=value))
        values[value] = row.id
    data = {"category": "machine", "severity": "high", "text": "Press down", "minutes": 30}
    odd, fine = (make_record(walker, "observation", station, at, data) for _ in range(2))
    db.session.execute(update(Record).where(Record.id == odd.id).values(minutes=99_999.0))
    db.session.commit()
    cursor = pull(db.session, walker, None, datetime.now(UTC))["cursor"]
    db.session.commit()

    directory = app.extensions["migrate"].directory
    downgrade(directory=directory, revision="0004")
    capsys.readouterr()
    upgrade(directory=directory)
    report = capsys.readouterr().out
    assert "withdrew 3 count(s)" in report and "minutes of 1 observation(s)" in report

    db.session.expire_all()
    withdrawn = set(
        db.session.scalars(select(Record.id).where(Record.type == "count", Record.deleted))
    )
    assert withdrawn == {values[1e308], values[-5.0], values[float("inf")]}
    assert db.session.get(Record, odd.id).minutes is None
    assert db.session.get(Record, odd.id).deleted is False
    assert db.session.get(Record, fine.id).minutes == 30
    changes = pull(db.session, walker, cursor, datetime.now(UTC))
    assert set(changes["removed"]["records"]) == {str(record_id) for record_id in withdrawn}
