"""The kinds of notification (DESIGN §9), their names, and who gets each by default.

The names are fixed: they are stored in the inbox and in each user's preferences, and
the actions package names the two action kinds when it calls ``events``.
"""

from dataclasses import dataclass

from ..models import ROLES


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what the account page says the kind is
    roles: tuple[str, ...]  # who may receive it (the account page lists these alone)


KINDS = (
    Kind("action_assigned", "An action is assigned to me", ROLES),
    Kind("action_due", "An action of mine is due tomorrow or overdue", ROLES),
    Kind(
        "observation_alert",
        "A critical or high observation is made in an area I supervise",
        ("supervisor",),
    ),
    Kind(
        "escalation_observation",
        "A critical or high observation is not acknowledged in time",
        ("manager",),
    ),
    Kind(
        "escalation_action",
        "An action is overdue (1 day: supervisors; 3 days: managers)",
        ("supervisor", "manager"),
    ),  # fmt: skip
    Kind("daily_digest", "The digest of each production day's summary", ("manager",)),
)
BY_NAME = {kind.name: kind for kind in KINDS}
NAMES = tuple(BY_NAME)


def kinds_for(role: str) -> list[Kind]:
    """The kinds a user of ``role`` may receive, for the account page."""
    return [kind for kind in KINDS if role in kind.roles]
