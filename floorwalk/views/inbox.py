"""The inbox page, ``/notifications`` (DESIGN §9), with "Mark read" and "Mark all read",
and the bell every page's header shows with the unread count."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from ..accounts import role_required
from ..extensions import db
from ..notifications.inbox import inbox, mark_read, unread_count
from ..schemas import MarkReadForm, form_input
from ..settings import plant_clock

bp = Blueprint("inbox", __name__)
PAGE = 50


@bp.app_context_processor
def bell() -> dict:
    """The unread count for the header's bell, on every page a signed-in user sees."""
    if not current_user.is_authenticated or request.blueprint == "api":
        return {}
    return {"unread_notifications": lambda: unread_count(db.session, current_user)}


@bp.get("/notifications")
@role_required()
def notifications():
    return render_template(
        "notifications.html",
        inbox=inbox(db.session, current_user, PAGE),
        zone=plant_clock(db.session).zone,
    )


@bp.post("/notifications/read")
@role_required()
def read():
    try:
        form = MarkReadForm().load(form_input(request.form), unknown="exclude")
    except ValidationError:
        abort(400, "Say which notification to mark read.")
    mark_read(db.session, current_user, None if form["id"] is None else [form["id"]])
    db.session.commit()
    return redirect(url_for(".notifications"))
