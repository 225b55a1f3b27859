"""Daily summaries, follow-up of observations and station history: the pages and CSV
exports. Each view parses with a schema, calls one function of floorwalk.summaries and
renders; a SummaryError becomes an error page with its status and message."""

import uuid
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from marshmallow import Schema, ValidationError

from .. import csvfile
from ..accounts import role_required
from ..actions.pages import create_action_context
from ..errors import CODES, error_response
from ..extensions import db
from ..models import Record, utcnow
from ..permissions import EVERY_ROLE, FOLLOW_UP_ROLES
from ..schemas import form_input
from ..summaries.export import (
    RECORDS_CSV_HEADER,
    SUMMARY_CSV_HEADER,
    day_csv_rows,
    record_rows,
)
from ..summaries.followup import FollowUpError, ObservationFilter, follow_up
from ..summaries.handover import HandoverError, acknowledge, handover_page, write_note
from ..summaries.pages import (
    day_page,
    follow_up_page,
    plant_today,
    report_page,
    station_page,
)
from ..summaries.period import (
    REPORT_CSV_HEADER,
    default_span,
    period_report,
    report_and_trends,
    report_csv_rows,
)
from ..summaries.schemas import (
    FollowUpForm,
    HandoverForm,
    HandoverQuery,
    HistoryQuery,
    ObservationsQuery,
    RecordsQuery,
    ReportQuery,
    SummaryQuery,
    explain,
    query_input,
)
from ..summaries.scope import SummaryError, area_id_of

bp = Blueprint("summary", __name__)


@bp.errorhandler(SummaryError)
def summary_error(error: SummaryError):
    return error_response(error.status, CODES.get(error.status, "error"), str(error))


def parse_query(schema: Schema) -> dict:
    """Query arguments through ``schema``; empty values count as absent (form selects)."""
    try:
        query = schema.load(query_input(request.args), unknown="exclude")
    except ValidationError as error:
        abort(400, explain(error.messages))
    if "area" in query:  # by number or by name; SummaryError (404) for no such area
        query["area"] = area_id_of(db.session, query["area"])
    return query


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(404, f"{text!r} is not a day: use YYYY-MM-DD.")


def filter_args(query: dict) -> dict:
    return {key: query[key] for key in ("area", "shift") if query.get(key)}


