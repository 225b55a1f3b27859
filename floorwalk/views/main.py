"""Home and health."""

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("home.html")


@bp.get("/healthz")
def healthz():
    """For load balancers and timers: the app answers and its database does too."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means unhealthy, whatever its kind
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
