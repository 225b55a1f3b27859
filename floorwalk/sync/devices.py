"""Devices (DESIGN §11): what each phone reports on every push and pull — its install's
id, its app version and how many unsent records it holds — and the page that lists them.

A report never fails a sync: a value that does not parse is left out, and a report
without a device id records nothing. Each report is one upsert (``INSERT … ON
CONFLICT``), so two requests of a phone at once cannot make two rows.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..database import dialect_insert
from ..models import Device, User
from .schemas import MAX_PENDING, storable_text

MAX_APP = 32
# A phone that last said it held unsent records this long ago is flagged.
STALE_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class DeviceReport:
    device: uuid.UUID
    app: str | None
    pending: int | None


def _uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _pending(value: Any) -> int | None:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 8:
        value = int(value)
    if type(value) is not int or not 0 <= value <= MAX_PENDING:
        return None
    return value


def _app(value: Any) -> str | None:
    if not isinstance(value, str) or not value or len(value) > MAX_APP:
        return None
    if not storable_text(value) or not value.isprintable():
        return None
    return value


def device_report(device: Any, app: Any, pending: Any) -> DeviceReport | None:
    """The report in a push body's or pull query's values, each dropped when it does not
    parse; ``None`` without a usable device id. ``pending`` is 0..1,000,000 (a JSON
    integer, or digits in a query)."""
    device_id = _uuid(device)
    if device_id is None:
        return None
    return DeviceReport(device_id, _app(app), _pending(pending))


def record_device(session: Session, user: User, report: DeviceReport, now: datetime) -> None:
    """Upsert the device's row: last user and contact always; the app version and the
    pending count (with when it was reported) when the report carries them. Flushes in
    the session's transaction, never commits."""
    table = Device.__table__
    stmt = dialect_insert(session, table).values(
        id=report.device,
        user_id=user.id,
        app=report.app,
        last_contact_at=now,
        pending=report.pending,
        pending_at=now if report.pending is not None else None,
    )
    new = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={
            "user_id": new.user_id,
            "app": func.coalesce(new.app, table.c.app),
            "last_contact_at": new.last_contact_at,
            "pending": func.coalesce(new.pending, table.c.pending),
            "pending_at": func.coalesce(new.pending_at, table.c.pending_at),
        },
    )
    session.execute(stmt)


def _stale(now: datetime):
    return (Device.pending > 0) & (Device.pending_at < now - STALE_AFTER)


def list_devices(session: Session, now: datetime) -> list[dict[str, Any]]:
    """Every device, newest contact first, each with ``stale`` when it last reported
    unsent records more than a day ago."""
    rows = session.execute(
        select(Device, _stale(now).label("stale"))
        .options(selectinload(Device.user))
        .order_by(Device.last_contact_at.desc(), Device.id)
    )
    return [{"device": device, "stale": bool(stale)} for device, stale in rows]


def stale_device_count(session: Session, now: datetime) -> int:
    """How many phones last said, more than a day ago, that they held unsent records."""
    return session.scalar(select(func.count()).select_from(Device).where(_stale(now))) or 0
