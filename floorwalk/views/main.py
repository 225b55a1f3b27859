"""Home and health."""

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user

from ..accounts import role_required
from ..extensions import db, limiter
from ..health import OK, database_answers, readiness
from ..permissions import may_write_handover_note

bp = Blueprint("main", __name__)


@bp.get("/")
@role_required()
def home():
    # Supervisors take shifts over: the last shift's handover is one tap from home.
    return render_template("home.html", handover_link=may_write_handover_note(current_user))


@bp.get("/healthz")
def healthz():
    """For load balancers and timers: the app answers and its database does too."""
    if database_answers(db.session) != OK:  # the reason is in the log
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.get("/readyz")
def readyz():
    """For load balancers and deploys: 200 when this server can take phones' work, else
    503 with the reason of each failed check."""
    config = current_app.config
    checks = readiness(
        db.session,
        config["PHOTO_DIR"],
        current_app.extensions["migrate"].directory,
        limiter.storage if config["REDIS_URL"] else None,
    )
    ready = all(result == OK for result in checks.values())
    return jsonify({"status": "ready" if ready else "not ready", "checks": checks}), (
        200 if ready else 503
    )
