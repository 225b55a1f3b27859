"""Actions in the reports (DESIGN §10): opened, closed and overdue over a span of
production days, in one SQL query. An action belongs to an area as everywhere else
(``permissions.actions_in_areas_filter``); a shift does not narrow actions (they are
made and closed at any hour)."""

from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ..models import Action
from ..permissions import actions_in_areas_filter


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def action_figures(
    session: Session, day_from: date, day_to: date, area_id: int | None, today: date
) -> dict[str, int]:
    """``opened``: made on a day of the span; ``closed``: verified or cancelled on one;
    ``overdue``: past its due day and not done when the span ended (at the end of its
    last day, or now for a span that runs to today)."""
    cutoff = min(day_to + timedelta(days=1), today)
    overdue = and_(
        Action.due < cutoff,
        Action.created_day < cutoff,
        or_(Action.done_day.is_(None), Action.done_day >= cutoff),
        or_(Action.closed_day.is_(None), Action.closed_day >= cutoff),
    )
    query = select(
        _count(Action.created_day.between(day_from, day_to)).label("opened"),
        _count(Action.closed_day.between(day_from, day_to)).label("closed"),
        _count(overdue).label("overdue"),
    )
    if area_id is not None:
        query = query.where(actions_in_areas_filter({area_id}))
    row = session.execute(query).one()
    return {"opened": int(row.opened), "closed": int(row.closed), "overdue": int(row.overdue)}
