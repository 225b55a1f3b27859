"""Records as the server stores them: typed columns, production day, content hash."""

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from ..days import PlantClock

# Fields that do not make a record's content: sending the same record again at another
# version or with another clock offset is still the same content.
NOT_CONTENT = {"version", "offset_ms"}


def content_hash(body: dict[str, Any]) -> str:
    """SHA-256 of the record's canonical JSON as sent, without version and offset_ms."""
    content = {key: value for key, value in body.items() if key not in NOT_CONTENT}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def typed_columns(type_: str, data: dict[str, Any], lookups: dict[str, Any]) -> dict[str, Any]:
    """The columns summaries aggregate, taken from ``data``; ``lookups`` maps keys to rows."""
    columns: dict[str, Any] = {
        "metric_id": None,
        "value": None,
        "category_id": None,
        "severity": None,
        "minutes": None,
        "employee_id": None,
        "text": None,
    }
    if type_ == "count":
        columns.update(metric_id=lookups["metric"].id, value=data["value"], text=data.get("note"))
    elif type_ == "observation":
        columns.update(
            category_id=lookups["category"].id,
            severity=data["severity"],
            text=data["text"],
            minutes=data.get("minutes"),
        )
    elif type_ == "employee_note":
        columns.update(employee_id=lookups["employee"].id, text=data["text"])
    return columns


def record_columns(
    body: dict[str, Any],
    author_id: int,
    station_id: int | None,
    observed_at: datetime,
    clock: PlantClock,
    lookups: dict[str, Any],
    received_at: datetime,
    typed_data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Every column of a record's row at the version in ``body`` (a push record as sent),
    but its status and change number, which the server owns.

    ``observed_at`` is the instant after clock correction; the time as sent is kept too.
    ``typed_data`` is ``data`` as validated (numbers as numbers), for the typed columns.
    """
    day, shift = clock.day_and_shift(observed_at)
    walk = body.get("walk")
    return {
        "id": uuid.UUID(str(body["id"])),
        "type": body["type"],
        "version": body["version"],
        "content_hash": content_hash(body),
        "deleted": bool(body.get("deleted", False)),
        "author_id": author_id,
        "station_id": station_id,
        "walk_id": uuid.UUID(str(walk)) if walk else None,
        "observed_at": observed_at,
        "device_observed_at": body["observed_at"],
        "offset_ms": body.get("offset_ms"),
        "received_at": received_at,
        "updated_at": received_at,
        "production_day": day,
        "shift": shift,
        "data": body["data"],
        **typed_columns(body["type"], typed_data or body["data"], lookups),
    }
