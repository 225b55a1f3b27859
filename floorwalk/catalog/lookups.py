"""Finding and listing the catalog's rows, for pages, imports and the command line."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..models import (
    Area,
    Category,
    Employee,
    Metric,
    Record,
    Route,
    RouteStop,
    Station,
    StationMetric,
    User,
)
from .errors import CatalogError


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


def _one(session: Session, model, column, value):
    return session.execute(select(model).where(column == value)).scalar_one_or_none()


def station_by_code(session: Session, code: str) -> Station | None:
    return _one(session, Station, Station.code, code)


def metric_by_key(session: Session, key: str) -> Metric | None:
    return _one(session, Metric, Metric.key, key)


def category_by_key(session: Session, key: str) -> Category | None:
    return _one(session, Category, Category.key, key)


def employee_by_badge(session: Session, badge: str) -> Employee | None:
    return _one(session, Employee, Employee.badge, badge)


def area_by_name(session: Session, name: str) -> Area | None:
    return _one(session, Area, Area.name, name)


def existing_area(session: Session, name: str | None) -> Area | None:
    """The named area, None for a blank name; CatalogError when there is no such area."""
    if not name:
        return None
    area = area_by_name(session, name)
    if area is None:
        raise CatalogError(f"There is no area {name!r}; add it on the Areas page first.", "area")
    return area


def list_areas(session: Session) -> list[tuple[Area, int, int]]:
    """Every area with its number of stations and employees."""
    stations = select(func.count(Station.id)).where(Station.area_id == Area.id).scalar_subquery()
    employees = (
        select(func.count(Employee.id))
        .where(Employee.area_id == Area.id, Employee.active)
        .scalar_subquery()
    )
    return list(session.execute(select(Area, stations, employees).order_by(Area.name)).all())


def area_names(session: Session) -> list[str]:
    return list(session.execute(select(Area.name).order_by(Area.name)).scalars())


def list_stations(
    session: Session, search: str = "", area_id: int | None = None, active_only: bool = False
) -> list[Station]:
    query = select(Station).join(Station.area).options(selectinload(Station.area))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(func.lower(Station.code).like(pattern), func.lower(Station.name).like(pattern))
        )
    if area_id:
        query = query.where(Station.area_id == area_id)
    if active_only:
        query = query.where(Station.active)
    return list(session.execute(query.order_by(Area.name, Station.code)).scalars())


def list_metrics(session: Session) -> list[Metric]:
    return list(session.execute(select(Metric).order_by(Metric.key)).scalars())


def usual_metrics(session: Session) -> list[tuple[Metric, int]]:
    """Every metric with the number of stations that list it, most listed first: what a
    new station most likely counts too."""
    listed = func.count(StationMetric.station_id)
    query = (
        select(Metric, listed)
        .outerjoin(StationMetric, StationMetric.metric_id == Metric.id)
        .group_by(Metric.id)
        .order_by(listed.desc(), Metric.key)
    )
    return [(metric, count) for metric, count in session.execute(query)]


def list_categories(session: Session, active_only: bool = False) -> list[Category]:
    query = select(Category).order_by(Category.position, Category.key)
    if active_only:
        query = query.where(Category.active)
    return list(session.execute(query).scalars())


def list_employees(session: Session, search: str = "", area_id: int | None = None):
    query = select(Employee).options(selectinload(Employee.area)).order_by(Employee.badge)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(func.lower(Employee.badge).like(pattern), func.lower(Employee.name).like(pattern))
        )
    if area_id:
        query = query.where(Employee.area_id == area_id)
    return list(session.execute(query).scalars())


def list_routes(session: Session) -> list[Route]:
    query = select(Route).options(selectinload(Route.stops).selectinload(RouteStop.station))
    return list(session.execute(query.order_by(Route.name)).scalars())


def list_users(session: Session) -> list[User]:
    return list(
        session.execute(
            select(User).options(selectinload(User.areas)).order_by(User.role, User.username)
        ).scalars()
    )
