"""Migration 0010 adds actions: the records table is copied on SQLite to widen its type
constraint, which must keep every record, its history and its photo links."""

import uuid
from datetime import UTC, datetime, timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from floorwalk.extensions import db
from floorwalk.models import Action, Record, RecordPhoto, RecordVersion
from floorwalk.sync.push import apply_push
from tests.factories import action_record, push_body, statuses


def counted(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_0010_keeps_records_history_and_photo_links_both_ways(app, make_user, make_record, plant):
    walker = make_user("walker")
    at = datetime.now(UTC) - timedelta(hours=1)
    photo = str(uuid.uuid4())
    data = {"category": "safety", "severity": "high", "text": "Oil", "photos": [photo]}
    observation = make_record(walker, "observation", plant["station"], at, data)
    now = datetime.now(UTC)
    due = (now.date() + timedelta(days=1)).isoformat()
    action = action_record(walker, walker, due=due, observed_at=now)
    assert statuses({"results": apply_push(db.session, walker, push_body(action), now)}) == [
        "created"
    ]
    db.session.commit()
    directory = app.extensions["migrate"].directory

    downgrade(directory=directory, revision="0009")
    db.session.expire_all()
    assert db.session.execute(select(Record.type)).scalars().all() == ["observation"]
    assert counted(RecordVersion) == 1
    assert db.session.execute(select(RecordPhoto.record_id)).scalar_one() == observation.id
    db.session.rollback()  # end the read, so the session sees the upgraded tables

    upgrade(directory=directory)
    again = action_record(walker, walker, due=due, observed_at=now)
    assert statuses({"results": apply_push(db.session, walker, push_body(again), now)}) == [
        "created"
    ]
    db.session.commit()
    assert counted(Action) == 1 and counted(RecordPhoto) == 1 and counted(RecordVersion) == 2
