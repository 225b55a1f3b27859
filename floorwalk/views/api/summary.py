"""The summary as JSON: ``GET /api/v1/summary/<YYYY-MM-DD>[?area=&shift=]`` (DESIGN §3)."""

from datetime import date

from flask import jsonify, request
from flask_login import current_user
from marshmallow import ValidationError

from ...errors import ApiError
from ...extensions import db
from ...summaries.day import daily_summary
from ...summaries.schemas import SummaryQuery, explain, query_input
from ...summaries.scope import SummaryError, area_id_of
from . import bp


@bp.get("/summary/<string(length=10):day>")
def api_summary(day: str):
    try:
        the_day = date.fromisoformat(day)
    except ValueError:
        raise ApiError(400, f"{day!r} is not a day: use YYYY-MM-DD.", "invalid") from None
    try:
        query = SummaryQuery().load(query_input(request.args), unknown="exclude")
    except ValidationError as error:
        raise ApiError(400, explain(error.messages), "invalid") from None
    try:
        area_id = area_id_of(db.session, query["area"])
        summary = daily_summary(db.session, the_day, current_user, area_id, query["shift"])
    except SummaryError as error:
        code = "invalid" if error.status == 400 else None  # 404: no such area
        raise ApiError(error.status, str(error), code) from None
    return jsonify(summary)
