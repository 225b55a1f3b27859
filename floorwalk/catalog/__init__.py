"""The plant's catalog: areas, stations, metrics, targets, plan, employees, routes,
categories. Every verb writes its own audit event, whoever calls it (admin pages, CSV
imports, the command line); the pages call them as ``catalog.save_station(...)``.

Modules: ``lookups`` (find and list), ``areas``, ``stations`` (their metrics and order),
``entities`` (metrics, categories, employees), ``routes``, ``ordering`` (one-place
moves), ``plan`` (the day plan and the one target rule), ``csv_io`` (imports),
``csv_export`` (exports, templates), ``schemas`` (what forms and CSV rows accept), ``errors``.
"""

from .areas import area_values, delete_area, ensure_area, ensure_areas, save_area
from .checklist import record_label_print, setup_checklist
from .entities import (
    category_values,
    delete_metric,
    employee_values,
    metric_values,
    save_category,
    save_employee,
    save_metric,
)
from .errors import CatalogError, add_removal
from .lookups import (
    area_by_name,
    area_names,
    category_by_key,
    employee_by_badge,
    existing_area,
    list_areas,
    list_categories,
    list_employees,
    list_metrics,
    list_routes,
    list_stations,
    list_users,
    metric_by_key,
    plant_overview,
    station_by_code,
    usual_metrics,
)
from .routes import move_route_stop, route_stations, route_values, save_route
from .stations import (
    add_metrics_to_stations,
    move_station_metric,
    remove_station_metric,
    save_station,
    set_station_metric,
    station_values,
    target_values,
)

__all__ = [
    "area_values",
    "route_values",
    "category_values",
    "employee_values",
    "metric_values",
    "station_values",
    "target_values",
    "CatalogError",
    "add_removal",
    "area_by_name",
    "area_names",
    "category_by_key",
    "delete_area",
    "delete_metric",
    "employee_by_badge",
    "ensure_area",
    "ensure_areas",
    "existing_area",
    "list_areas",
    "list_categories",
    "list_employees",
    "list_metrics",
    "list_routes",
    "list_stations",
    "list_users",
    "metric_by_key",
    "move_route_stop",
    "move_station_metric",
    "plant_overview",
    "remove_station_metric",
    "route_stations",
    "save_area",
    "save_category",
    "save_employee",
    "save_metric",
    "save_route",
    "save_station",
    "set_station_metric",
    "station_by_code",
    "record_label_print",
    "setup_checklist",
    "usual_metrics",
    "add_metrics_to_stations",
]
