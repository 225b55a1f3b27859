"""Lists of actions, in SQL (DESIGN §9): the API's and the page's list with its filters,
one action with its history, and what pull carries. Every list is within the viewer's
permissions (``permissions.visible_actions_filter``)."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from ..models import Action, ActionUpdate, Record, RecordPhoto, Station, User
from ..notifications.events import ActionDue
from ..permissions import action_area_ids, actions_in_areas_filter, visible_actions_filter
from .state import CLOSED, PENDING, is_overdue

# Closed actions stay on the phone this long after they close (DESIGN §9).
PULL_CLOSED_FOR = timedelta(days=7)
PRIORITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def overdue_filter(today: date):
    """The SQL form of ``state.is_overdue``."""
    return Action.status.in_(PENDING) & (Action.due < today)


@dataclass(frozen=True)
class ActionFilters:
    """What a list asks for; ``owner`` is a user id (the view resolves ``me``)."""

    status: str | None = None
    owner: int | None = None
    overdue: bool = False
    area: int | None = None
    due_by: date | None = None  # not done and due on or before (the shift handover)


def _details():
    return (
        selectinload(Action.owner).selectinload(User.areas),
        selectinload(Action.created_by),
        selectinload(Action.done_by),
        selectinload(Action.station),
        selectinload(Action.updates).selectinload(ActionUpdate.author),
        selectinload(Action.updates).selectinload(ActionUpdate.owner),
    )


def list_actions(
    session: Session, viewer: User, filters: ActionFilters, today: date
) -> list[Action]:
    """The actions ``viewer`` may see that match ``filters``: overdue first, then by due
    day and priority."""
    query = select(Action).where(visible_actions_filter(viewer)).options(*_details())
    if filters.status:
        query = query.where(Action.status == filters.status)
    if filters.owner is not None:
        query = query.where(Action.owner_id == filters.owner)
    if filters.overdue:
        query = query.where(overdue_filter(today))
    if filters.area is not None:
        query = query.where(actions_in_areas_filter({filters.area}))
    if filters.due_by is not None:
        query = query.where(Action.status.in_(PENDING), Action.due <= filters.due_by)
    rank = case(PRIORITY_RANK, value=Action.priority, else_=9)
    query = query.order_by(
        case((overdue_filter(today), 0), else_=1), Action.due, rank, Action.created_at, Action.id
    )
    return with_details(session, list(session.execute(query).scalars()), today)


def action_of(session: Session, record: Record) -> Action | None:
    """The action an ``action`` or ``action_update`` record belongs to; None for others."""
    if record.type == "action":
        return session.get(Action, record.id)
    if record.type == "action_update":
        return session.get(Action, uuid.UUID(str(record.data["action"])))
    return None


def find_action(session: Session, action_id: uuid.UUID, today: date) -> Action | None:
    """One action with its history (the caller checks who may see it)."""
    action = session.execute(
        select(Action).where(Action.id == action_id).options(*_details())
    ).scalar_one_or_none()
    return None if action is None else with_details(session, [action], today)[0]


def with_details(session: Session, actions: list[Action], today: date) -> list[Action]:
    """Set what the answers show beside the columns: ``overdue``, ``area_ids``,
    ``station_code`` and each update's ``photos`` (one query for all)."""
    record_ids = [update.record_id for action in actions for update in action.updates]
    photos: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if record_ids:
        rows = session.execute(
            select(RecordPhoto.record_id, RecordPhoto.photo_id)
            .where(RecordPhoto.record_id.in_(record_ids))
            .order_by(RecordPhoto.photo_id)
        )
        for record_id, photo_id in rows:
            photos[record_id].append(photo_id)
    for action in actions:
        action.overdue = is_overdue(action.status, action.due, today)
        action.area_ids = sorted(action_area_ids(action))
        action.station_code = action.station.code if action.station is not None else None
        for update in action.updates:
            update.photos = photos.get(update.record_id, [])
    return actions


def pulled_actions(
    session: Session, viewer: User, since: int | None, now: datetime, today: date
) -> tuple[list[Action], list[str]]:
    """What pull carries: the actions ``viewer`` may see, open or closed within the last
    7 days (changed since ``since`` when given), and the ids of those changed since that
    the phone no longer keeps (reassigned away, out of its areas)."""
    kept = select(Action).where(
        visible_actions_filter(viewer),
        Action.status.not_in(CLOSED) | (Action.closed_at >= now - PULL_CLOSED_FOR),
    )
    if since is None:
        rows = session.execute(kept.options(*_details()).order_by(Action.due, Action.id))
        return with_details(session, list(rows.scalars()), today), []
    changed = changed_since(since)
    rows = session.execute(kept.where(changed).options(*_details()).order_by(Action.due))
    actions = with_details(session, list(rows.scalars()), today)
    shown = {action.id for action in actions}
    gone = session.execute(select(Action.id).where(changed)).scalars()
    return actions, [str(action_id) for action_id in gone if action_id not in shown]


def changed_since(since: int):
    """Actions changed since the change number ``since``, or whose area may have: their
    station or their owner changed (an admin moved it, or them, to another area), so a
    delta brings an action into view and erases it as the full pull would."""
    return or_(
        Action.change_seq > since,
        exists().where(Station.id == Action.station_id, Station.change_seq > since),
        exists().where(User.id == Action.owner_id, User.change_seq > since),
    )


def assignable_users(session: Session, since: int | None) -> tuple[list[dict], list[str]]:
    """Whom the phone may give an action to (every active user, with their area ids),
    changed since ``since`` when given; and the ids of users deactivated since."""
    query = select(User).options(selectinload(User.areas)).order_by(User.username)
    if since is not None:
        query = query.where(User.change_seq > since)
    users, gone = [], []
    for user in session.execute(query).scalars():
        if user.active:
            users.append(
                {"id": user.id, "username": user.username, "role": user.role,
                 "areas": [area.id for area in user.areas]}
            )  # fmt: skip
        elif since is not None:
            gone.append(str(user.id))
    return users, gone


def actions_due(session: Session, today: date) -> list[ActionDue]:
    """The actions not yet done that are due tomorrow or earlier, for the worker's
    reminders and escalations (``notifications.jobs.action_reminders``)."""
    rows = session.execute(
        select(Action)
        .where(Action.status.in_(PENDING), Action.due <= today + timedelta(days=1))
        .options(selectinload(Action.owner).selectinload(User.areas), selectinload(Action.station))
    ).scalars()
    return [
        ActionDue(
            id=str(action.id),
            title=action.title,
            owner=action.owner,
            due=action.due,
            area_ids=tuple(sorted(action_area_ids(action))),
        )
        for action in rows
    ]
