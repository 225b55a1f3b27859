"""What the phones capture and what the server makes of it: records, their
versions, photos, shift handovers."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import (
    OBSERVATION_STATUSES,
    RECORD_TYPES,
    SEVERITIES,
    JsonType,
    Tracked,
    UtcDateTime,
    one_of,
    utcnow,
)
from .plant import (
    Category,
    Employee,
    Metric,
    Station,
    User,
)

# ix_records_pair_day: the pair, then the order its readings were taken in (a day, then
# ``summaries.figures.READING_ORDER``), then what a reading is kept by.
PAIR_DAY = (
    *("station_id", "metric_id", "production_day", "observed_at", "received_at", "id"),
    *("deleted", "value", "shift"),
)


class Record(Tracked, db.Model):
    """What a phone captured, at its latest version; earlier versions are in history.

    ``id`` is made by the phone, so a retried push finds the row it already stored.
    The typed columns mirror ``data`` for what summaries aggregate in SQL.
    """

    __tablename__ = "records"
    __table_args__ = (
        CheckConstraint(one_of("type", RECORD_TYPES), name="type"),
        CheckConstraint(f"severity IS NULL OR {one_of('severity', SEVERITIES)}", name="severity"),
        CheckConstraint(
            f"status IS NULL OR {one_of('status', OBSERVATION_STATUSES)}", name="status"
        ),
        # Which stations had a record on which days, and a day's first and last record,
        # read from the index alone in its order (coverage, activity).
        Index(
            "ix_records_day_station",
            "production_day",
            "station_id",
            "deleted",
            "type",
            "observed_at",
        ),
        # The observations of a span of days, without reading the table; only observation
        # rows are in it (queries name the type as a literal: ``summaries.figures.IS_OBSERVATION``).
        Index(
            "ix_records_observations",
            "production_day",
            "type",
            "deleted",
            "station_id",
            "category_id",
            "severity",
            "status",
            "minutes",
            sqlite_where=text("type = 'observation'"),
            postgresql_where=text("type = 'observation'"),
        ),
        # A gauge's last reading over any span of days, sought per (station, metric) from
        # the newest reading back: the first one kept is the answer, so a year costs what
        # a week does. Counts only (``summaries.figures.IS_COUNT`` names the type as a
        # literal); the trailing columns are the conditions, read without the table.
        Index(
            "ix_records_pair_day",
            *PAIR_DAY,
            sqlite_where=text("type = 'count'"),
            postgresql_where=text("type = 'count'"),
        ),
        # A station's history: one station over a range of days (summaries.station_history).
        Index("ix_records_station_day", "station_id", "production_day"),
        Index("ix_records_author_observed", "author_id", "observed_at"),
        # One day's summary (summaries.py): a day's rows of one type, and for counts and
        # activity every column the aggregates read, so they never visit the table.
        Index(
            "ix_records_day_type",
            "production_day",
            "type",
            "deleted",
            "station_id",
            "metric_id",
            "shift",
            "value",
            "observed_at",
            "received_at",
            "id",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    # No foreign key: a record may reach the server before the walk it belongs to.
    walk_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    observed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    device_observed_at: Mapped[str] = mapped_column(String(40))
    offset_ms: Mapped[int | None] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    production_day: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(16), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    metric_id: Mapped[int | None] = mapped_column(ForeignKey("metrics.id"))
    value: Mapped[float | None] = mapped_column(Float)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    severity: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str | None] = mapped_column(String(16))
    minutes: Mapped[float | None] = mapped_column(Float)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    text: Mapped[str | None] = mapped_column(Text)

    author: Mapped[User] = relationship()
    station: Mapped[Station | None] = relationship()
    metric: Mapped[Metric | None] = relationship()
    category: Mapped[Category | None] = relationship()
    employee: Mapped[Employee | None] = relationship()

    def __repr__(self) -> str:
        return f"<Record {self.type} {self.id} v{self.version}>"


class RecordVersion(db.Model):
    """Every version of a record the server accepted, as it was sent."""

    __tablename__ = "record_versions"
    __table_args__ = (UniqueConstraint("record_id", "version", name="record_version"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JsonType)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Photo(db.Model):
    """An uploaded photo; the id is the phone's, the stored files are named by the server."""

    __tablename__ = "photos"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    uploader: Mapped[User] = relationship()


class RecordPhoto(db.Model):
    """A photo an observation names. No foreign key to ``photos``: records and their
    photos reach the server in either order. Ownership and purging look photos up here."""

    __tablename__ = "record_photos"

    record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    photo_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, index=True)


class Handover(db.Model):
    """A shift's handover (DESIGN §10): the outgoing lead's note, and who acknowledged
    it and when. One row per production day and shift ('' for a plant without shifts)."""

    __tablename__ = "handovers"
    __table_args__ = (UniqueConstraint("day", "shift", name="handover_day_shift"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    note_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    note_by: Mapped[User | None] = relationship(foreign_keys=[note_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
