"""The plant's catalog: areas, stations, metrics, targets, employees, routes."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .models import Area, Category, Employee, Metric, Record, Route, Station, User


def plant_overview(session: Session) -> list[tuple[str, int]]:
    """How many of each thing the plant has, counted in the database."""
    counted = (
        ("Areas", select(func.count(Area.id))),
        ("Active stations", select(func.count(Station.id)).where(Station.active)),
        ("Metrics", select(func.count(Metric.id))),
        ("Observation categories", select(func.count(Category.id)).where(Category.active)),
        ("Employees", select(func.count(Employee.id)).where(Employee.active)),
        ("Routes", select(func.count(Route.id)).where(Route.active)),
        ("Active users", select(func.count(User.id)).where(User.active)),
        ("Records", select(func.count(Record.id))),
    )
    return [(label, session.execute(query).scalar_one()) for label, query in counted]


def list_users(session: Session) -> list[User]:
    return list(
        session.execute(
            select(User).options(selectinload(User.areas)).order_by(User.role, User.username)
        ).scalars()
    )
