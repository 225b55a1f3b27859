"""Admin pages: for admins alone, everyone else gets 403 on every /admin URL.

The blueprint and its guard live here; the pages live in one module per group of
entities, each registered from a spec (crud.py) that loads the form with a marshmallow
schema and saves it with one catalog function that writes its audit event. crud.apply
commits once, or rolls back and shows the errors beside their fields.
"""

from flask import Blueprint, abort

from ...accounts import role_required
from ...catalog.csv_io import COLUMNS

bp = Blueprint("admin", __name__, url_prefix="/admin")

SECTIONS = (
    ("Users", "admin.users"),
    ("Areas", "admin.areas"),
    ("Stations", "admin.stations"),
    ("Metrics", "admin.metrics"),
    ("Categories", "admin.categories"),
    ("Employees", "admin.employees"),
    ("Routes", "admin.routes"),
    ("Day plan", "admin.plan"),
    ("Settings", "admin.settings"),
    ("Audit", "admin.audit"),
    ("Devices", "admin.devices"),
    ("Outbox", "admin.outbox"),
)


@bp.before_request
@role_required("admin")
def only_admins():
    """Guard the whole blueprint, so that no admin page can forget its check."""


@bp.context_processor
def admin_context() -> dict:
    return {"sections": SECTIONS, "csv_columns": COLUMNS}


@bp.route("/<path:unknown>", methods=["GET", "POST"])
def not_found(unknown: str):
    """Unknown admin URLs pass the admin check first, so they reveal nothing to others."""
    abort(404)


# The pages add their views to bp.
from . import catalog, csv, operations, plant, stations, users  # noqa: E402, F401
