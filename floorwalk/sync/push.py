"""Push and pull (DESIGN §3): every record stored exactly once, whatever the network does.

Push validates the whole batch in Python first, looks up what the records name in one
query per kind, then writes with a few set-wise statements. Exactly-once lives in the
database: new records go in with ``INSERT … ON CONFLICT (id) DO NOTHING``, and a record
another writer stored first is answered against that stored row. Records of one push
are applied in input order: each record is judged against its id's state as left by the
records before it.
"""

import base64
import binascii
import hashlib
import json
import logging
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from ..accounts import user_summary
from ..catalog.plan import day_targets_by_shift
from ..changes import transaction_change_seq
from ..database import begin_writing
from ..models import (
    Area,
    Category,
    Employee,
    Metric,
    Photo,
    PlanTarget,
    Record,
    RecordPhoto,
    RecordVersion,
    Removal,
    Route,
    RouteStop,
    Station,
    StationMetric,
    SyncState,
    UnscheduledStation,
    User,
)
from ..settings import get_settings, plant_clock
from .records import record_columns, record_json
from .schemas import MAX_RECORDS, PushSchema, flat_errors, load_record

logger = logging.getLogger(__name__)

STATUSES = ("created", "duplicate", "updated", "stale", "conflict", "rejected")
CLOCK_TOLERANCE = timedelta(minutes=2)
HISTORY = timedelta(days=7)
# What an edit rewrites; the id, type, author, first receipt and status stay.
UPDATED_COLUMNS = (
    "version", "content_hash", "deleted", "station_id", "walk_id", "observed_at",
    "device_observed_at", "offset_ms", "updated_at", "production_day", "shift", "data",
    "metric_id", "value", "category_id", "severity", "minutes", "employee_id", "text",
)  # fmt: skip


def dialect_insert(session: Session, table):
    """``INSERT`` of the session's database, which has ``on_conflict_do_nothing``."""
    dialect = session.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)


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
    return min(observed_at - skew, now)


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


@dataclass
class Stored:
    """A record's state as the push has left it so far."""

    columns: dict[str, Any]
    status: str | None
    station_code: str | None
    in_database: bool
    changed: bool = False
    photos: list[uuid.UUID] = field(default_factory=list)

    def server(self) -> dict[str, Any]:
        record = record_json({**self.columns, "status": self.status}, self.station_code)
        return {"version": self.columns["version"], "record": record}


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
        observed_at = values["observed_at"]
        if correct_clock:
            observed_at = corrected_time(observed_at, values.get("offset_ms"),
                                         body.get("sent_at"), now)  # fmt: skip
        station = catalog.stations.get(values.get("station"))
        item.columns = record_columns(
            item.raw, values["author"], station.id if station else None, observed_at, clock,
            catalog.lookups(values), now, typed_data=values["data"],
        )  # fmt: skip
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
        _store(session, storable, now)
    return checked.results()


def _reject_others_photos(session: Session, items: list[Item]) -> None:
    """Reject records that name a photo another user uploaded or another user's record
    names (DESIGN §3, §7: a record may name only its author's photos)."""
    photo_ids = {photo_id for item in items for photo_id in item.photos}
    if not photo_ids:
        return
    owners: dict[uuid.UUID, set[int]] = defaultdict(set)
    uploads = select(Photo.id, Photo.uploader_id).where(Photo.id.in_(photo_ids))
    claims = (
        select(RecordPhoto.photo_id, Record.author_id)
        .join(Record, Record.id == RecordPhoto.record_id)
        .where(RecordPhoto.photo_id.in_(photo_ids))
    )
    for query in (uploads, claims):
        for photo_id, user_id in session.connection().execute(query):
            owners[photo_id].add(user_id)
    for item in items:
        author_id = item.columns["author_id"]
        others = [p for p in item.photos if owners.get(p, set()) - {author_id}]
        if others:
            item.reject(
                {"data.photos": [f"The photo {p} belongs to another user." for p in others]}
            )


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


