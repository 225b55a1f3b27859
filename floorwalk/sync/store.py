"""Storing a checked push (DESIGN §3), in the writing transaction: each record judged
against its id's stored state, then written set-wise, one step per table.

Exactly-once lives in the database: new records go in with ``INSERT … ON CONFLICT (id)
DO NOTHING``, and a record another writer stored first is answered against that row.
Records of one push are applied in input order: each is judged against its id's state
as the records before it left it.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from ..actions.book import ActionBook
from ..changes import transaction_change_seq
from ..database import dialect_insert
from ..models import Photo, Record, RecordPhoto, RecordVersion, Station
from .answers import server_record
from .schemas import APPEND_ONLY

if TYPE_CHECKING:
    from .push import Item

logger = logging.getLogger(__name__)

# What an edit rewrites; the id, type, author, first receipt and status stay.
UPDATED_COLUMNS = (
    "version", "content_hash", "deleted", "station_id", "walk_id", "observed_at",
    "device_observed_at", "offset_ms", "updated_at", "production_day", "shift", "data",
    "metric_id", "value", "category_id", "severity", "minutes", "employee_id", "text",
)  # fmt: skip


@dataclass
class Stored:
    """A record's state as the push has left it so far."""

    columns: dict[str, Any]
    status: str | None
    station_code: str | None
    in_database: bool
    changed: bool = False
    photos: list[uuid.UUID] = field(default_factory=list)

    @property
    def new(self) -> bool:
        return not self.in_database

    @property
    def edited(self) -> bool:
        return self.in_database and self.changed

    def server(self) -> dict[str, Any]:
        row = {**self.columns, "status": self.status, "station_code": self.station_code}
        return {"version": self.columns["version"], "record": server_record(row)}


def store_records(session: Session, items: list[Item], now: datetime) -> None:
    """Answer and write a push's checked records (``item.columns`` set); flushes nothing
    through the ORM, commits nothing."""
    # The change number first: on PostgreSQL it makes concurrent pushes (and photo
    # uploads) take turns, so what is read next stays true until this transaction commits.
    seq = transaction_change_seq(session)
    reject_others_photos(session, items)
    items = [item for item in items if item.columns is not None]
    if not items:
        return
    state = load_stored(session, {item.columns["id"] for item in items})
    book = ActionBook(session, [item.columns for item in items])
    for item in items:
        judge(item, state)
        apply_to_action(item, state, book)
    insert_new(session, items, state, seq)
    update_edited(session, state, seq)
    insert_versions(session, items, now)
    link_photos(session, state)
    book.write()


def apply_to_action(item: Item, state: dict[uuid.UUID, Stored], book: ActionBook) -> None:
    """A new action or action update moves its action on, or is rejected with the
    reason and not stored (DESIGN §9: checked against the state it finds)."""
    if item.result["status"] != "created" or item.columns["type"] not in APPEND_ONLY:
        return
    problems = book.apply(item.columns, item.values)
    if problems:
        del state[item.columns["id"]]
        item.result = {"id": str(item.columns["id"]), "status": "rejected", "errors": problems}


def reject_others_photos(session: Session, items: list[Item]) -> None:
    """Reject records that name a photo another user uploaded or another user's record
    names (DESIGN §3, §7: a record may name only its author's photos)."""
    photo_ids = {photo_id for item in items for photo_id in item.photos}
    if not photo_ids:
        return
    owners = _photo_owners(session, photo_ids)
    for item in items:
        author_id = item.columns["author_id"]
        others = [p for p in item.photos if owners.get(p, set()) - {author_id}]
        if others:
            item.reject(
                {"data.photos": [f"The photo {p} belongs to another user." for p in others]}
            )


def _photo_owners(session: Session, photo_ids: set[uuid.UUID]) -> dict[uuid.UUID, set[int]]:
    """Who uploaded each photo, and whose records name it."""
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
    return owners


def load_stored(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, Stored]:
    """The stored state of the records with these ids."""
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


def judge(item: Item, state: dict[uuid.UUID, Stored]) -> None:
    """Answer one record against its id's current state, and move that state on."""
    columns = item.columns
    result: dict[str, Any] = {"id": str(columns["id"])}
    stored = state.get(columns["id"])
    if stored is None:
        status = "open" if columns["type"] == "observation" else None
        state[columns["id"]] = Stored(columns, status, item.values.get("station"), False, True,
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
    elif columns["type"] in APPEND_ONLY:
        result.update(_append_only(stored, columns))
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


def _append_only(stored: Stored, columns: dict[str, Any]) -> dict[str, Any]:
    """An action or action update is never edited: the same content again, at any
    version, is a duplicate; other content is refused."""
    if columns["content_hash"] == stored.columns["content_hash"]:
        return {"status": "duplicate"}
    kind = "An action is changed by an update" if columns["type"] == "action" else "An update"
    return {
        "status": "rejected",
        "errors": {"record": [f"{kind} is never edited: send a new action_update instead."]},
    }


def insert_new(
    session: Session, items: list[Item], state: dict[uuid.UUID, Stored], seq: int
) -> None:
    """Insert the records new to the database; those another writer stored first are
    answered again against the rows it stored."""
    new = [stored for stored in state.values() if stored.new]
    if not new:
        return
    rows = [{**s.columns, "status": s.status, "change_seq": seq} for s in new]
    stmt = dialect_insert(session, Record.__table__).on_conflict_do_nothing(index_elements=["id"])
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
        # Another writer stored these ids between our read and our insert.
        logger.info("push: %d records were stored by a concurrent writer", len(lost))
        state.update(load_stored(session, lost))
        for item in items:
            if item.columns["id"] in lost:
                judge(item, state)


def update_edited(session: Session, state: dict[uuid.UUID, Stored], seq: int) -> None:
    """Rewrite the records edited at a higher version; their photo links are made anew."""
    edited = [stored for stored in state.values() if stored.edited]
    if not edited:
        return
    table = Record.__table__
    stmt = (
        update(table)
        .where(table.c.id == bindparam("record_id"))
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
    edited_ids = [s.columns["id"] for s in edited]
    session.connection().execute(delete(RecordPhoto).where(RecordPhoto.record_id.in_(edited_ids)))


def insert_versions(session: Session, items: list[Item], now: datetime) -> None:
    """Keep every stored version in history, as it was sent."""
    versions = [
        {"record_id": item.columns["id"], "version": item.columns["version"],
         "content_hash": item.columns["content_hash"], "body": item.raw, "received_at": now}
        for item in items
        if item.result["status"] in ("created", "updated")
    ]  # fmt: skip
    if versions:
        stmt = dialect_insert(session, RecordVersion.__table__).on_conflict_do_nothing(
            index_elements=["record_id", "version"]
        )
        session.connection().execute(stmt, versions)


def link_photos(session: Session, state: dict[uuid.UUID, Stored]) -> None:
    """Which photos each new or edited record names (ownership, permissions, purge)."""
    links = [
        {"record_id": s.columns["id"], "photo_id": photo_id}
        for s in state.values()
        if s.changed or s.new
        for photo_id in s.photos
    ]
    if links:
        stmt = dialect_insert(session, RecordPhoto.__table__).on_conflict_do_nothing()
        session.connection().execute(stmt, links)
