"""What every model shares: the fixed vocabularies, UTC instants, the change stamp."""

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

ROLES = ("coordinator", "supervisor", "manager", "admin")
METRIC_KINDS = ("tally", "counter", "gauge")
# What a walk captures: the records summaries, coverage and the raw records CSV read.
WALK_RECORD_TYPES = ("visit", "count", "observation", "employee_note", "walk")
# Actions (DESIGN §9) travel as records too, but have their own tables and permissions.
ACTION_RECORD_TYPES = ("action", "action_update")
RECORD_TYPES = (*WALK_RECORD_TYPES, *ACTION_RECORD_TYPES)
SEVERITIES = ("info", "low", "medium", "high", "critical")
OBSERVATION_STATUSES = ("open", "acknowledged", "resolved")
NOTE_KINDS = ("recognition", "coaching", "training", "attendance", "safety", "other")
# Actions (DESIGN §9): the states an action is in, and the moves an update may ask for
# ("reopened" puts it back to open).
ACTION_STATUSES = ("open", "in_progress", "done", "verified", "cancelled")
ACTION_UPDATE_STATUSES = ("in_progress", "done", "verified", "cancelled", "reopened")
PRIORITIES = ("low", "medium", "high", "critical")
MAX_TITLE = 200
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
