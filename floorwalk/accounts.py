"""Users, roles, passwords, sessions and sign-in limits."""

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import wraps
from time import time
from typing import Any

from flask import abort
from flask_login import current_user
from limits import parse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .audit import audit_change, record_audit
from .catalog.areas import ensure_areas
from .extensions import limiter
from .models import ROLES, User

USERNAME_PATTERN = r"^[A-Za-z0-9._@-]{1,64}$"
MIN_PASSWORD_LENGTH = 10
BAD_CREDENTIALS = "Unknown username or wrong password."

# Failed sign-ins only (DESIGN §7): a whole shift signing in through one proxy must not
# lock itself out, so successes never count.
FAILED_SIGN_IN_LIMITS = (
    (parse("5/minute"), ("account_address",)),
    (parse("20/hour"), ("account",)),
    (parse("50/minute"), ("address",)),
)

# A hash to check against when the user does not exist, so that an unknown username
# takes as long as a wrong password and the answer reveals nothing.
_DUMMY_HASH: dict[int, str] = {}


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
        session_token=new_session_token(),
        active=True,
        areas=ensure_areas(session, areas, actor),
    )
    session.add(user)
    session.flush()
    audit_change(session, actor, "user", user.username, None, user_values(user))
    return user


def end_sessions(user: User) -> None:
    """End every session and remember cookie of ``user``, on every device and server."""
    user.session_token = new_session_token()


def set_password(user: User, password: str, iterations: int = 600_000) -> None:
    check_new_password(password)
    user.password_hash = hash_password(password, iterations)
    end_sessions(user)


def deactivate_user(user: User) -> None:
    user.active = False
    end_sessions(user)


def load_session_user(session: Session, session_id: str) -> User | None:
    """The user of a session id ``"{id}:{token}"``, if it is still valid."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


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


# Sign-in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInBlocked(Exception):
    retry_after: int


def _limit_keys(username: str, address: str) -> dict[str, tuple[str, ...]]:
    account = username.strip().lower()
    return {
        "account_address": ("sign-in", "account+address", account, address),
        "account": ("sign-in", "account", account),
        "address": ("sign-in", "address", address),
    }


def check_sign_in_allowed(username: str, address: str) -> None:
    """Raise SignInBlocked when too many sign-ins failed lately for this account or address."""
    keys = _limit_keys(username, address)
    strategy = limiter.limiter
    waits = []
    for item, (scope,) in FAILED_SIGN_IN_LIMITS:
        if not strategy.test(item, *keys[scope]):
            reset_at = strategy.get_window_stats(item, *keys[scope]).reset_time
            waits.append(max(1, int(reset_at - time()) + 1))
    if waits:
        raise SignInBlocked(max(waits))


def count_failed_sign_in(username: str, address: str) -> None:
    keys = _limit_keys(username, address)
    for item, (scope,) in FAILED_SIGN_IN_LIMITS:
        limiter.limiter.hit(item, *keys[scope])


def authenticate(
    session: Session, username: str, password: str, address: str, iterations: int = 600_000
) -> User:
    """The user these credentials sign in, or AccountError with one message for any failure.

    Raises SignInBlocked, before checking the password, while the limits are exceeded.
    """
    check_sign_in_allowed(username, address)
    user = find_user(session, username)
    if user is None:
        if iterations not in _DUMMY_HASH:
            _DUMMY_HASH[iterations] = hash_password(secrets.token_hex(8), iterations)
        check_password_hash(_DUMMY_HASH[iterations], password)
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password) and user.active
    if not ok:
        count_failed_sign_in(username, address)
        raise AccountError(BAD_CREDENTIALS)
    return user


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
