"""The period report as JSON: ``GET /api/v1/report?from=&to=[&area=&shift=]`` (DESIGN §10)."""

from flask import jsonify

from ...errors import ApiError
from ...extensions import db
from ...summaries.period import period_report
from ...summaries.schemas import ReportQuery
from ...summaries.scope import SummaryError, area_id_of
from . import bp, query_args


@bp.get("/report")
def api_report():
    query = query_args(ReportQuery())
    try:
        area_id = area_id_of(db.session, query["area"])
        report = period_report(db.session, query["start"], query["end"], area_id, query["shift"])
    except SummaryError as error:
        code = "invalid" if error.status == 400 else None  # 404: no such area
        raise ApiError(error.status, str(error), code) from None
    return jsonify(report)
