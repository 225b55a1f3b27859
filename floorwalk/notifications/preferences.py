"""Each user's choice per kind: by mail too, or in the inbox only (DESIGN §9).

Without a stored choice a kind goes by mail when the user has an address: what is worth
a notification is worth a mail until the user says otherwise.
"""

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit import audit_change
from ..models import NotificationPreference, User
from .kinds import NAMES, kinds_for

# One address, no display name, no spaces or control characters: what a mail's To takes.
EMAIL = re.compile(r"^[^@\s<>,;\"\x00-\x1f\x7f]{1,64}@[A-Za-z0-9.-]{1,189}\.[A-Za-z]{2,}$")


def chosen(session: Session, user_id: int) -> dict[str, bool]:
    """The user's choice per kind: True for mail, False for the inbox only."""
    rows = session.execute(
        select(NotificationPreference.kind, NotificationPreference.email).where(
            NotificationPreference.user_id == user_id
        )
    )
    stored = dict(rows.all())
    return {kind: stored.get(kind, True) for kind in NAMES}


def wants_email(session: Session, user: User, kind: str) -> bool:
    return bool(user.email) and chosen(session, user.id)[kind]


def check_email(value: str) -> str | None:
    """The address as stored (None for none); ValueError saying what is wrong."""
    value = value.strip()
    if not value:
        return None
    if len(value) > 254 or not EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address: write it as name@example.com.")
    return value


def save_preferences(session: Session, user: User, email: str, by_mail: set[str]) -> dict[str, str]:
    """Store the user's address and, for each kind they may receive, whether it goes by
    mail (``by_mail``); audited. Returns errors by field; the caller rolls back on any."""
    try:
        address = check_email(email)
    except ValueError as error:
        return {"email": str(error)}
    before = {"email": user.email, **_shown(chosen(session, user.id), user.role)}
    user.email = address
    for kind in kinds_for(user.role):
        row = session.get(NotificationPreference, (user.id, kind.name))
        wanted = kind.name in by_mail
        if row is None:
            session.add(NotificationPreference(user_id=user.id, kind=kind.name, email=wanted))
        else:
            row.email = wanted
    session.flush()
    after = {"email": user.email, **_shown(chosen(session, user.id), user.role)}
    audit_change(session, user, "notification_preferences", user.username, before, after)
    return {}


def _shown(choices: dict[str, bool], role: str) -> dict[str, str]:
    return {kind.name: "email" if choices[kind.name] else "inbox" for kind in kinds_for(role)}
