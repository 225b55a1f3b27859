"""Home and health."""

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from ..accounts import role_required
from ..extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
@role_required()
def home():
    return render_template("home.html")


@bp.get("/healthz")
def healthz():
    """For load balancers and timers: the app answers and its database does too."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means unhealthy, whatever its kind
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
