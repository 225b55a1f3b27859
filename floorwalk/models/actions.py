"""Actions (DESIGN §9): the derived state of each ``action`` record and the
``action_update`` records applied to it, in the order the server received them.

The records themselves (``records`` rows of type ``action`` and ``action_update``) are
what the phones sent; these tables are what the server made of them, so that lists,
filters, overdue and report figures are SQL queries.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import (
    ACTION_STATUSES,
    ACTION_UPDATE_STATUSES,
    PRIORITIES,
    Tracked,
    UtcDateTime,
    one_of,
    utcnow,
)
from .plant import Station, User


class Action(Tracked, db.Model):
    """An action's state now; ``id`` is its ``action`` record's id."""

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(one_of("status", ACTION_STATUSES), name="status"),
        CheckConstraint(one_of("priority", PRIORITIES), name="priority"),
        Index("ix_actions_status_due", "status", "due"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    priority: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    due: Mapped[date] = mapped_column(Date)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), index=True)
    # No foreign key: the observation may reach the server after the action.
    observation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_day: Mapped[date] = mapped_column(Date, index=True)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_day: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_day: Mapped[date | None] = mapped_column(Date, index=True)
    update_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
    station: Mapped[Station | None] = relationship()
    updates: Mapped[list["ActionUpdate"]] = relationship(
        order_by="ActionUpdate.position", back_populates="action"
    )

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.status}>"


class ActionUpdate(db.Model):
    """An ``action_update`` record the server applied, numbered in receipt order."""

    __tablename__ = "action_updates"
    __table_args__ = (
        UniqueConstraint("action_id", "position", name="action_position"),
        CheckConstraint(
            f"status IS NULL OR {one_of('status', ACTION_UPDATE_STATUSES)}", name="status"
        ),
    )

    record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    action_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str | None] = mapped_column(String(16))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due: Mapped[date | None] = mapped_column(Date)
    comment: Mapped[str | None] = mapped_column(Text)

    action: Mapped[Action] = relationship(back_populates="updates")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
