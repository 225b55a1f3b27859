"""The data model: one plant, its catalog, its people and what the phones capture.

Models hold data and relationships only: no serialization, no commits. Instants are
stored as timezone-aware UTC (``UtcDateTime``); plant time exists only in ``days.py``.
"""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db

ROLES = ("coordinator", "supervisor", "manager", "admin")
METRIC_KINDS = ("tally", "counter", "gauge")
RECORD_TYPES = ("visit", "count", "observation", "employee_note", "walk")
SEVERITIES = ("info", "low", "medium", "high", "critical")
OBSERVATION_STATUSES = ("open", "acknowledged", "resolved")
NOTE_KINDS = ("recognition", "coaching", "training", "attendance", "safety", "other")
CODE_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
MAX_TEXT = 4000

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


def one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UtcDateTime(TypeDecorator):
    """An aware UTC instant on every database (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: floorwalk stores aware UTC instants only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Tracked:
    """Rows a phone mirrors: ``change_seq`` is the change counter value of the last
    transaction that wrote the row, so that pull can send what changed since a cursor."""

    change_seq: Mapped[int | None] = mapped_column(BigInteger, index=True)


user_areas = Table(
    "user_areas",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


class Area(Tracked, db.Model):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    stations: Mapped[list["Station"]] = relationship(back_populates="area")

    def __repr__(self) -> str:
        return f"<Area {self.name}>"


class User(Tracked, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    areas: Mapped[list[Area]] = relationship(secondary=user_areas, order_by="Area.name")

    # The server-side session this request runs in (accounts.load_session_user and
    # accounts.start_session set it); not a column.
    current_session = None

    # Flask-Login's protocol, written out rather than inherited from UserMixin so that
    # get_id cannot silently fall back to the bare id.
    @property
    def is_active(self) -> bool:
        return self.active

    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str | None:
        """The cookie's reference to this sign-in's session row: ``"{session id}:{token}"``;
        None without one, so that nothing signs in without a session."""
        session = self.current_session
        return None if session is None else f"{session.id}:{session.token}"

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"


class Station(Tracked, db.Model):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    area: Mapped[Area] = relationship(back_populates="stations")
    metrics: Mapped[list["StationMetric"]] = relationship(
        back_populates="station", cascade="all, delete-orphan", order_by="StationMetric.position"
    )

    def __repr__(self) -> str:
        return f"<Station {self.code}>"


class Metric(Tracked, db.Model):
    __tablename__ = "metrics"
    __table_args__ = (CheckConstraint(one_of("kind", METRIC_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(32), default="")
    kind: Mapped[str] = mapped_column(String(16))

    def __repr__(self) -> str:
        return f"<Metric {self.key} ({self.kind})>"


class StationMetric(db.Model):
    """A metric expected at a station, with its standing daily target and min level."""

    __tablename__ = "station_metrics"

    station_id: Mapped[int] = mapped_column(
        ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True
    )
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    target: Mapped[float | None] = mapped_column(Float)
    min_level: Mapped[float | None] = mapped_column(Float)

    station: Mapped[Station] = relationship(back_populates="metrics")
    metric: Mapped[Metric] = relationship()


class PlanTarget(Tracked, db.Model):
    """The day plan's target for a station and metric; ``shift`` '' is the whole day."""

    __tablename__ = "plan_targets"
    __table_args__ = (
        UniqueConstraint(
            "day", "shift", "station_id", "metric_id", name="day_shift_station_metric"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    shift: Mapped[str] = mapped_column(String(16), default="")
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"))
    target: Mapped[float] = mapped_column(Float)

    station: Mapped[Station] = relationship()
    metric: Mapped[Metric] = relationship()


class UnscheduledStation(Tracked, db.Model):
    """A station the day plan leaves out (of a shift, or the whole day when '')."""

    __tablename__ = "unscheduled_stations"
    __table_args__ = (UniqueConstraint("day", "shift", "station_id", name="day_shift_station"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    shift: Mapped[str] = mapped_column(String(16), default="")
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))

    station: Mapped[Station] = relationship()


class Category(Tracked, db.Model):
    """An observation category; a downtime category's observations carry minutes lost."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    downtime: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Employee(Tracked, db.Model):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    badge: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    area: Mapped[Area | None] = relationship()


class Route(Tracked, db.Model):
    """An ordered list of stations that a walk is meant to cover."""

    __tablename__ = "routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    area: Mapped[Area | None] = relationship()
    stops: Mapped[list["RouteStop"]] = relationship(
        back_populates="route", cascade="all, delete-orphan", order_by="RouteStop.position"
    )


class RouteStop(db.Model):
    __tablename__ = "route_stops"

    route_id: Mapped[int] = mapped_column(
        ForeignKey("routes.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))

    route: Mapped[Route] = relationship(back_populates="stops")
    station: Mapped[Station] = relationship()


class Setting(Tracked, db.Model):
    """A plant setting changed at run time (timezone, day_start, shifts, public_url)."""

    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


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
        Index("ix_records_day_station", "production_day", "station_id"),
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


class AuditEvent(db.Model):
    """Who changed what and when, with the values before and after."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_key: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonType)

    actor: Mapped[User | None] = relationship()


class Removal(db.Model):
    """A row a phone mirrored that no longer exists, so that pull can tell it to erase it."""

    __tablename__ = "removals"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)


class SyncState(db.Model):
    """The one-row change counter and the database epoch (DESIGN §3, pull).

    Each writing transaction takes the next number with an UPDATE of this row, whose
    lock it holds until commit; numbers therefore become visible in order and a cursor
    never skips a row committed late. ``epoch`` changes when the database is restored,
    which makes every phone's cursor expire.
    """

    __tablename__ = "sync_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    epoch: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4)


class UserSession(db.Model):
    """One sign-in (DESIGN §7): the session and remember cookies refer to it, so deleting
    the row ends that sign-in alone, on every worker and server."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(64))
    app: Mapped[str | None] = mapped_column(String(32))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"


class SignInFailure(db.Model):
    """A failed sign-in, or one whose password is being checked, for the sign-in limits
    when no Redis is configured (DESIGN §7; docs/security.md, "Sign-in limits")."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_account_at", "account", "at"),
        Index("ix_sign_in_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The username as typed, stripped and lower-cased, whether or not such a user exists.
    account: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Device(db.Model):
    """One install of the phone app (DESIGN §11, Devices): who used it last, which app
    version, when it last synced, and how many unsent records it said it held, and when.

    Upserted by every push and pull (``sync.devices.record_device``), so that records
    that exist only on a phone left in a drawer are seen before they are lost.
    """

    __tablename__ = "devices"
    __table_args__ = (CheckConstraint("pending >= 0 AND pending <= 1000000", name="pending_range"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    app: Mapped[str | None] = mapped_column(String(32))
    last_contact_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    pending: Mapped[int | None] = mapped_column(Integer)
    pending_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Device {self.id}>"
