"""Push (DESIGN §3): every record stored exactly once, whatever the network does.

A push runs in two steps. ``check_push`` loads the records (``fastload``), checks them
and looks up what they name in one query per kind, reading only; ``store_push`` then,
in the writing transaction, answers each record against its id's stored state and
writes (``store``). The push view switches SQLite to writing between the two.
"""

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..actions.book import record_problems
from ..database import begin_writing
from ..models import ACTION_RECORD_TYPES, Category, Employee, Metric, Route, Station, User
from ..notifications.events import alert_new_observations
from ..settings import plant_clock
from .answers import flat_errors
from .fastload import load_record
from .records import record_columns
from .schemas import MAX_RECORDS, PushSchema
from .store import store_records

STATUSES = ("created", "duplicate", "updated", "stale", "conflict", "rejected")
CLOCK_TOLERANCE = timedelta(minutes=2)
# DESIGN §3: after correction, a record lies between these and its receipt (plus a
# little, for a clock that was not corrected because it drifted by under two minutes).
EARLIEST_OBSERVED = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(minutes=5)


def corrected_time(
    observed_at: datetime, offset_ms: int | None, sent_at: datetime | None, now: datetime
) -> datetime:
    """``observed_at`` on the server's clock (DESIGN §3).

    ``offset_ms`` is the device clock minus the server's when the record was captured;
    without it, ``sent_at`` against ``now`` gives the skew at sending. Skews up to two
    minutes are left alone, and a correction never moves a record past its receipt.
    """
    if offset_ms is not None:
        skew = timedelta(milliseconds=offset_ms)
    elif sent_at is not None:
        skew = sent_at - now
    else:
        return observed_at
    if abs(skew) <= CLOCK_TOLERANCE:
        return observed_at
    try:
        return min(observed_at - skew, now)
    except OverflowError:
        if skew < timedelta(0):  # past the calendar's end, so after receipt
            return now
        raise


def observed_instant(
    values: dict[str, Any], sent_at: datetime | None, now: datetime, correct_clock: bool
) -> datetime:
    """The record's ``observed_at`` on the server's clock, within DESIGN §3's window
    (2000-01-01 to five minutes after receipt); ValueError saying why it is not. A time
    that correction would carry past the calendar's ends is out of the window too."""
    observed_at = values["observed_at"]
    try:
        if correct_clock:
            observed_at = corrected_time(observed_at, values.get("offset_ms"), sent_at, now)
    except OverflowError:  # corrected to before the calendar's start
        observed_at = EARLIEST_OBSERVED - timedelta(days=1)
    try:
        observed_at = observed_at.astimezone(UTC)
        early, late = observed_at < EARLIEST_OBSERVED, observed_at > now + FUTURE_TOLERANCE
    except OverflowError:  # year 1 or 9999 with an offset that leaves the calendar
        early = observed_at < now
        late = not early
    if early:
        raise ValueError(
            "The time observed is before 2000-01-01 after clock correction: check the phone's date."
        )
    if late:
        raise ValueError(
            "The time observed is more than 5 minutes after the server received it: "
            "check the phone's date."
        )
    return observed_at


@dataclass
class Item:
    """One record of the push, from what was sent to its answer."""

    raw: Any
    values: dict[str, Any] | None = None
    columns: dict[str, Any] | None = None
    photos: list[uuid.UUID] = field(default_factory=list)
    result: dict[str, Any] | None = None

    def reject(self, errors: dict[str, list[str]]) -> None:
        self.values = self.columns = None
        self.result = {"id": _raw_id(self.raw), "status": "rejected", "errors": errors}


def _raw_id(raw: Any) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None


class Catalog:
    """What a batch's records name, looked up with one query per kind."""

    def __init__(self, session: Session, items: list[Item], author: User | None):
        def keys(field_name: str, type_: str | None = None) -> set:
            return {
                item.values["data"].get(field_name) if type_ else item.values.get(field_name)
                for item in items
                if type_ is None or item.values["type"] == type_
            } - {None}

        def by_key(column, wanted: set) -> dict:
            if not wanted:
                return {}
            model = column.class_
            rows = session.execute(select(model.id, column).where(column.in_(wanted)))
            return {row[1]: row for row in rows}

        # The id, not the user: a signed-in user is a request-bound proxy, costly to read
        # once per record.
        self.author_id = author.id if author is not None else None
        self.stations = by_key(Station.code, keys("station"))
        self.metrics = by_key(Metric.key, keys("metric", "count"))
        self.categories = by_key(Category.key, keys("category", "observation"))
        self.employees = by_key(Employee.badge, keys("employee", "employee_note"))
        self.routes = by_key(Route.id, keys("route", "walk"))
        self.users = by_key(User.id, keys("author")) if author is None else {}

    def problems(self, values: dict[str, Any]) -> dict[str, list[str]]:
        """What the record names that does not exist or is not the author's to name."""
        errors: dict[str, list[str]] = {}
        data, type_ = values["data"], values["type"]
        author_id = values["author"]
        if self.author_id is not None and author_id != self.author_id:
            errors["author"] = [
                f"You are signed in as user {self.author_id}; a record keeps its author "
                "and waits on the phone until they sign in."
            ]
        elif self.author_id is None and author_id not in self.users:
            errors["author"] = [f"No user has the id {author_id}."]
        if values.get("station") and values["station"] not in self.stations:
            errors["station"] = [f"No station has the code {values['station']}."]
        unknown = {
            "count": ("metric", self.metrics, "metric"),
            "observation": ("category", self.categories, "observation category"),
            "employee_note": ("employee", self.employees, "employee with the badge"),
            "walk": ("route", self.routes, "route with the id"),
        }.get(type_)
        if unknown:
            name, known, label = unknown
            if data.get(name) is not None and data[name] not in known:
                errors[f"data.{name}"] = [f"No {label} {data[name]}."]
        return errors

    def lookups(self, values: dict[str, Any]) -> dict[str, Any]:
        data = values["data"]
        return {
            "metric": self.metrics.get(data.get("metric")),
            "category": self.categories.get(data.get("category")),
            "employee": self.employees.get(data.get("employee")),
        }


