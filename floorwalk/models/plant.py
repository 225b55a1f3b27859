"""The plant and its people: areas, users, stations, metrics, plan, categories,
employees, routes, settings."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import (
    METRIC_KINDS,
    ROLES,
    Tracked,
    UtcDateTime,
    one_of,
    utcnow,
)

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
    # Where notifications are mailed (DESIGN §9); none: the inbox only.
    email: Mapped[str | None] = mapped_column(String(254))

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
