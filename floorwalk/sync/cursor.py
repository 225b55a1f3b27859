"""Pull's cursor (DESIGN §3): where the previous pull stopped, in which database, for
whom. Opaque to the phone: base64 of the epoch, the change number and a scope hash."""

import base64
import binascii
import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import SyncState, User


class CursorExpired(Exception):
    """The cursor was made by another database (a restore): take a full snapshot."""


class CursorInvalid(ValueError):
    """The cursor is not one this server made."""


# What pull sends, by version: raised when pull gains a collection whose rows a delta
# would never bring to a phone that synced before (a row comes in a delta only when it
# changes), so that every phone's next pull is full once. 2: actions and users.
PULL_SHAPE = 2


def user_scope(user: User) -> str:
    """What decides which rows a user may see, and what pull sends: a change of either
    makes the next pull full."""
    areas = ",".join(str(a.id) for a in user.areas)
    text = f"{PULL_SHAPE}:{user.id}:{user.role}:{areas}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(epoch: uuid.UUID, seq: int, scope: str) -> str:
    return base64.urlsafe_b64encode(f"{epoch.hex}.{seq}.{scope}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[uuid.UUID, int, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        epoch, seq, scope = text.split(".")
        return uuid.UUID(hex=epoch), int(seq), scope
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise CursorInvalid("This cursor was not made by this server.") from None


@dataclass(frozen=True)
class Position:
    """Where a pull starts (``since``: None for a full snapshot) and the cursor it hands
    out for the next one."""

    since: int | None
    next_cursor: str


def pull_position(session: Session, user: User, cursor: str | None) -> Position:
    """Read the change counter and judge the cursor against it.

    The counter is read first, so anything committed after it comes in the next delta.
    A pull is full without a cursor, and when the user's role or areas changed since it
    was made (so that whatever went out of reach is erased).
    """
    state = session.execute(select(SyncState.change_seq, SyncState.epoch)).one()
    scope = user_scope(user)
    since = None
    if cursor:
        cursor_epoch, cursor_seq, cursor_scope = decode_cursor(cursor)
        if cursor_epoch != state.epoch or cursor_seq > state.change_seq:
            raise CursorExpired("The database was restored since this cursor was made.")
        if cursor_scope == scope:
            since = cursor_seq
    return Position(since, encode_cursor(state.epoch, state.change_seq, scope))
