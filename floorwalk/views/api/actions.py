"""``GET /api/v1/actions`` (DESIGN §9): the actions the viewer may see, with filters."""

from flask import jsonify
from flask_login import current_user

from ...actions.queries import list_actions
from ...actions.schemas import ActionsAnswerSchema, ActionsQuery, filters_of
from ...extensions import db
from ...summaries.pages import plant_today
from . import bp, query_args


@bp.get("/actions")
def api_actions():
    query = query_args(ActionsQuery())
    today = plant_today(db.session)
    actions = list_actions(db.session, current_user, filters_of(query, current_user), today)
    return jsonify(ActionsAnswerSchema().dump({"actions": actions}))
