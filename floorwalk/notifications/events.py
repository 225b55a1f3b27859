"""Who gets what (DESIGN §9): one function per event, each naming its recipients and
writing their notifications through ``inbox.notify`` in the caller's transaction.

- observation_alert: a push stores a new critical or high observation; to the
  supervisors of its station's area.
- escalation_observation: it is still open ``escalate_after`` minutes after the server
  received it; to the managers.
- daily_digest: a production day has ended; to each manager.
- action_assigned: an action gets an owner (the actions package calls it); to the owner.
- action_due: an action is due tomorrow, or overdue; to the owner.
- escalation_action: an action is 1 day overdue (its area's supervisors), 3 days
  overdue (the managers).

Nobody is notified of what they did themselves, and only active users are notified.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Area, Category, Record, Station, User, user_areas
from ..settings import plant_clock
from .inbox import notify

SERIOUS = ("critical", "high")


# Recipients --------------------------------------------------------------------------


def supervisors_of(session: Session, area_ids: Iterable[int]) -> list[User]:
    """The active supervisors who run any of these areas."""
    area_ids = set(area_ids) - {None}
    if not area_ids:
        return []
    query = (
        select(User)
        .join(user_areas, user_areas.c.user_id == User.id)
        .where(User.role == "supervisor", User.active.is_(True))
        .where(user_areas.c.area_id.in_(area_ids))
        .distinct()
        .order_by(User.id)
    )
    return list(session.execute(query).scalars())


def managers(session: Session) -> list[User]:
    query = select(User).where(User.role == "manager", User.active.is_(True)).order_by(User.id)
    return list(session.execute(query).scalars())


# Observations ------------------------------------------------------------------------


def observation_link(record_id: Any, day: date) -> str:
    return f"/summary/observations?day={day.isoformat()}&status=all#o-{record_id}"


@dataclass(frozen=True)
class SeriousObservation:
    id: uuid.UUID
    severity: str
    text: str
    author: str
    author_id: int
    station: str
    area: str
    area_id: int | None
    category: str
    observed_at: datetime
    day: date


def serious_observations(session: Session, conditions: list) -> list[SeriousObservation]:
    """Open critical and high observations matching ``conditions`` (those at no station
    have no area: they escalate, but no supervisor is alerted)."""
    query = (
        select(
            Record.id, Record.severity, Record.text, Record.author_id, Record.observed_at,
            Record.production_day, User.username, Station.code, Station.name,
            Area.id.label("area_id"), Area.name.label("area"), Category.label,
        )
        .join(User, User.id == Record.author_id)
        .outerjoin(Station, Station.id == Record.station_id)
        .outerjoin(Area, Area.id == Station.area_id)
        .outerjoin(Category, Category.id == Record.category_id)
        .where(Record.type == "observation", Record.deleted.is_(False))
        .where(Record.severity.in_(SERIOUS), Record.status == "open", *conditions)
        .order_by(Record.received_at, Record.id)
    )  # fmt: skip
    return [
        SeriousObservation(
            id=row.id, severity=row.severity, text=row.text or "", author=row.username,
            author_id=row.author_id, station=f"{row.code} {row.name}" if row.code else "no station",
            area=row.area or "no area", area_id=row.area_id, category=row.label or "No category",
            observed_at=row.observed_at, day=row.production_day,
        )
        for row in session.execute(query)
    ]  # fmt: skip


def _observation_text(session: Session, observation: SeriousObservation, lead: str) -> str:
    zone = plant_clock(session).zone
    when = observation.observed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    text = observation.text if len(observation.text) <= 500 else observation.text[:499] + "…"
    return (
        f"{lead}\n"
        f"Station: {observation.station} ({observation.area})\n"
        f"Category: {observation.category}\n"
        f"Observed by {observation.author} at {when} (plant time)\n"
        f"{text}"
    )


def alert_new_observations(session: Session, record_ids: list[uuid.UUID], now: datetime) -> int:
    """observation_alert: the critical and high observations among these newly stored
    records reach the supervisors of their station's area (not their author). Called by
    push, in its transaction; returns how many notifications it made."""
    if not record_ids:
        return 0
    made = 0
    for observation in serious_observations(session, [Record.id.in_(record_ids)]):
        subject = f"{observation.severity.capitalize()} observation at {observation.station}"
        body = _observation_text(session, observation, f"{subject}: {observation.category}.")
        for supervisor in supervisors_of(session, [observation.area_id]):
            if supervisor.id == observation.author_id:
                continue
            made += bool(notify(
                session, supervisor, "observation_alert", subject, body,
                observation_link(observation.id, observation.day), str(observation.id), now,
            ))  # fmt: skip
    return made


def escalate_observation(
    session: Session, observation: SeriousObservation, minutes: int, now: datetime
) -> int:
    """escalation_observation: an open critical or high observation nobody acknowledged
    within ``minutes`` reaches every manager."""
    subject = (
        f"Not acknowledged in {minutes} min: {observation.severity} observation at "
        f"{observation.station}"
    )
    body = _observation_text(
        session, observation, f"Nobody has acknowledged this {observation.severity} "
        f"observation in {observation.area} for {minutes} minutes."
    )  # fmt: skip
    link = observation_link(observation.id, observation.day)
    return sum(
        bool(
            notify(
                session,
                manager,
                "escalation_observation",
                subject,
                body,
                link,
                str(observation.id),
                now,
            )
        )  # fmt: skip
        for manager in managers(session)
    )


# The day's digest --------------------------------------------------------------------


def send_digest(session: Session, day: date, text: str, recipients, now: datetime) -> int:
    """daily_digest: each of ``recipients`` (the managers) gets the digest of ``day``."""
    subject = f"Day summary {day.isoformat()}"
    link = f"/summary/{day.isoformat()}"
    return sum(
        bool(notify(session, manager, "daily_digest", subject, text, link, day.isoformat(), now))
        for manager in recipients
    )


# Actions: called by the actions package ---------------------------------------------


@dataclass(frozen=True)
class ActionDue:
    """What the action jobs need to know of one open action (the actions package makes
    these: ``actions.queries.actions_due``)."""

    id: str  # the action record's id
    title: str
    owner: User
    due: date
    area_ids: tuple[int, ...] = ()  # its station's area, else the owner's areas


def action_link(action_id: str) -> str:
    return f"/actions/{action_id}"


def notify_action_assigned(
    session: Session,
    action_id: str,
    title: str,
    owner: User,
    assigned_by: User | None,
    due: date,
    now: datetime,
) -> int | None:
    """action_assigned: the owner learns an action is theirs (not when they assigned it
    to themselves). Call it in the transaction that stores the action or its new owner;
    each (action, owner) notifies once."""
    if not owner.active or (assigned_by is not None and assigned_by.id == owner.id):
        return None
    by = f" by {assigned_by.username}" if assigned_by is not None else ""
    return notify(
        session, owner, "action_assigned", f"Action for you: {title}",
        f"The action \u201c{title}\u201d was assigned to you{by}, due {due.isoformat()}.",
        action_link(action_id), f"{action_id}:{owner.id}", now,
    )  # fmt: skip


def notify_action_due(session: Session, action: ActionDue, today: date, now: datetime) -> int:
    """action_due (the day before it is due, and once it is overdue: once each; nothing
    on the day itself, when it is not late yet), then escalation_action (1 day overdue:
    the area's supervisors; 3 days: the managers). ``today`` is the plant's production
    day."""
    late = (today - action.due).days
    made = 0
    if late == -1 or late >= 1:
        when = "tomorrow" if late == -1 else "overdue"
        text = f"due {action.due.isoformat()}" + (f", {late} days late" if late > 0 else "")
        made += bool(notify(
            session, action.owner, "action_due", f"Action {when}: {action.title}",
            f"Your action \u201c{action.title}\u201d is {text}.", action_link(action.id),
            f"{action.id}:{action.due.isoformat()}:{when}", now,
        ))  # fmt: skip
    for days in (1, 3):
        if late < days:
            break
        recipients = supervisors_of(session, action.area_ids) if days == 1 else managers(session)
        # The tier decides who is told (and once); the subject says how late it is now:
        # a worker that first sees it 5 days late wrote "3 days overdue".
        subject = f"Action {late} day{'s' if late > 1 else ''} overdue: {action.title}"
        body = (
            f"\u201c{action.title}\u201d, owned by {action.owner.username}, was due "
            f"{action.due.isoformat()} and is not done."
        )
        for user in recipients:
            if user.id != action.owner.id:
                made += bool(notify(
                    session, user, "escalation_action", subject, body, action_link(action.id),
                    f"{action.id}:{action.due.isoformat()}:{days}", now,
                ))  # fmt: skip
    return made
