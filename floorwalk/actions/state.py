"""An action's state machine and its derived state (DESIGN §9, docs/actions.md).

An action is ``open`` when made; the status an update asks for moves it on:

    open        → in_progress, done, cancelled
    in_progress → done, cancelled
    done        → verified, reopened
    verified    → reopened
    cancelled   → reopened

``reopened`` puts it back to ``open`` (who marked it done and when it closed are
forgotten; the history keeps them). ``verified`` and ``cancelled`` close an action.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..models import Action, User

MOVES: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "done", "cancelled"),
    "in_progress": ("done", "cancelled"),
    "done": ("verified", "reopened"),
    "verified": ("reopened",),
    "cancelled": ("reopened",),
}
CLOSED = ("verified", "cancelled")
# Not done yet: these are overdue once their due day has passed.
PENDING = ("open", "in_progress")
# What each move makes the status.
RESULT = {"reopened": "open"}


@dataclass(frozen=True)
class Change:
    """What one ``action_update`` asks for, as the push loaded its ``data``."""

    status: str | None = None
    owner: int | None = None
    due: date | None = None
    comment: str | None = None
    photos: tuple = ()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "Change":
        return cls(
            data.get("status"), data.get("owner"), data.get("due"), data.get("comment"),
            tuple(data.get("photos") or ()),
        )  # fmt: skip

    def empty(self) -> bool:
        return not (self.status or self.owner or self.due or self.comment or self.photos)


def fits(status: str, move: str) -> bool:
    return move in MOVES[status]


def is_overdue(status: str, due: date, today: date) -> bool:
    """Not done by its due day: overdue from the day after."""
    return status in PENDING and due < today


def apply_change(
    action: Action, change: Change, author_id: int, at: datetime, day: date, owner: User | None
) -> None:
    """Move ``action`` on by a change the rules accepted (``rules.change_problems``);
    ``owner`` is the user ``change.owner`` names."""
    if owner is not None:
        action.owner, action.owner_id = owner, owner.id
    if change.due is not None:
        action.due = change.due
    if change.status is None:
        return
    action.status = RESULT.get(change.status, change.status)
    if change.status == "done":
        action.done_by_id, action.done_at, action.done_day = author_id, at, day
    elif change.status == "reopened":
        action.done_by_id = action.done_at = action.done_day = None
        action.closed_at = action.closed_day = None
    elif change.status in CLOSED:
        action.closed_at, action.closed_day = at, day
