"""Push bodies as a phone makes them, for the sync tests."""

import uuid
from datetime import UTC, datetime, timedelta

OBSERVED = datetime(2026, 11, 24, 14, 3, 12, 345000, tzinfo=UTC)


def stamp(instant: datetime) -> str:
    return instant.isoformat(timespec="milliseconds")


def record(
    author,
    type_="count",
    version=1,
    record_id=None,
    station="PRS-04",
    data=None,
    observed_at=OBSERVED,
    **fields,
) -> dict:
    """One record of a push; a count of 40 units at PRS-04 unless told otherwise."""
    if data is None:
        data = {
            "visit": {},
            "count": {"metric": "units_completed", "value": 40},
            "observation": {
                "category": "safety",
                "severity": "high",
                "text": "Oil on floor",
                "photos": [],
            },
            "employee_note": {"employee": "E1001", "kind": "recognition", "text": "Good catch"},
            "walk": {"started_at": stamp(observed_at)},
        }[type_]
    body = {
        "id": str(record_id or uuid.uuid4()),
        "type": type_,
        "station": None if type_ == "walk" else station,
        "author": getattr(author, "id", author),
        "version": version,
        "observed_at": stamp(observed_at),
        "walk": None,
        "data": data,
    }
    body.update(fields)
    return body


def push_body(*records, sent_at=None, **envelope) -> dict:
    body = {"device": str(uuid.uuid4()), "app": "1.0.0", "schema": 1, "records": list(records)}
    if sent_at is not None:
        body["sent_at"] = stamp(sent_at)
    body.update(envelope)
    return body


def counts(author, n, start=OBSERVED) -> list[dict]:
    return [
        record(
            author,
            data={"metric": "units_completed", "value": i},
            observed_at=start + timedelta(seconds=i),
        )
        for i in range(n)
    ]


def statuses(answer) -> list[str]:
    return [result["status"] for result in answer["results"]]
