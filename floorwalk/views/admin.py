"""Admin pages: for admins alone, everyone else gets 403 on every /admin URL."""

from flask import Blueprint, abort, render_template

from ..accounts import role_required
from ..catalog import list_users, plant_overview
from ..extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required("admin")
def only_admins():
    """Guard the whole blueprint, so that no admin page can forget its check."""


@bp.get("/")
def index():
    return render_template(
        "admin/index.html", overview=plant_overview(db.session), users=list_users(db.session)
    )


@bp.route("/<path:unknown>", methods=["GET", "POST"])
def not_found(unknown: str):
    """Unknown admin URLs pass the admin check first, so they reveal nothing to others."""
    abort(404)