def _store(session: Session, items: list[Item], now: datetime) -> None:
    # The change number first: on PostgreSQL it makes concurrent pushes (and photo
    # uploads) take turns, so what is read next stays true until this transaction commits.
    seq = transaction_change_seq(session)
    _reject_others_photos(session, items)
    items = [item for item in items if item.columns is not None]
    if not items:
        return
    ids = {item.columns["id"] for item in items}
    state = _load_stored(session, ids)
    for item in items:
        _judge(item, state)

    new = [stored for stored in state.values() if not stored.in_database]
    if new:
        rows = [{**s.columns, "status": s.status, "change_seq": seq} for s in new]
        stmt = dialect_insert(session, Record.__table__).on_conflict_do_nothing(
            index_elements=["id"]
        )
        session.connection().execute(stmt, rows)
        # The rows this push stored are those stamped with its change number (another
        # writer's carry their own). An executemany and this query cost PostgreSQL a
        # quarter of one INSERT … RETURNING holding all 500 rows' values.
        new_ids = [s.columns["id"] for s in new]
        inserted = set(
            session.connection()
            .execute(select(Record.id).where(Record.id.in_(new_ids), Record.change_seq == seq))
            .scalars()
        )
        lost = set(new_ids) - inserted
        if lost:
            # Another writer stored these ids between our read and our insert: answer
            # them again against the rows it stored.
            logger.info("push: %d records were stored by a concurrent writer", len(lost))
            state.update(_load_stored(session, lost))
            for item in items:
                if item.columns["id"] in lost:
                    _judge(item, state)

    edited = [s for s in state.values() if s.in_database and s.changed]
    if edited:
        stmt = (
            update(Record.__table__)
            .where(Record.__table__.c.id == bindparam("record_id"))
            .values({name: bindparam(name) for name in (*UPDATED_COLUMNS, "change_seq")})
        )
        session.connection().execute(
            stmt,
            [
                {"record_id": s.columns["id"], "change_seq": seq,
                 **{name: s.columns[name] for name in UPDATED_COLUMNS}}
                for s in edited
            ],
        )  # fmt: skip
        session.connection().execute(
            delete(RecordPhoto).where(RecordPhoto.record_id.in_([s.columns["id"] for s in edited]))
        )

    versions = [
        {"record_id": item.columns["id"], "version": item.columns["version"],
         "content_hash": item.columns["content_hash"], "body": item.raw, "received_at": now}
        for item in items if item.result["status"] in ("created", "updated")
    ]  # fmt: skip
    if versions:
        stmt = dialect_insert(session, RecordVersion.__table__).on_conflict_do_nothing(
            index_elements=["record_id", "version"]
        )
        session.connection().execute(stmt, versions)
    links = [
        {"record_id": s.columns["id"], "photo_id": photo_id}
        for s in state.values() if s.changed or not s.in_database
        for photo_id in s.photos
    ]  # fmt: skip
    if links:
        stmt = dialect_insert(session, RecordPhoto.__table__).on_conflict_do_nothing()
        session.connection().execute(stmt, links)


def _load_stored(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, Stored]:
    rows = session.connection().execute(
        select(Record.__table__, Station.code.label("station_code"))
        .outerjoin(Station, Station.id == Record.station_id)
        .where(Record.id.in_(ids))
    )
    stored = {}
    for row in rows.mappings():
        columns = {column.name: row[column.name] for column in Record.__table__.columns}
        status = columns.pop("status")
        columns.pop("change_seq")
        stored[columns["id"]] = Stored(columns, status, row["station_code"], in_database=True)
    return stored


def _judge(item: Item, state: dict[uuid.UUID, Stored]) -> None:
    """Answer one record against its id's current state, and move that state on."""
    columns = item.columns
    record_id = columns["id"]
    result: dict[str, Any] = {"id": str(record_id)}
    stored = state.get(record_id)
    if stored is None:
        status = "open" if columns["type"] == "observation" else None
        state[record_id] = Stored(columns, status, item.values.get("station"), False, True,
                                  item.photos)  # fmt: skip
        result["status"] = "created"
    elif stored.columns["author_id"] != columns["author_id"]:
        result.update(
            status="rejected", errors={"id": ["This id belongs to another user's record."]}
        )
    elif stored.columns["type"] != columns["type"]:
        was = stored.columns["type"]
        result.update(
            status="rejected", errors={"type": [f"A record's type never changes (a {was})."]}
        )
    elif columns["version"] > stored.columns["version"]:
        # An edit keeps the server's status (acknowledged, resolved) and first receipt.
        stored.columns = {**columns, "received_at": stored.columns["received_at"]}
        stored.station_code = item.values.get("station")
        stored.photos = item.photos
        stored.changed = True
        result["status"] = "updated"
    elif columns["version"] < stored.columns["version"]:
        result.update(status="stale", server=stored.server())
    elif columns["content_hash"] == stored.columns["content_hash"]:
        result["status"] = "duplicate"
    else:
        result.update(status="conflict", server=stored.server())
    item.result = result


