"""Sign-in and sign-out pages, the account page, and what signing in and out does to the
session (one server-side session per sign-in, a new CSRF token each time: DESIGN §3, §7)."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from marshmallow import ValidationError

from ..accounts import (
    AccountError,
    change_own_password,
    end_session,
    end_sessions,
    list_sessions,
    role_required,
    start_session,
)
from ..extensions import db
from ..models import User, utcnow
from ..notifications.kinds import kinds_for
from ..notifications.mail import mail_enabled
from ..notifications.preferences import chosen, save_preferences
from ..schemas import (
    ChangePasswordSchema,
    CredentialsSchema,
    NotificationPreferencesSchema,
    form_input,
)
from ..settings import plant_clock
from ..signin import SignInBlocked, authenticate, sign_in_counts

bp = Blueprint("auth", __name__)

TOO_MANY_FAILURES = "Too many failed sign-ins. Wait a minute and try again."


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (no open redirects, and no
    control characters, which no Location header may carry)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def renew_csrf_token() -> None:
    """The next CSRF token is a new one: a token from before signing in or out is refused."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def sign_in(credentials: dict, device: str | None = None, app: str | None = None) -> User:
    """Sign in with these credentials in a server-side session of its own, and commit;
    raises SignInBlocked or AccountError (the page and the API alike)."""
    # The request's own transaction is ended first: on SQLite it may hold the write lock
    # that the count's transaction of its own would wait for.
    db.session.commit()
    now = utcnow()
    counts = sign_in_counts(
        credentials["username"],
        request.remote_addr or "",
        current_app.config["RATELIMIT_STORAGE_URI"],
        db.engine,
        now,
    )
    user = authenticate(
        db.session,
        credentials["username"],
        credentials["password"],
        counts,
        current_app.config["PASSWORD_ITERATIONS"],
    )
    if current_user.is_authenticated:  # the session this browser had is replaced
        end_session(db.session, current_user)
    start_session(db.session, user, now, device, app, request.user_agent.string)
    db.session.commit()
    renew_csrf_token()
    login_user(user, remember=True)
    return user


def sign_out(everywhere: bool = False) -> None:
    """End this session (or, ``everywhere``, every session of the user) and commit."""
    if everywhere:
        end_sessions(current_user)
    else:
        end_session(db.session, current_user)
    db.session.commit()
    logout_user()
    renew_csrf_token()


def form_errors(error: ValidationError) -> dict[str, str]:
    """A schema's errors by form field, for the page to show beside each field."""
    return {name: " ".join(messages) for name, messages in error.messages.items()}


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
        return render_login(request.form.get("username", ""), form_errors(error), 400)
    username = credentials["username"]
    try:
        sign_in(credentials)
    except SignInBlocked as blocked:
        headers = {"Retry-After": blocked.retry_after}
        return render_login(username, {"form": TOO_MANY_FAILURES}, 429, headers)
    except AccountError as error:
        return render_login(username, {"form": str(error)}, 401)
    return redirect(next_url)


@bp.post("/logout")
def logout():
    """Sign out of this session; the user's other devices stay signed in."""
    if current_user.is_authenticated:
        sign_out()
        flash("Signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.post("/logout/all")
@role_required()
def logout_everywhere():
    """Sign out of every device: every session and remember cookie of the user ends."""
    sign_out(everywhere=True)
    flash("Signed out of all devices.", "info")
    return redirect(url_for("auth.login"))


def render_account(errors=None, status=200, email=None):
    sessions = list_sessions(db.session, current_user)
    page = render_template(
        "account.html",
        sessions=sessions,
        this_session=current_user.current_session,
        errors=errors or {},
        zone=plant_clock(db.session).zone,
        kinds=kinds_for(current_user.role),
        by_mail=chosen(db.session, current_user.id),
        email=(current_user.email or "") if email is None else email,
        mail_configured=mail_enabled(),
    )
    return page, status


@bp.get("/account")
@role_required()
def account():
    return render_account()


@bp.post("/account/password")
@role_required()
def change_password():
    try:
        form = ChangePasswordSchema().load(form_input(request.form))
        change_own_password(
            db.session,
            current_user,
            form["current_password"],
            form["new_password"],
            form["repeat_password"],
            current_app.config["PASSWORD_ITERATIONS"],
        )
    except ValidationError as error:
        return render_account(form_errors(error), 400)
    except AccountError as error:
        db.session.rollback()
        return render_account({error.field or "form": str(error)}, 400)
    db.session.commit()
    flash("Password changed. Your other devices are signed out.", "info")
    return redirect(url_for("auth.account"))


@bp.post("/account/notifications")
@role_required()
def notification_preferences():
    """The address notifications are mailed to, and per kind: by mail or inbox only."""
    values = {**form_input(request.form), "mail": request.form.getlist("mail")}
    try:
        form = NotificationPreferencesSchema().load(values, unknown="exclude")
    except ValidationError as error:
        return render_account(form_errors(error), 400, request.form.get("email", ""))
    errors = save_preferences(db.session, current_user, form["email"], set(form["mail"]))
    if errors:
        db.session.rollback()
        return render_account(errors, 400, form["email"])
    db.session.commit()
    flash("Notification settings saved.", "info")
    return redirect(url_for("auth.account") + "#notifications")
