"""Shift handover (DESIGN §10): for a shift, what the next lead must know — its open
alerts, open critical and high observations and the stations behind, grouped as the day
page's verdict — plus the outgoing lead's note, and "Acknowledge handover" recorded with
who and when; and the actions due — not done and due by the end of the next day, overdue
first, those the viewer may see (DESIGN §9).

Who may: everyone reads; supervisors, managers and admins write the note; managers,
admins and supervisors of the areas concerned acknowledge (permissions.py).
"""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..actions.queries import ActionFilters, list_actions
from ..audit import record_audit
from ..days import PlantClock
from ..models import Area, Category, Handover, User, utcnow
from ..permissions import may_acknowledge_handover, may_write_handover_note
from ..settings import plant_clock
from .day import daily_summary
from .scope import SummaryError, check_shift, metrics_by_key
from .verdict import verdict

NOTE_LENGTH = 4000


class HandoverError(SummaryError):
    """A handover that cannot be changed as asked (403 not yours to, 409 already done)."""


def last_shift(clock: PlantClock, now: datetime) -> tuple[date, str]:
    """The production day and shift that ended last before ``now`` (the day before,
    without shifts): the one being handed over."""
    day, current = clock.day_and_shift(now)
    names = [s.name for s in clock.shifts]
    if not names:
        return day - timedelta(days=1), ""
    index = names.index(current)
    if index > 0:
        return day, names[index - 1]
    return day - timedelta(days=1), names[-1]


def handover_page(
    session: Session,
    viewer: User,
    day: date | None = None,
    shift: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The handover of ``day``'s ``shift`` (default: the shift that ended last)."""
    now = now or utcnow()
    clock = plant_clock(session)
    if day is None or (shift is None and clock.shifts):
        last_day, last_name = last_shift(clock, now)
        day = day or last_day
        shift = shift if shift is not None else last_name
    shift = shift or ""
    check_shift(clock, shift)
    summary = daily_summary(session, day, viewer, None, shift or None, now)
    decision = verdict(summary)
    concerned = concerned_areas(session, summary, decision)
    handover = find(session, day, shift)
    return {
        "day": day,
        "shift": shift,
        "shifts": [s.name for s in clock.shifts],
        "summary": summary,
        "verdict": decision,
        "handover": handover,
        "may_write": may_write_handover_note(viewer),
        "may_acknowledge": may_acknowledge_handover(viewer, set(concerned)),
        "concerned": sorted(concerned.values()),
        "actions_due": list_actions(
            session,
            viewer,
            ActionFilters(due_by=day + timedelta(days=1)),
            clock.production_day(now),
        ),
        "metrics": metrics_by_key(session),
        "categories": dict(session.execute(select(Category.key, Category.label)).all()),
        "note_at": _local(handover.note_at if handover else None, clock),
        "acknowledged_at": _local(handover.acknowledged_at if handover else None, clock),
    }


def _local(instant: datetime | None, clock: PlantClock) -> str | None:
    return instant.astimezone(clock.zone).strftime("%d %b %H:%M") if instant else None


def concerned_areas(session: Session, summary: dict, decision: dict) -> dict[int, str]:
    """The areas of the stations the handover names: their supervisors acknowledge it."""
    area_of = {row["code"]: row["area"] for row in summary["stations"]}
    names = {
        area_of[item["station"]]
        for group in decision["groups"]
        for item in group["items"]
        if item["station"] in area_of
    }
    if not names:
        return {}
    rows = session.execute(select(Area.id, Area.name).where(Area.name.in_(names)))
    return dict(rows.all())


def find(session: Session, day: date, shift: str) -> Handover | None:
    return session.execute(
        select(Handover).where(Handover.day == day, Handover.shift == shift)
    ).scalar_one_or_none()


def _handover(session: Session, day: date, shift: str) -> Handover:
    check_shift(plant_clock(session), shift)
    handover = find(session, day, shift)
    if handover is None:
        handover = Handover(day=day, shift=shift, note="")
        session.add(handover)
    return handover


def write_note(
    session: Session, author: User, day: date, shift: str, text: str, now: datetime | None = None
) -> Handover:
    """The outgoing lead's note for the shift (replaces an earlier one); flushes."""
    if not may_write_handover_note(author):
        raise HandoverError("Supervisors, managers and admins write the handover note.", 403)
    handover = _handover(session, day, shift)
    before = {"note": handover.note}
    handover.note = text.strip()
    handover.note_by = author
    handover.note_at = now or utcnow()
    record_audit(session, author, "note", "handover", f"{day.isoformat()} {shift}".strip(),
                 before, {"note": handover.note})  # fmt: skip
    session.flush()
    return handover


def acknowledge(
    session: Session, actor: User, day: date, shift: str, now: datetime | None = None
) -> Handover:
    """The incoming lead acknowledges the handover, once; flushes."""
    page = handover_page(session, actor, day, shift, now)
    if not page["may_acknowledge"]:
        raise HandoverError(
            "Managers, admins and supervisors of the areas this handover concerns acknowledge it.",
            403,
        )
    handover = _handover(session, day, shift)
    if handover.acknowledged_at is not None:
        by = handover.acknowledged_by.username if handover.acknowledged_by else "someone"
        raise HandoverError(f"This handover was already acknowledged by {by}.", 409)
    handover.acknowledged_by = actor
    handover.acknowledged_at = now or utcnow()
    record_audit(session, actor, "acknowledge", "handover", f"{day.isoformat()} {shift}".strip(),
                 None, {"acknowledged_at": handover.acknowledged_at.isoformat()})  # fmt: skip
    session.flush()
    return handover
