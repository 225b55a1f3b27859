"""Metrics, observation categories and employees: the catalog rows edited one by one.

Every change goes through a function of the catalog package that writes an audit event
with the values before and after (nothing when nothing changed). Rows a phone mirrors
are deactivated rather than deleted where the design keeps history (stations,
categories, employees, routes, users); what is deleted for good leaves a ``Removal`` for
pull (kind: the pull collection, key: the row's id).
"""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..audit import audit_change, record_audit
from ..models import Category, Employee, Metric, PlanTarget, Record, StationMetric
from .errors import CatalogError, add_removal
from .lookups import category_by_key, employee_by_badge, existing_area, metric_by_key


def metric_values(metric: Metric) -> dict[str, Any]:
    return {"key": metric.key, "label": metric.label, "unit": metric.unit, "kind": metric.kind}


def category_values(category: Category) -> dict[str, Any]:
    return {
        "key": category.key,
        "label": category.label,
        "downtime": category.downtime,
        "active": category.active,
    }


def employee_values(employee: Employee) -> dict[str, Any]:
    return {
        "badge": employee.badge,
        "name": employee.name,
        "area": employee.area.name if employee.area else None,
        "active": employee.active,
    }


def save_metric(
    session: Session, actor, metric: Metric | None, values: dict, action: str | None = None
) -> Metric:
    before = metric_values(metric) if metric else None
    if metric is None:
        if metric_by_key(session, values["key"]) is not None:
            raise CatalogError(f"The metric key {values['key']!r} is taken.", "key")
        metric = Metric(key=values["key"])
        session.add(metric)
    metric.label = values["label"]
    metric.unit = values["unit"] or ""
    metric.kind = values["kind"]
    audit_change(session, actor, "metric", metric.key, before, metric_values(metric), action)
    return metric


def delete_metric(session: Session, actor, metric: Metric) -> None:
    """Delete a metric nothing refers to yet (a mistake); one in use stays."""
    uses = {
        "records": select(func.count(Record.id)).where(Record.metric_id == metric.id),
        "stations": select(func.count()).where(StationMetric.metric_id == metric.id),
        "plan targets": select(func.count(PlanTarget.id)).where(PlanTarget.metric_id == metric.id),
    }
    used = [f"{n} {name}" for name, q in uses.items() if (n := session.execute(q).scalar_one())]
    if used:
        raise CatalogError(
            f"The metric {metric.key!r} is used by {', '.join(used)}, so it stays.", "key"
        )
    record_audit(session, actor, "delete", "metric", metric.key, metric_values(metric), None)
    add_removal(session, "metrics", metric.id)
    session.delete(metric)
    session.flush()


def save_category(
    session: Session, actor, category: Category | None, values: dict, action: str | None = None
) -> Category:
    before = category_values(category) if category else None
    if category is None:
        if category_by_key(session, values["key"]) is not None:
            raise CatalogError(f"The category key {values['key']!r} is taken.", "key")
        last = session.execute(select(func.max(Category.position))).scalar_one()
        category = Category(key=values["key"], position=(last or 0) + 1)
        session.add(category)
    category.label = values["label"]
    category.downtime = values["downtime"]
    category.active = values.get("active", True)
    after = category_values(category)
    audit_change(session, actor, "category", category.key, before, after, action)
    return category


def save_employee(
    session: Session, actor, employee: Employee | None, values: dict, action: str | None = None
) -> Employee:
    before = employee_values(employee) if employee else None
    area = existing_area(session, values.get("area"))
    if employee is None:
        if employee_by_badge(session, values["badge"]) is not None:
            raise CatalogError(f"The badge {values['badge']!r} is taken.", "badge")
        employee = Employee(badge=values["badge"])
        session.add(employee)
    employee.name = values["name"]
    employee.area = area
    employee.active = values.get("active", True)
    after = employee_values(employee)
    audit_change(session, actor, "employee", employee.badge, before, after, action)
    return employee