def count_statuses(results: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(result["status"] for result in results)
    return {status: counts.get(status, 0) for status in STATUSES}


# Pull ----------------------------------------------------------------------------------


class CursorExpired(Exception):
    """The cursor was made by another database (a restore): take a full snapshot."""


class CursorInvalid(ValueError):
    """The cursor is not one this server made."""


def user_scope(user: User) -> str:
    """What decides which rows a user may see: a change of it makes the next pull full."""
    text = f"{user.id}:{user.role}:{','.join(str(a.id) for a in user.areas)}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(epoch: uuid.UUID, seq: int, scope: str) -> str:
    return base64.urlsafe_b64encode(f"{epoch.hex}.{seq}.{scope}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[uuid.UUID, int, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        epoch, seq, scope = text.split(".")
        return uuid.UUID(hex=epoch), int(seq), scope
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise CursorInvalid("This cursor was not made by this server.") from None


def pull(
    session: Session, user: User, cursor: str | None, now: datetime, min_app: str = "0.0.0"
) -> dict[str, Any]:
    """What the phone needs to work offline: all of it without a cursor, else what
    changed since the cursor was made, and what it must erase (``removed``, by kind).

    ``full`` tells the phone to replace what it mirrors rather than merge; a pull is
    also full when the user's role or areas changed since the cursor, so that whatever
    went out of reach is erased.
    """
    # The counter first: anything committed after this read comes in the next delta.
    state = session.execute(select(SyncState.change_seq, SyncState.epoch)).one()
    seq, epoch = state.change_seq, state.epoch
    scope = user_scope(user)
    since = None
    if cursor:
        cursor_epoch, cursor_seq, cursor_scope = decode_cursor(cursor)
        if cursor_epoch != epoch or cursor_seq > seq:
            raise CursorExpired("The database was restored since this cursor was made.")
        if cursor_scope == scope:
            since = cursor_seq
    removed: dict[str, list[str]] = defaultdict(list)

    def changed(model, *options):
        query = select(model).options(*options)
        if since is not None:
            query = query.where(model.change_seq > since)
        return session.execute(query).scalars().all()

    def visible(rows, kind: str, key, shown=lambda row: row.active):
        kept = []
        for row in rows:
            if shown(row):
                kept.append(row)
            elif since is not None:
                removed[kind].append(str(key(row)))
        return kept

    stations = visible(
        changed(Station, selectinload(Station.metrics).selectinload(StationMetric.metric)),
        "stations", lambda s: s.code,
    )  # fmt: skip
    categories = visible(changed(Category), "categories", lambda c: c.key)
    employees = visible(changed(Employee), "employees", lambda e: e.badge)
    routes = visible(
        changed(Route, selectinload(Route.stops).selectinload(RouteStop.station)),
        "routes", lambda r: r.id,
    )  # fmt: skip
    records = _own_records(session, user, now, since)
    for row in records:
        if row["deleted"] and since is not None:
            removed["records"].append(str(row["id"]))
    if since is not None:
        for kind, key in session.execute(
            select(Removal.kind, Removal.key).where(Removal.change_seq > since)
        ):
            removed[kind].append(key)

    return {
        "me": user_summary(user),
        "settings": get_settings(session),
        "min_app": min_app,
        "full": since is None,
        "areas": [{"id": a.id, "name": a.name} for a in changed(Area)],
        "categories": [
            {"key": c.key, "label": c.label, "downtime": c.downtime, "position": c.position}
            for c in sorted(categories, key=lambda c: (c.position, c.key))
        ],
        "plan": _todays_plan(session, now),
        "stations": [_station_json(s) for s in sorted(stations, key=lambda s: s.code)],
        "metrics": [
            {"key": m.key, "label": m.label, "unit": m.unit, "kind": m.kind}
            for m in sorted(changed(Metric), key=lambda m: m.key)
        ],
        "employees": [
            {"badge": e.badge, "name": e.name, "area": e.area_id}
            for e in sorted(employees, key=lambda e: e.badge)
        ],
        "routes": [
            {
                "id": r.id,
                "name": r.name,
                "area": r.area_id,
                "stations": [stop.station.code for stop in r.stops],
            }
            for r in sorted(routes, key=lambda r: r.id)
        ],  # fmt: skip
        "records": [record_json(row, row["station_code"]) for row in records if not row["deleted"]],
        "removed": dict(removed),
        "cursor": encode_cursor(epoch, seq, scope),
        "server_time": now.isoformat(timespec="milliseconds"),
    }


def _own_records(session: Session, user: User, now: datetime, since: int | None):
    query = (
        select(Record.__table__, Station.code.label("station_code"))
        .outerjoin(Station, Station.id == Record.station_id)
        .where(Record.author_id == user.id, Record.observed_at >= now - HISTORY)
        .order_by(Record.observed_at)
    )
    if since is not None:
        query = query.where(Record.change_seq > since)
    return session.execute(query).mappings().all()


def _station_json(station: Station) -> dict[str, Any]:
    return {
        "code": station.code,
        "name": station.name,
        "area": station.area_id,
        "metrics": [
            {"metric": sm.metric.key, "target": sm.target, "min_level": sm.min_level}
            for sm in station.metrics
        ],
    }


def _todays_plan(session: Session, now: datetime) -> dict[str, Any]:
    """Today's plan, whole on every pull: a day's plan is small and replaced at once."""
    day = plant_clock(session).production_day(now)
    targets = session.execute(
        select(PlanTarget.shift, Station.code, Metric.key, PlanTarget.target)
        .join(Station, Station.id == PlanTarget.station_id)
        .join(Metric, Metric.id == PlanTarget.metric_id)
        .where(PlanTarget.day == day)
        .order_by(Station.code, Metric.key, PlanTarget.shift)
    )
    unscheduled = session.execute(
        select(UnscheduledStation.shift, Station.code)
        .join(Station, Station.id == UnscheduledStation.station_id)
        .where(UnscheduledStation.day == day)
        .order_by(Station.code, UnscheduledStation.shift)
    )
    return {
        "day": day.isoformat(),
        # What the phone shows: each station metric's target by the one rule.
        "station_targets": day_targets_by_shift(session, day),
        "targets": [
            {"station": code, "metric": key, "shift": shift, "target": target}
            for shift, code, key, target in targets
        ],
        "unscheduled": [{"station": code, "shift": shift} for shift, code in unscheduled],
    }
