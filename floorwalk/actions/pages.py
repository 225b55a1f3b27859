"""What the actions pages show beyond the API's list: the filters' choices, whom an
action may be given to (its area's people first), and which moves the viewer may make
on an action's page (asked of ``rules``, the push's own rule)."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import (
    ACTION_STATUSES,
    ACTION_UPDATE_STATUSES,
    Area,
    Station,
    User,
    utcnow,
)
from ..permissions import assignable_users_query, may_see_action, may_steer_action
from ..settings import plant_clock
from .queries import ActionFilters, find_action, list_actions
from .rules import WORDS, move_problem
from .state import CLOSED

# The label of each move's button on an action's page.
MOVE_LABELS = {
    "in_progress": "Start",
    "done": "Done",
    "verified": "Verify",
    "reopened": "Reopen",
    "cancelled": "Cancel action",
}


class ActionNotFound(LookupError):
    """No such action, or not one the viewer may see (the same 404 for both)."""


def _ranked(users: list[User], area_ids: set[int]) -> list[tuple[int, str]]:
    ranked = sorted(
        users, key=lambda user: (not ({a.id for a in user.areas} & area_ids), user.username)
    )
    return [(user.id, f"{user.username} ({user.role})") for user in ranked]


def _assignable(session: Session) -> list[User]:
    query = assignable_users_query().options(selectinload(User.areas))
    return list(session.execute(query).scalars())


def owner_choices(session: Session, area_ids: set[int] | frozenset = frozenset()) -> list:
    """Active users as ``(id, label)``: those of ``area_ids`` first, then the others."""
    return _ranked(_assignable(session), set(area_ids))


def create_action_context(session: Session) -> dict[str, Any]:
    """What a page with "Create action" forms needs (the follow-up list, the day
    summary's alerts): ``owners_at(code)``, the owner choices for a station (its area's
    people first; one query of users however many forms), and today."""
    users = _assignable(session)
    areas = station_areas(session)
    cache: dict[int | None, list] = {}

    def owners_at(code: str | None) -> list:
        area = areas.get(code or "")
        if area not in cache:
            cache[area] = _ranked(users, {area} if area else set())
        return cache[area]

    return {"owners_at": owners_at, "action_today": plant_clock(session).production_day(utcnow())}


def station_areas(session: Session) -> dict[str, int]:
    """Each station's area, by code: the owner select puts its people first."""
    return dict(session.execute(select(Station.code, Station.area_id)).all())


def list_page(session: Session, viewer: User, filters: ActionFilters, today: date) -> dict:
    return {
        "actions": list_actions(session, viewer, filters, today),
        "areas": session.execute(select(Area).order_by(Area.name)).scalars().all(),
        "owners": owner_choices(session),
        "statuses": [(status, WORDS[status]) for status in ACTION_STATUSES],
        "zone": plant_clock(session).zone,
    }


def action_page(session: Session, viewer: User, action_id: uuid.UUID, today: date) -> dict:
    """An action with its history and the forms the viewer may use; ActionNotFound."""
    action = find_action(session, action_id, today)
    if action is None or not may_see_action(viewer, action):
        raise ActionNotFound(f"No action {action_id} that you may see.")
    moves = [
        (move, MOVE_LABELS[move])
        for move in ACTION_UPDATE_STATUSES
        if move_problem(action, viewer, move) is None
    ]
    steers = may_steer_action(viewer, action) and action.status not in CLOSED
    return {
        "action": action,
        "moves": moves,
        "may_steer": steers,
        "owners": owner_choices(session, set(action.area_ids)) if steers else [],
        "zone": plant_clock(session).zone,
        "today": today,
    }


def new_action_page(session: Session, prefill: dict[str, Any], today: date) -> dict:
    area = station_areas(session).get(prefill.get("station") or "")
    return {
        "prefill": prefill,
        "owners": owner_choices(session, {area} if area else set()),
        "stations": session.execute(
            select(Station.code, Station.name).where(Station.active).order_by(Station.code)
        ).all(),
        "today": today,
    }