@dataclass
class CheckedPush:
    """A push after its checks: every record loaded and judged against the catalog."""

    items: list[Item]

    def storable(self) -> list[Item]:
        return [item for item in self.items if item.columns is not None]

    def results(self) -> list[dict[str, Any]]:
        return [item.result for item in self.items]


def check_push(
    session: Session,
    author: User | None,
    body: dict[str, Any],
    now: datetime,
    correct_clock: bool = True,
) -> CheckedPush:
    """Load and check a push's records, reading only: the part of a push that needs no
    write lock (``store_push`` then writes them).

    ``body`` is the envelope as ``PushSchema`` loaded it (records still as sent).
    ``author`` is the signed-in user, whom every record must name; ``None`` (an import of
    a phone's export) keeps each record's own author.
    """
    items = [Item(raw) for raw in body["records"]]
    for item in items:
        if not isinstance(item.raw, dict):
            item.reject({"record": ["A record is a JSON object."]})
            continue
        try:
            item.values = load_record(item.raw)
        except ValidationError as error:
            item.reject(flat_errors(error.messages))
    valid = [item for item in items if item.values is not None]
    if not valid:
        return CheckedPush(items)

    catalog = Catalog(session, valid, author)
    clock = plant_clock(session)
    for item in valid:
        errors = catalog.problems(item.values)
        if errors:
            item.reject(errors)
            continue
        values = item.values
        try:
            observed_at = observed_instant(values, body.get("sent_at"), now, correct_clock)
        except ValueError as error:
            item.reject({"observed_at": [str(error)]})
            continue
        station = catalog.stations.get(values.get("station"))
        item.columns = record_columns(
            item.raw, values["author"], station.id if station else None, observed_at, clock,
            catalog.lookups(values), now, typed_data=values["data"],
        )  # fmt: skip
        if values["type"] in ACTION_RECORD_TYPES:
            errors = record_problems(values, item.columns["production_day"])
            if errors:
                item.reject(errors)
                continue
        item.photos = list(dict.fromkeys(values["data"].get("photos", ())))
    return CheckedPush(items)


def store_push(session: Session, checked: CheckedPush, now: datetime) -> list[dict[str, Any]]:
    """Store a checked push's records; one result per record, in input order (DESIGN §3).

    Inside the writing transaction, each record is answered against its id's stored
    state, and the photos it names are checked against their owners: an upload or
    another push may have claimed one since ``check_push``. Flushes, never commits.
    """
    storable = checked.storable()
    if storable:
        store_records(session, storable, now)
        # DESIGN §9: a new critical or high observation alerts its area's supervisors,
        # in this transaction, so the alert exists exactly when the record does.
        alert_new_observations(session, new_observations(storable), now)
    return checked.results()


def new_observations(items: list[Item]) -> list[uuid.UUID]:
    return [
        item.columns["id"]
        for item in items
        if item.result["status"] == "created" and item.columns["type"] == "observation"
    ]


def apply_push(
    session: Session,
    author: User | None,
    body: dict[str, Any],
    now: datetime,
    correct_clock: bool = True,
) -> list[dict[str, Any]]:
    """``check_push`` then ``store_push`` in the session's current transaction."""
    return store_push(session, check_push(session, author, body, now, correct_clock), now)


def import_records(session: Session, content: bytes, now: datetime) -> list[dict[str, Any]]:
    """Load a phone's export (the push body as JSON) as pushes would, in batches of a
    push's size, keeping each record's author and correcting no clock (the file may be
    imported days after it was written). ValueError when the file is not a push body."""
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"The file is not JSON: {error}") from None
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise ValueError('The file is not a phone\'s export: it needs a "records" list.')
    records = body["records"]
    begin_writing(session)
    results = []
    for start in range(0, len(records), MAX_RECORDS):
        try:
            chunk = records[start : start + MAX_RECORDS]
            envelope = PushSchema().load({**body, "records": chunk})
        except ValidationError as error:
            problems = flat_errors(error.messages)
            raise ValueError(f"The file's envelope is invalid: {problems}") from None
        results.extend(apply_push(session, None, envelope, now, correct_clock=False))
    return results


def count_statuses(results: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(result["status"] for result in results)
    return {status: counts.get(status, 0) for status in STATUSES}
