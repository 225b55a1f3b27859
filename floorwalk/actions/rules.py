"""Whether an ``action_update`` fits the action as the server finds it (DESIGN §9):
the move fits the status, the author may make it, ``verified`` needs four eyes.
Each problem is a sentence under the field it is about, as every push rejection."""

from ..models import Action, User
from ..permissions import may_see_action, may_steer_action
from .state import CLOSED, MOVES, RESULT, Change, fits

# Moves the owner may make; every other move needs whoever steers the action.
OWNER_MOVES = ("in_progress", "done")
WORDS = {
    "open": "open",
    "in_progress": "in progress",
    "done": "done",
    "verified": "verified",
    "cancelled": "cancelled",
    "reopened": "reopened",
}


def move_problem(action: Action, author: User, move: str) -> str | None:
    """Why ``author`` may not make ``move`` now; None when they may."""
    now = WORDS[action.status]
    if action.status == RESULT.get(move, move):
        return f"The action is {now} already."
    if not fits(action.status, move):
        allowed = ", ".join(WORDS[m] for m in MOVES[action.status])
        return f"The action is {now}: it can only be {allowed} now, not {WORDS[move]}."
    if move in OWNER_MOVES:
        if not may_see_action(author, action):
            return (
                f"Only the owner, the creator, the area's supervisors and managers may mark "
                f"an action {WORDS[move]}."
            )
    elif not may_steer_action(author, action):
        return (
            f"Only the creator, the area's supervisors and managers may mark an action "
            f"{WORDS[move]}."
        )
    if move == "verified" and author.id == action.done_by_id:
        return "You marked this action done: someone else verifies it."
    return None


def steering_problem(action: Action, author: User, what: str) -> str | None:
    if action.status in CLOSED:
        return f"The action is {WORDS[action.status]}: reopen it before you change its {what}."
    if not may_steer_action(author, action):
        return f"Only the creator, the area's supervisors and managers may change its {what}."
    return None


def change_problems(
    action: Action, author: User, change: Change, owner: User | None
) -> dict[str, list[str]]:
    """What is wrong with ``change`` made by ``author`` to ``action`` as it is now, by
    field; empty when it fits. ``owner``: the active user ``change.owner`` names."""
    if not may_see_action(author, action):
        return {
            "data.action": [
                f"The action {action.id} is not yours to change: only its owner, its "
                "creator, its area's supervisors and managers work on it."
            ]
        }
    if change.empty():
        return {"data": ["An update changes the status, owner or due date, or adds a comment."]}
    errors: dict[str, list[str]] = {}
    if change.status is not None:
        problem = move_problem(action, author, change.status)
        if problem:
            errors["data.status"] = [problem]
    if change.owner is not None and change.owner != action.owner_id:
        problem = steering_problem(action, author, "owner")
        if problem:
            errors["data.owner"] = [problem]
        elif owner is None:
            errors["data.owner"] = [f"No active user has the id {change.owner}."]
    if change.due is not None and change.due != action.due:
        problem = steering_problem(action, author, "due date")
        if problem is None and change.due < action.created_day:
            problem = (
                f"The due date {change.due.isoformat()} is before the action was made "
                f"({action.created_day.isoformat()})."
            )
        if problem:
            errors["data.due"] = [problem]
    return errors
