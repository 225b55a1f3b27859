"""Users, roles, passwords and sessions (signing in, and its limits: signin.py)."""

import logging
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, object_session
from werkzeug.security import check_password_hash, generate_password_hash

from .audit import audit_change, record_audit
from .catalog.areas import ensure_areas
from .models import ROLES, User, UserSession

logger = logging.getLogger(__name__)

USERNAME_PATTERN = r"^[A-Za-z0-9._@-]{1,64}$"
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A request about accounts that cannot be carried out, with a message for people and
    the form field it concerns (or None)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def hash_password(password: str, iterations: int = 600_000) -> str:
    """PBKDF2-SHA256 (OWASP ASVS 5); cheaper in memory than scrypt when a shift signs in."""
    return generate_password_hash(password, method=f"pbkdf2:sha256:{iterations}")


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters.", "password"
        )


def find_user(session: Session, username: str) -> User | None:
    return session.execute(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).scalar_one_or_none()


def create_user(
    session: Session,
    username: str,
    role: str,
    password: str,
    areas: Iterable[str] = (),
    iterations: int = 600_000,
    actor: User | None = None,
) -> User:
    """Add a user, audited as ``actor``'s doing (None: the command line); raises
    AccountError for a taken name, an unknown role or a weak password."""
    username = username.strip()
    if not re.match(USERNAME_PATTERN, username):
        raise AccountError(
            f"A username is 1 to 64 letters, digits or . _ @ - (no spaces): {username!r} is not.",
            "username",
        )
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.", "role")
    if find_user(session, username) is not None:
        raise AccountError(f"The username {username!r} is taken.", "username")
    check_new_password(password)
    user = User(
        username=username,
        role=role,
        password_hash=hash_password(password, iterations),
        active=True,
        areas=ensure_areas(session, areas, actor),
    )
    session.add(user)
    session.flush()
    audit_change(session, actor, "user", user.username, None, user_values(user))
    return user


# Sessions (DESIGN §3, §7) --------------------------------------------------------------

# A request that finds its session seen less than this long ago does not write
# last_seen_at again: reads stay reads.
LAST_SEEN_EVERY = timedelta(minutes=1)


def start_session(
    session: Session,
    user: User,
    now: datetime,
    device: str | None = None,
    app: str | None = None,
    user_agent: str | None = None,
) -> UserSession:
    """A new server-side session for this sign-in, made the user's current one (so that
    Flask-Login's cookies refer to it)."""
    row = UserSession(
        user=user,
        token=new_session_token(),
        device=(device or None) and device[:64],
        app=(app or None) and app[:32],
        user_agent=(user_agent or None) and user_agent[:255],
        created_at=now,
        last_seen_at=now,
    )
    session.add(row)
    session.flush()
    user.current_session = row
    return row


def load_session_user(session: Session, session_id: str) -> User | None:
    """The user of a cookie's session id ``"{session id}:{token}"`` while that session
    lasts."""
    row_id, _, token = session_id.partition(":")
    if not row_id.isdigit() or not token:
        return None
    row = session.get(UserSession, int(row_id))
    if row is None or not secrets.compare_digest(row.token, token) or not row.user.active:
        return None
    row.user.current_session = row
    return row.user


def note_seen(row: UserSession, now: datetime, engine: Engine | None) -> None:
    """Note that a session was seen, at most once every LAST_SEEN_EVERY, so that reading
    pages seldom writes.

    ``engine``: in a short transaction of its own, for a request that only reads (it
    never upgrades the request's reading transaction on SQLite); None: in the request's
    own transaction, which holds the write lock already.
    """
    if now - row.last_seen_at < LAST_SEEN_EVERY:
        return
    if engine is None:
        row.last_seen_at = now
        return
    due = UserSession.last_seen_at < now - LAST_SEEN_EVERY
    with engine.connect().execution_options(sqlite_immediate=True) as connection:
        connection.execute(
            update(UserSession).where(UserSession.id == row.id, due).values(last_seen_at=now)
        )
        connection.commit()


def list_sessions(session: Session, user: User) -> list[UserSession]:
    """The user's sessions, the most recently seen first."""
    return list(
        session.execute(
            select(UserSession)
            .where(UserSession.user_id == user.id)
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        ).scalars()
    )


def end_session(session: Session, user: User) -> None:
    """End the session ``user`` is signed in with here; the user's others stay."""
    if user.current_session is not None:
        session.delete(user.current_session)
        user.current_session = None


def end_sessions(user: User, keep: UserSession | None = None) -> None:
    """End every session and remember cookie of ``user`` (but ``keep``), on every device
    and server."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    object_session(user).execute(query)


def set_password(
    user: User, password: str, iterations: int = 600_000, keep: UserSession | None = None
) -> None:
    """Every session of the user ends but ``keep`` (the one a user changing their own
    password made the change from)."""
    check_new_password(password)
    user.password_hash = hash_password(password, iterations)
    end_sessions(user, keep)


def change_own_password(
    session: Session, user: User, current: str, new: str, repeated: str, iterations: int
) -> None:
    """A user's change of their own password: the current one first; their other sessions
    end, the one they changed it from stays."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError("That is not your current password.", "current_password")
    if new != repeated:
        raise AccountError("The two new passwords differ.", "repeat_password")
    try:
        set_password(user, new, iterations, keep=user.current_session)
    except AccountError as error:
        raise AccountError(str(error), "new_password") from None
    record_audit(
        session, user, "change_password", "user", user.username, None, {"sessions": "others ended"}
    )


def deactivate_user(user: User) -> None:
    user.active = False
    end_sessions(user)


# Changes an admin makes (audited) -------------------------------------------------------


def user_values(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role,
        "areas": [area.name for area in user.areas],
        "active": user.active,
    }


def update_user(session: Session, actor, user: User, role: str, areas: list[str]) -> None:
    if user.id == actor.id and role != "admin":
        raise AccountError("You cannot take the admin role from yourself.", "role")
    before = user_values(user)
    user.role = role
    user.areas = ensure_areas(session, areas, actor)
    audit_change(session, actor, "user", user.username, before, user_values(user))


def set_user_active(session: Session, actor, user: User, active: bool) -> None:
    """Deactivating ends every session of the user at once (DESIGN §7)."""
    if user.id == actor.id and not active:
        raise AccountError("You cannot deactivate yourself.", "active")
    before = user_values(user)
    if active:
        user.active = True
    else:
        deactivate_user(user)
    action = "activate" if active else "deactivate"
    audit_change(session, actor, "user", user.username, before, user_values(user), action)


def reset_password(session: Session, actor, user: User, password: str, iterations: int) -> None:
    set_password(user, password, iterations)
    record_audit(
        session, actor, "reset_password", "user", user.username, None, {"sessions": "ended"}
    )


# Roles --------------------------------------------------------------------------------


def role_required(*roles: str):
    """Let only signed-in users with one of ``roles`` through; 401 or 403 otherwise.

    The 401 becomes a redirect to /login for pages and a JSON error under /api.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def user_summary(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "areas": [area.name for area in user.areas],
    }
