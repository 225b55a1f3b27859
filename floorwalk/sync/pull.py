"""Pull (DESIGN §3): what the phone needs to work offline, one function per collection.

Without a cursor everything the user may see; with one, the rows changed since, and
``removed``: by kind, what the phone must erase. The answer is dumped through
``PullAnswerSchema``, the same schema the OpenAPI document describes it with.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..accounts import user_summary
from ..actions.queries import assignable_users, pulled_actions
from ..catalog.plan import day_targets_by_shift
from ..models import (
    Area,
    Category,
    Employee,
    Metric,
    PlanTarget,
    Record,
    Removal,
    Route,
    RouteStop,
    Station,
    StationMetric,
    UnscheduledStation,
    User,
)
from ..notifications.inbox import inbox
from ..settings import get_settings, plant_clock
from .answers import PullAnswerSchema
from .cursor import pull_position

HISTORY = timedelta(days=7)
PULLED_NOTIFICATIONS = 10


@dataclass
class Delta:
    """What one pull reads: every row (``since`` None) or those changed since the
    cursor's change number, and what went out of view on the way (``removed``)."""

    session: Session
    since: int | None
    removed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def full(self) -> bool:
        return self.since is None

    def changed(self, model, *options) -> list:
        query = select(model).options(*options)
        if self.since is not None:
            query = query.where(model.change_seq > self.since)
        return list(self.session.execute(query).scalars())

    def visible(self, rows, kind: str, key, shown=lambda row: row.active) -> list:
        """The rows the phone keeps; the others go to ``removed`` (a full pull replaces
        everything, so it names none)."""
        kept = []
        for row in rows:
            if shown(row):
                kept.append(row)
            elif not self.full:
                self.removed[kind].append(str(key(row)))
        return kept


def pull(
    session: Session, user: User, cursor: str | None, now: datetime, min_app: str = "0.0.0"
) -> dict[str, Any]:
    """What the phone needs to work offline: all of it without a cursor, else what
    changed since the cursor was made, and what it must erase (``removed``, by kind).

    ``full`` tells the phone to replace what it mirrors rather than merge.
    """
    position = pull_position(session, user, cursor)
    delta = Delta(session, position.since)
    clock = plant_clock(session)
    # In the order they note removals; the schema orders the answer.
    collections = {
        "stations": stations(delta),
        "categories": categories(delta),
        "employees": employees(delta),
        "routes": routes(delta),
        "records": own_records(delta, user, now),
        "areas": delta.changed(Area),
        "metrics": metrics(delta),
        "plan": todays_plan(session, now),
        "actions": actions(delta, user, now, clock.production_day(now)),
        "users": users(delta),
    }
    note_removals(delta)
    answer = {
        "me": user_summary(user),
        "settings": get_settings(session),
        "min_app": min_app,
        "full": delta.full,
        **collections,
        "removed": dict(delta.removed),
        "cursor": position.next_cursor,
        "server_time": now,
        # The bell: whole on every pull, as small as the phone shows it.
        "notifications": inbox(session, user, limit=PULLED_NOTIFICATIONS),
    }
    return _pull_answer_schema().dump(answer)


@cache
def _pull_answer_schema() -> PullAnswerSchema:
    return PullAnswerSchema()


def categories(delta: Delta) -> list[Category]:
    rows = delta.visible(delta.changed(Category), "categories", lambda c: c.key)
    return sorted(rows, key=lambda c: (c.position, c.key))


def stations(delta: Delta) -> list[Station]:
    rows = delta.changed(Station, selectinload(Station.metrics).selectinload(StationMetric.metric))
    return sorted(delta.visible(rows, "stations", lambda s: s.code), key=lambda s: s.code)


def metrics(delta: Delta) -> list[Metric]:
    return sorted(delta.changed(Metric), key=lambda m: m.key)


def employees(delta: Delta) -> list[Employee]:
    """Every active employee: anyone who walks may note anyone."""
    rows = delta.visible(delta.changed(Employee), "employees", lambda e: e.badge)
    return sorted(rows, key=lambda e: e.badge)


def routes(delta: Delta) -> list[Route]:
    rows = delta.changed(Route, selectinload(Route.stops).selectinload(RouteStop.station))
    return sorted(delta.visible(rows, "routes", lambda r: r.id), key=lambda r: r.id)


def own_records(delta: Delta, user: User, now: datetime) -> list:
    """The user's own records observed in the last 7 days; withdrawn ones go to
    ``removed``."""
    query = (
        select(Record.__table__, Station.code.label("station_code"))
        .outerjoin(Station, Station.id == Record.station_id)
        .where(Record.author_id == user.id, Record.observed_at >= now - HISTORY)
        .order_by(Record.observed_at)
    )
    if delta.since is not None:
        query = query.where(Record.change_seq > delta.since)
    rows = delta.session.execute(query).mappings().all()
    return delta.visible(rows, "records", lambda row: row["id"], lambda row: not row["deleted"])


def actions(delta: Delta, user: User, now: datetime, today) -> list:
    """The actions the user may see, open or closed in the last 7 days (DESIGN §9)."""
    rows, gone = pulled_actions(delta.session, user, delta.since, now, today)
    if gone:
        delta.removed["actions"].extend(gone)
    return rows


def users(delta: Delta) -> list[dict]:
    """Whom an action may be given to: every active user."""
    rows, gone = assignable_users(delta.session, delta.since)
    if gone:
        delta.removed["users"].extend(gone)
    return rows


def note_removals(delta: Delta) -> None:
    """Hard deletes other features wrote to the ``removals`` table since the cursor."""
    if delta.full:
        return
    query = select(Removal.kind, Removal.key).where(Removal.change_seq > delta.since)
    for kind, key in delta.session.execute(query):
        delta.removed[kind].append(key)


def todays_plan(session: Session, now: datetime) -> dict[str, Any]:
    """Today's plan, whole on every pull: a day's plan is small and replaced at once."""
    day = plant_clock(session).production_day(now)
    targets = session.execute(
        select(
            Station.code.label("station"), Metric.key.label("metric"),
            PlanTarget.shift, PlanTarget.target,
        )
        .join(Station, Station.id == PlanTarget.station_id)
        .join(Metric, Metric.id == PlanTarget.metric_id)
        .where(PlanTarget.day == day)
        .order_by(Station.code, Metric.key, PlanTarget.shift)
    )  # fmt: skip
    unscheduled = session.execute(
        select(Station.code.label("station"), UnscheduledStation.shift)
        .join(Station, Station.id == UnscheduledStation.station_id)
        .where(UnscheduledStation.day == day)
        .order_by(Station.code, UnscheduledStation.shift)
    )
    return {
        "day": day,
        # What the phone shows: each station metric's target by the one rule.
        "station_targets": day_targets_by_shift(session, day),
        "targets": targets.mappings().all(),
        "unscheduled": unscheduled.mappings().all(),
    }
