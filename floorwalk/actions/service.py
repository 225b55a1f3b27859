"""What the pages do with actions, through the push a phone reaches (DESIGN §9): a
page's new action or update becomes a record made by the server for the signed-in
user, and ``sync.push.apply_push`` checks and applies it by the same rules, so the
pages, the phones and the history are one thing."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..models import User
from ..sync.push import apply_push


class ActionError(Exception):
    """The push refused the page's record: ``errors`` by field, as the push names them."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


def _push_one(session: Session, author: User, type_: str, station, data, now) -> uuid.UUID:
    record_id = uuid.uuid4()
    body = {
        "id": str(record_id), "type": type_, "station": station, "author": author.id,
        "version": 1, "observed_at": now.isoformat(timespec="milliseconds"), "walk": None,
        "data": {key: value for key, value in data.items() if value not in (None, "", [])},
    }  # fmt: skip
    (result,) = apply_push(session, author, {"records": [body]}, now, correct_clock=False)
    if result["status"] != "created":
        raise ActionError(result.get("errors") or {"record": [result["status"]]})
    return record_id


def create_action(
    session: Session, author: User, values: dict[str, Any], now: datetime
) -> uuid.UUID:
    """Make an action from a page's form (``ActionForm``): its id, or ActionError."""
    data = {
        "title": values["title"], "owner": values["owner"], "due": values["due"].isoformat(),
        "priority": values["priority"], "text": values.get("text"),
        "observation": str(values["observation"]) if values.get("observation") else None,
    }  # fmt: skip
    return _push_one(session, author, "action", values.get("station") or None, data, now)


def update_action(
    session: Session, author: User, action_id: uuid.UUID, values: dict[str, Any], now: datetime
) -> uuid.UUID:
    """Move, reassign, re-date or comment an action from a page's form
    (``ActionUpdateForm``): the update's id, or ActionError."""
    due = values.get("due")
    data = {
        "action": str(action_id), "status": values.get("status"), "owner": values.get("owner"),
        "due": due.isoformat() if due else None, "comment": values.get("comment"),
    }  # fmt: skip
    return _push_one(session, author, "action_update", None, data, now)
