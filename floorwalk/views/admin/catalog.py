"""Areas, metrics, observation categories, employees and routes: one spec each."""

from flask import request, url_for

from ... import catalog
from ...catalog.schemas import AreaForm, CategoryForm, EmployeeForm, MetricForm, RouteForm
from ...extensions import db
from ...models import Area, Route
from . import bp
from .crud import Entity, actor, area_choices, filtered, find_or_404, move, register

METRIC_FIELDS = (
    {"name": "key", "label": "Key", "hint": "Letters, digits, _ . - (e.g. units_completed)"},
    {"name": "label", "label": "Label"},
    {"name": "unit", "label": "Unit", "hint": "Optional (pcs, bins, people)"},
    {
        "name": "kind",
        "label": "Kind",
        "type": "select",
        "options": [
            ("tally", "tally: entries add up over the day"),
            ("counter", "counter: a running reading that restarts each shift"),
            ("gauge", "gauge: a reading at a moment (last, min, max)"),
        ],
    },
)
CATEGORY_FIELDS = (
    {"name": "key", "label": "Key", "hint": "Letters, digits, _ . -"},
    {"name": "label", "label": "Label"},
    {"name": "downtime", "label": "Downtime (observations carry minutes lost)", "type": "checkbox"},
    {"name": "active", "label": "Active", "type": "checkbox"},
)
AREA_FIELDS = ({"name": "name", "label": "Name"},)


def employee_fields():
    return (
        {"name": "badge", "label": "Badge"},
        {"name": "name", "label": "Name"},
        {"name": "area", "label": "Area", "type": "select", "options": area_choices()},
        {"name": "active", "label": "Active", "type": "checkbox"},
    )


AREAS = register(
    bp,
    Entity(
        "area",
        "areas",
        "int:area_id",
        attr="id",
        label="name",
        find=lambda session, area_id: session.get(Area, area_id),
        schema=AreaForm,
        save=lambda session, actor, area, v: catalog.save_area(session, actor, area, v["name"]),
        delete=catalog.delete_area,
        values=catalog.area_values,
        blank={},
        listing=lambda: {"areas": catalog.list_areas(db.session)},
        context=lambda area: {"fields": AREA_FIELDS},
    ),
)


def keyed(name: str, plural: str, key: str, list_rows, fields, searched=False, **spec) -> Entity:
    """A catalog row named by a key that never changes (metric key, category key, badge):
    listed by ``list_rows`` (``searched``: through the list page's search and area filters)
    and edited on the generic form page with ``fields()``."""

    def listing() -> dict:
        return filtered(plural, list_rows) if searched else {plural: list_rows(db.session)}

    def context(row) -> dict:
        return {"fields": fields()}

    return register(
        bp, Entity(name, plural, key, fixed=True, listing=listing, context=context, **spec)
    )


METRICS = keyed(
    "metric", "metrics", "key", catalog.list_metrics, lambda: METRIC_FIELDS,
    find=catalog.metric_by_key, schema=MetricForm, save=catalog.save_metric,
    values=catalog.metric_values, delete=catalog.delete_metric,
)  # fmt: skip
CATEGORIES = keyed(
    "category", "categories", "key", catalog.list_categories, lambda: CATEGORY_FIELDS,
    find=catalog.category_by_key, schema=CategoryForm, save=catalog.save_category,
    values=catalog.category_values,
)  # fmt: skip
EMPLOYEES = keyed(
    "employee", "employees", "badge", catalog.list_employees, employee_fields, searched=True,
    find=catalog.employee_by_badge, schema=EmployeeForm, save=catalog.save_employee,
    values=catalog.employee_values,
)  # fmt: skip


# Routes -------------------------------------------------------------------------------


def route_form_values(route: Route) -> dict:
    values = catalog.route_values(route)
    return values | {"stations": "\n".join(values["stations"])}


def save_route(session, actor, route: Route | None, values: dict) -> Route:
    chosen = catalog.route_stations(session, values["stations"])
    return catalog.save_route(session, actor, route, values, chosen)


def route_context(route: Route | None) -> dict:
    active = catalog.list_stations(db.session, active_only=True)
    return {"areas": area_choices(), "station_codes": [s.code for s in active]}


ROUTES = register(
    bp,
    Entity(
        name="route",
        plural="routes",
        key="int:route_id",
        attr="id",
        label="name",
        find=lambda session, route_id: session.get(Route, route_id),
        schema=RouteForm,
        save=save_route,
        values=route_form_values,
        blank={"active": True, "stations": ""},
        listing=lambda: {"routes": catalog.list_routes(db.session)},
        template="admin/route_form.html",
        context=route_context,
        next_url=lambda route, created: ROUTES.edit_url(route),
    ),
)


@bp.post("/routes/<int:route_id>/stops/<int:position>/<any(up, down):direction>")
def route_move(route_id: int, position: int, direction: str):
    route = find_or_404(ROUTES, route_id)
    shown = request.form.get("station") or None
    return move(
        direction,
        lambda step: catalog.move_route_stop(db.session, actor(), route, position, step, shown),
        url_for(".route_edit", route_id=route.id) + f"#stop-{position}",
    )