def csv_response(rows, header, filename: str) -> Response:
    return Response(
        stream_with_context(csvfile.chunks(header, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# Pages --------------------------------------------------------------------------------


@bp.get("/summary")
@role_required(*EVERY_ROLE)
def today():
    """Today's summary; ``?day=`` (the date picker) goes to that day's page."""
    query = parse_query(SummaryQuery())
    if query["day"]:
        return redirect(url_for("summary.day", day=query["day"].isoformat(), **filter_args(query)))
    return render_day(plant_today(db.session), query)


@bp.get("/summary/<string(length=10):day>")
@role_required(*EVERY_ROLE)
def day(day: str):
    return render_day(parse_day(day), parse_query(SummaryQuery()))


def render_day(the_day: date, query: dict):
    page = day_page(db.session, the_day, current_user, query["area"], query["shift"])
    return render_template(
        "summary/day.html",
        **page,
        **create_action_context(db.session),
        filters=filter_args(query),
        records_url=url_for(
            "summary.records_csv",
            **{"from": page["summary"]["day"], "to": page["summary"]["day"]},
            area=query["area"],
        ),
        report_urls={
            n: url_for(
                "summary.report",
                **{"from": start, "to": page["summary"]["day"]},
                **filter_args(query),
            )
            for n, start in page["report_from"].items()
        },
    )


@bp.get("/summary/<string(length=10):day>.csv")
@role_required(*EVERY_ROLE)
def day_csv(day: str):
    the_day = parse_day(day)
    query = parse_query(SummaryQuery())
    rows = day_csv_rows(db.session, the_day, current_user, query["area"], query["shift"])
    return csv_response(rows, SUMMARY_CSV_HEADER, f"summary-{the_day.isoformat()}.csv")


@bp.get("/summary/records.csv")
@role_required(*FOLLOW_UP_ROLES)
def records_csv():
    query = parse_query(RecordsQuery())
    rows = record_rows(db.session, current_user, query["start"], query["end"], query["area"])
    name = f"records-{query['start'].isoformat()}-to-{query['end'].isoformat()}.csv"
    return csv_response(rows, RECORDS_CSV_HEADER, name)


@bp.get("/report")
@role_required(*EVERY_ROLE)
def report():
    if "from" not in request.args and "to" not in request.args:
        # "Reports" in the navigation: the last complete week, at an address to share.
        # The area and shift asked for stay.
        start, end = default_span(db.session, utcnow())
        return redirect(
            url_for("summary.report", **{**request.args.to_dict(), "from": start, "to": end})
        )
    query = parse_query(ReportQuery())
    data, trends = report_and_trends(
        db.session, query["start"], query["end"], query["area"], query["shift"]
    )
    return render_template(
        "summary/report.html",
        report=data,
        **report_page(db.session, data, trends),
        filters=filter_args(query),
        csv_url=url_for(
            "summary.report_csv",
            **{"from": data["from"], "to": data["to"]},
            **filter_args(query),
        ),
    )


@bp.get("/report.csv")
@role_required(*EVERY_ROLE)
def report_csv():
    query = parse_query(ReportQuery())
    data = period_report(db.session, query["start"], query["end"], query["area"], query["shift"])
    name = f"report-{data['from']}-to-{data['to']}.csv"
    return csv_response(report_csv_rows(data), REPORT_CSV_HEADER, name)


@bp.get("/handover")
@role_required(*EVERY_ROLE)
def handover():
    query = parse_query(HandoverQuery())
    page = handover_page(db.session, current_user, query["day"], query["shift"])
    return render_template("summary/handover.html", **page)


@bp.post("/handover/<any(note, acknowledge):action>")
@role_required(*EVERY_ROLE)
def handover_action(action: str):
    try:
        form = HandoverForm().load(form_input(request.form), unknown="exclude")
    except ValidationError as error:
        abort(400, explain(error.messages))
    day, shift = form["day"], form["shift"]
    back = url_for("summary.handover", day=day.isoformat(), shift=shift or None)
    try:
        if action == "note":
            write_note(db.session, current_user, day, shift, form["note"])
        else:
            acknowledge(db.session, current_user, day, shift)
    except HandoverError as error:
        if error.status != 409:
            raise
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    flash("Handover note saved." if action == "note" else "Handover acknowledged.", "success")
    return redirect(back)


@bp.get("/summary/observations")
@role_required(*FOLLOW_UP_ROLES)
def observations():
    query = parse_query(ObservationsQuery())
    wanted = ObservationFilter(
        area_id=query["area"],
        severity=query["severity"],
        category=query["category"],
        min_age_days=query["age"],
        day=query["day"],
        include_resolved=query["status"] == "all",
    )
    page = follow_up_page(db.session, current_user, wanted)
    return render_template(
        "summary/observations.html", **page, **create_action_context(db.session), query=query
    )


@bp.post("/summary/observations/<uuid:record_id>/<any(acknowledge, resolve):action>")
@role_required(*FOLLOW_UP_ROLES)
def follow_up_observation(record_id: uuid.UUID, action: str):
    record = db.session.get(Record, record_id)
    if record is None:
        abort(404, "No such observation.")
    try:
        form = FollowUpForm().load(form_input(request.form), unknown="exclude")
        follow_up(db.session, record, current_user, action, form["comment"])
    except ValidationError as error:
        abort(400, str(error.messages))
    except FollowUpError as error:
        if error.status in (403, 404):
            abort(error.status, str(error))
        db.session.rollback()
        flash(str(error), "error")
        return redirect(request.referrer or url_for("summary.observations"))
    db.session.commit()
    flash(f"Observation {'acknowledged' if action == 'acknowledge' else 'resolved'}.", "success")
    return redirect(_back_to_list())


def _back_to_list() -> str:
    """The list the form was sent from (its filters kept), never another site."""
    target = request.form.get("next", "")
    if target.startswith("/summary/observations") and "//" not in target:
        return target
    return url_for("summary.observations")


@bp.get("/stations/<code>")
@role_required(*EVERY_ROLE)
def station(code: str):
    until = parse_query(HistoryQuery())["until"]
    return render_template(
        "summary/station.html", **station_page(db.session, code, current_user, until)
    )
