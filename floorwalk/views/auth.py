"""Sign-in and sign-out pages."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from marshmallow import ValidationError

from ..accounts import AccountError, SignInBlocked, authenticate, end_sessions
from ..extensions import db
from ..schemas import CredentialsSchema, form_input

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def render_login(username="", errors=None, status=200, headers=None):
    page = render_template(
        "login.html",
        username=username,
        errors=errors or {},
        next_url=safe_next(request.values.get("next")),
    )
    return page, status, headers or {}


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next")) or url_for("main.home")
    if request.method == "GET":
        return redirect(next_url) if current_user.is_authenticated else render_login()
    try:
        credentials = CredentialsSchema().load(form_input(request.form))
    except ValidationError as error:
        errors = {name: " ".join(messages) for name, messages in error.messages.items()}
        return render_login(request.form.get("username", ""), errors, 400)
    username = credentials["username"]
    try:
        user = authenticate(
            db.session,
            username,
            credentials["password"],
            request.remote_addr or "",
            current_app.config["PASSWORD_ITERATIONS"],
        )
    except SignInBlocked as blocked:
        message = "Too many failed sign-ins. Wait a minute and try again."
        return render_login(username, {"form": message}, 429, {"Retry-After": blocked.retry_after})
    except AccountError as error:
        return render_login(username, {"form": str(error)}, 401)
    login_user(user, remember=True)
    db.session.commit()
    return redirect(next_url)


@bp.post("/logout")
def logout():
    """Sign out here and everywhere: rotating the token ends every session of the user."""
    if current_user.is_authenticated:
        end_sessions(current_user)
        db.session.commit()
        logout_user()
        flash("Signed out.", "info")
    return redirect(url_for("auth.login"))
