"""The actions pages (DESIGN §9): the list, an action's page with its history and the
forms that move it, and "Create action". Every change goes through ``actions.service``,
which applies it as a push record: the one rule the phones meet too."""

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from ..accounts import role_required
from ..actions.pages import ActionNotFound, action_page, list_page, new_action_page
from ..actions.schemas import (
    ActionForm,
    ActionsQuery,
    ActionUpdateForm,
    NewActionQuery,
    filters_of,
    form_errors,
)
from ..actions.service import ActionError, create_action, update_action
from ..extensions import db
from ..models import utcnow
from ..permissions import EVERY_ROLE
from ..schemas import form_input
from ..summaries.pages import plant_today
from .summary import parse_query

bp = Blueprint("actions", __name__)


@bp.get("/actions")
@role_required(*EVERY_ROLE)
def index():
    query = parse_query(ActionsQuery())
    filters = filters_of(query, current_user)
    page = list_page(db.session, current_user, filters, plant_today(db.session))
    return render_template("actions/list.html", **page, query=query)


@bp.get("/actions/new")
@role_required(*EVERY_ROLE)
def new():
    prefill = parse_query(NewActionQuery())
    page = new_action_page(db.session, prefill, plant_today(db.session))
    return render_template("actions/new.html", **page, errors={})


@bp.post("/actions/new")
@role_required(*EVERY_ROLE)
def create():
    submitted = form_input(request.form)
    try:
        values = ActionForm().load(submitted, unknown="exclude")
        action_id = create_action(db.session, current_user, values, utcnow())
    except (ValidationError, ActionError) as error:
        db.session.rollback()
        errors = form_errors(error.messages if isinstance(error, ValidationError) else error.errors)
        page = new_action_page(db.session, submitted, plant_today(db.session))
        return render_template("actions/new.html", **page, errors=errors), 400
    db.session.commit()
    flash("Action created.", "success")
    return redirect(url_for("actions.show", action_id=action_id))


@bp.get("/actions/<uuid:action_id>")
@role_required(*EVERY_ROLE)
def show(action_id: uuid.UUID):
    return render_action(action_id, {})


def render_action(action_id: uuid.UUID, errors: dict, status: int = 200):
    try:
        page = action_page(db.session, current_user, action_id, plant_today(db.session))
    except ActionNotFound as error:
        abort(404, str(error))
    return render_template("actions/show.html", **page, errors=errors), status


@bp.post("/actions/<uuid:action_id>")
@role_required(*EVERY_ROLE)
def change(action_id: uuid.UUID):
    try:
        values = ActionUpdateForm().load(form_input(request.form), unknown="exclude")
        update_action(db.session, current_user, action_id, values, utcnow())
    except (ValidationError, ActionError) as error:
        db.session.rollback()
        errors = form_errors(error.messages if isinstance(error, ValidationError) else error.errors)
        return render_action(action_id, errors, 400)
    db.session.commit()
    flash("Action updated.", "success")
    return redirect(url_for("actions.show", action_id=action_id))
