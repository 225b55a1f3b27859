"""``GET /api/v1/actions`` (DESIGN §9): the actions the viewer may see, with filters."""

from flask import jsonify, request
from flask_login import current_user
from marshmallow import ValidationError

from ...actions.queries import list_actions
from ...actions.schemas import ActionsAnswerSchema, ActionsQuery, filters_of
from ...errors import ApiError
from ...extensions import db
from ...models import utcnow
from ...settings import plant_clock
from ...summaries.schemas import explain, query_input
from . import bp


@bp.get("/actions")
def api_actions():
    try:
        query = ActionsQuery().load(query_input(request.args))
    except ValidationError as error:
        raise ApiError(400, explain(error.messages), "invalid") from None
    today = plant_clock(db.session).production_day(utcnow())
    actions = list_actions(db.session, current_user, filters_of(query, current_user), today)
    return jsonify(ActionsAnswerSchema().dump({"actions": actions}))
