"""The summary as JSON: ``GET /api/v1/summary/<YYYY-MM-DD>[?area=&shift=]`` (DESIGN §3)."""

from datetime import date

from flask import jsonify
from flask_login import current_user

from ...errors import ApiError
from ...extensions import db
from ...summaries.day import daily_summary
from ...summaries.schemas import SummaryQuery
from ...summaries.scope import SummaryError, area_id_of
from . import bp, query_args


@bp.get("/summary/<string(length=10):day>")
def api_summary(day: str):
    try:
        the_day = date.fromisoformat(day)
    except ValueError:
        raise ApiError(400, f"{day!r} is not a day: use YYYY-MM-DD.", "invalid") from None
    query = query_args(SummaryQuery())
    try:
        area_id = area_id_of(db.session, query["area"])
        summary = daily_summary(db.session, the_day, current_user, area_id, query["shift"])
    except SummaryError as error:
        code = "invalid" if error.status == 400 else None  # 404: no such area
        raise ApiError(error.status, str(error), code) from None
    return jsonify(summary)
