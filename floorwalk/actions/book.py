"""Actions in a push (DESIGN §9): each ``action`` and ``action_update`` record checked
against the action's state as the records before it left it, in the order the server
received them, and the derived state written in the push's transaction.

``record_problems`` runs in the push's reading step (what needs no stored action);
``ActionBook`` in its writing step, beside ``sync.store``'s judgement of each record.
"""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import ACTION_RECORD_TYPES, Action, ActionUpdate, Station, User
from ..notifications.events import notify_action_assigned
from .rules import change_problems
from .state import Change, apply_change


def record_problems(values: dict[str, Any], day: date) -> dict[str, list[str]]:
    """What an action or action update is refused for before any action is read: it is
    never withdrawn, and a new action is due on or after the production day it was made."""
    if values.get("deleted"):
        return {"deleted": ["An action is cancelled by an update, never deleted."]}
    data = values["data"]
    if values["type"] == "action" and data["due"] < day:
        return {
            "data.due": [
                f"The due date {data['due'].isoformat()} is before the action was made "
                f"({day.isoformat()})."
            ]
        }
    return {}


class ActionBook:
    """The actions a push's records name, as the records before each left them.

    Load it before the records are judged (it reads the database), ``apply`` each new
    record in input order, then ``write`` once the records are stored (the tables point
    to them).
    """

    def __init__(self, session: Session, columns: list[dict[str, Any]]):
        self.session = session
        mine = [c for c in columns if c["type"] in ACTION_RECORD_TYPES]
        action_ids = {c["id"] for c in mine if c["type"] == "action"} | {
            uuid.UUID(str(c["data"]["action"])) for c in mine if c["type"] == "action_update"
        }
        user_ids = {c["author_id"] for c in mine} | {
            c["data"]["owner"] for c in mine if c["data"].get("owner") is not None
        }
        station_ids = {c["station_id"] for c in mine if c["station_id"] is not None}
        self.actions: dict[uuid.UUID, Action] = {}
        self.users: dict[int, User] = {}
        self.stations: dict[int, Station] = {}
        self.updates: list[ActionUpdate] = []
        self.new: list[Action] = []
        # (action, owner, by whom, when): each new owner is told (DESIGN §9).
        self.assigned: list[tuple[Action, User, User, datetime]] = []
        if not mine:
            return
        rows = session.execute(
            select(Action)
            .where(Action.id.in_(action_ids))
            .options(
                selectinload(Action.station), selectinload(Action.owner).selectinload(User.areas)
            )
        ).scalars()
        self.actions = {action.id: action for action in rows}
        users = select(User).where(User.id.in_(user_ids)).options(selectinload(User.areas))
        self.users = {user.id: user for user in session.execute(users).scalars()}
        stations = select(Station).where(Station.id.in_(station_ids))
        self.stations = {s.id: s for s in session.execute(stations).scalars()}

    def active_user(self, user_id: int | None) -> User | None:
        user = self.users.get(user_id)
        return user if user is not None and user.active else None

    def apply(self, columns: dict[str, Any], values: dict[str, Any]) -> dict[str, list[str]]:
        """Apply one new record (``columns`` as stored, ``values`` as loaded); the
        problems by field when it does not fit, and then nothing changes."""
        if columns["type"] == "action":
            return self._create(columns, values["data"])
        return self._update(columns, values["data"])

    def _create(self, columns: dict[str, Any], data: dict[str, Any]) -> dict[str, list[str]]:
        owner = self.active_user(data["owner"])
        if owner is None:
            return {"data.owner": [f"No active user has the id {data['owner']}."]}
        creator = self.users[columns["author_id"]]
        station = self.stations.get(columns["station_id"])
        action = Action(
            id=columns["id"], title=data["title"], text=data.get("text"), status="open",
            priority=data["priority"], owner=owner, owner_id=owner.id, due=data["due"],
            station=station, station_id=columns["station_id"],
            observation_id=data.get("observation"), created_by=creator,
            created_by_id=creator.id, created_at=columns["observed_at"],
            created_day=columns["production_day"], update_count=0,
            updated_at=columns["received_at"],
        )  # fmt: skip
        self.actions[action.id] = action
        self.new.append(action)
        self.assigned.append((action, owner, creator, columns["received_at"]))
        return {}

    def _update(self, columns: dict[str, Any], data: dict[str, Any]) -> dict[str, list[str]]:
        action = self.actions.get(data["action"])
        author = self.users[columns["author_id"]]
        if action is None:
            return {"data.action": [f"No action has the id {data['action']}."]}
        change = Change.from_data(data)
        owner = self.active_user(change.owner)
        problems = change_problems(action, author, change, owner)
        if problems:
            return problems
        apply_change(
            action, change, author.id, columns["observed_at"], columns["production_day"], owner
        )
        action.update_count += 1
        action.updated_at = columns["received_at"]
        if owner is not None:
            self.assigned.append((action, owner, author, columns["received_at"]))
        self.updates.append(
            ActionUpdate(
                record_id=columns["id"], action_id=action.id, position=action.update_count,
                author_id=author.id, at=columns["observed_at"], status=change.status,
                owner_id=change.owner, due=change.due, comment=change.comment,
            )
        )  # fmt: skip
        return {}

    def write(self) -> None:
        """Write the derived state, after the records it points to are stored, and tell
        each new owner (in the same transaction: a refused push tells no one)."""
        if not self.actions:
            return
        self.session.add_all(self.new)
        self.session.add_all(self.updates)
        self.session.flush()
        for action, owner, by, now in self.assigned:
            notify_action_assigned(
                self.session, str(action.id), action.title, owner, by, action.due, now
            )
