"""Areas, metrics, observation categories, employees and routes: one spec each."""

from flask import request, url_for

from ...catalog import entities as catalog
from ...catalog.schemas import AreaForm, CategoryForm, EmployeeForm, MetricForm, RouteForm
from ...extensions import db
from ...models import Area, Route
from . import bp
from .crud import Entity, actor, area_choices, area_filter, find_or_404, move, register

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
        name="area",
        plural="areas",
        key="int:area_id",
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

METRICS = register(
    bp,
    Entity(
        name="metric",
        plural="metrics",
        key="key",
        attr="key",
        label="key",
        fixed=True,
        find=catalog.metric_by_key,
        schema=MetricForm,
        save=catalog.save_metric,
        delete=catalog.delete_metric,
        values=catalog.metric_values,
        listing=lambda: {"metrics": catalog.list_metrics(db.session)},
        context=lambda metric: {"fields": METRIC_FIELDS},
    ),
)

CATEGORIES = register(
    bp,
    Entity(
        name="category",
        plural="categories",
        key="key",
        attr="key",
        label="key",
        fixed=True,
        find=catalog.category_by_key,
        schema=CategoryForm,
        save=catalog.save_category,
        values=catalog.category_values,
        listing=lambda: {"categories": catalog.list_categories(db.session)},
        context=lambda category: {"fields": CATEGORY_FIELDS},
    ),
)


def employee_listing() -> dict:
    search, area_id = request.args.get("q", "").strip(), area_filter()
    return {
        "employees": catalog.list_employees(db.session, search, area_id),
        "search": search,
        "area_id": area_id,
        "areas": catalog.list_areas(db.session),
    }


EMPLOYEES = register(
    bp,
    Entity(
        name="employee",
        plural="employees",
        key="badge",
        attr="badge",
        label="badge",
        fixed=True,
        find=catalog.employee_by_badge,
        schema=EmployeeForm,
        save=catalog.save_employee,
        values=catalog.employee_values,
        listing=employee_listing,
        context=lambda employee: {"fields": employee_fields()},
    ),
)


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
