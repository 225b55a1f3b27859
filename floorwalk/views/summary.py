"""Daily summaries, follow-up of observations and station history."""

import csv
import io
import uuid
from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from ..accounts import role_required
from ..errors import ApiError
from ..extensions import db
from ..models import SEVERITIES, Area, Category, Record, Station, utcnow
from ..permissions import (
    EVERY_ROLE,
    FOLLOW_UP_ROLES,
    may_follow_up,
    may_follow_up_at_all,
    supervised_area_ids,
)
from ..schemas import form_input
from ..settings import plant_clock
from ..summaries.charts import history_chart, trend_chart
from ..summaries.day import daily_summary
from ..summaries.export import (
    RECORDS_CSV_HEADER,
    SUMMARY_CSV_HEADER,
    record_rows,
    summary_csv_rows,
)
from ..summaries.followup import (
    AGES,
    FollowUpError,
    ObservationFilter,
    follow_up,
    follow_up_history,
    list_observations,
)
from ..summaries.scope import SummaryError, metrics_by_key
from ..summaries.trend import daily_trend, station_history
from .api import bp as api_bp

bp = Blueprint("summary", __name__)


class SummaryQuery(Schema):
    area = fields.Integer(load_default=None, validate=validate.Range(min=1))
    shift = fields.String(load_default=None, validate=validate.Length(max=16))
    day = fields.Date(load_default=None)


class RecordsQuery(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")
    area = fields.Integer(load_default=None, validate=validate.Range(min=1))


class ObservationsQuery(Schema):
    area = fields.Integer(load_default=None, validate=validate.Range(min=1))
    severity = fields.String(load_default=None, validate=validate.OneOf(SEVERITIES))
    category = fields.String(load_default=None, validate=validate.Length(max=64))
    age = fields.Integer(load_default=0, validate=validate.OneOf(AGES))
    day = fields.Date(load_default=None)
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "all")))


class HistoryQuery(Schema):
    until = fields.Date(load_default=None)


class FollowUpForm(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=4000))


def parse_query(schema: Schema) -> dict:
    """Query arguments through ``schema``; empty values count as absent (form selects)."""
    values = {key: value for key, value in request.args.items() if value != ""}
    try:
        return schema.load(values, unknown="exclude")
    except ValidationError as error:
        names = ", ".join(sorted(error.messages))
        abort(400, f"Check {names}: {error.messages}")


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(404, f"{text!r} is not a day: use YYYY-MM-DD.")


def known_area(area_id: int | None) -> Area | None:
    if area_id is None:
        return None
    area = db.session.get(Area, area_id)
    if area is None:
        abort(404, "No such area.")
    return area


def summarize(day: date, area_id: int | None, shift: str | None) -> dict:
    known_area(area_id)
    try:
        return daily_summary(db.session, day, current_user, area_id, shift)
    except SummaryError as error:
        abort(400, str(error))


def plant_today() -> date:
    return plant_clock(db.session).production_day(utcnow())


def filter_args(query: dict) -> dict:
    return {key: query[key] for key in ("area", "shift") if query.get(key)}


def csv_response(rows, header, filename: str) -> Response:
    """UTF-8 with a byte-order mark, so spreadsheet programs read accents (DESIGN §5)."""

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
            if buffer.tell() > 16_384:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
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
    return render_day(plant_today(), query)


@bp.get("/summary/<string(length=10):day>")
@role_required(*EVERY_ROLE)
def day(day: str):
    return render_day(parse_day(day), parse_query(SummaryQuery()))


def render_day(the_day: date, query: dict):
    summary = summarize(the_day, query["area"], query["shift"])
    trend = daily_trend(db.session, the_day, query["area"], summary["shift"])
    areas = db.session.execute(select(Area).order_by(Area.name)).scalars().all()
    metrics = metrics_by_key(db.session)
    categories = dict(db.session.execute(select(Category.key, Category.label)).all())
    return render_template(
        "summary/day.html",
        summary=summary,
        day=the_day,
        prev_day=the_day - timedelta(days=1),
        next_day=the_day + timedelta(days=1),
        today=plant_today(),
        trend=trend,
        chart=trend_chart(trend),
        areas=areas,
        shifts=[s.name for s in plant_clock(db.session).shifts],
        metrics=metrics,
        gauge_keys=[
            key
            for key, metric in metrics.items()
            if metric.kind == "gauge"
            and any(
                station["counts"].get(key, {}).get("last") is not None
                for station in summary["stations"]
            )
        ],
        categories=categories,
        filters=filter_args(query),
        can_follow_up=may_follow_up_at_all(current_user),
        can_export_records=may_follow_up_at_all(current_user),
        records_url=url_for(
            "summary.records_csv",
            **{"from": summary["day"], "to": summary["day"]},
            area=query["area"],
        ),
    )


@bp.get("/summary/<string(length=10):day>.csv")
@role_required(*EVERY_ROLE)
def day_csv(day: str):
    the_day = parse_day(day)
    query = parse_query(SummaryQuery())
    summary = summarize(the_day, query["area"], query["shift"])
    rows = list(summary_csv_rows(summary, metrics_by_key(db.session)))
    return csv_response(rows, SUMMARY_CSV_HEADER, f"summary-{the_day.isoformat()}.csv")


@bp.get("/summary/records.csv")
@role_required(*FOLLOW_UP_ROLES)
def records_csv():
    query = parse_query(RecordsQuery())
    known_area(query["area"])
    try:
        rows = record_rows(db.session, current_user, query["start"], query["end"], query["area"])
    except SummaryError as error:
        abort(400, str(error))
    name = f"records-{query['start'].isoformat()}-to-{query['end'].isoformat()}.csv"
    return csv_response(rows, RECORDS_CSV_HEADER, name)


@bp.get("/summary/observations")
@role_required(*FOLLOW_UP_ROLES)
def observations():
    query = parse_query(ObservationsQuery())
    known_area(query["area"])
    wanted = ObservationFilter(
        area_id=query["area"],
        severity=query["severity"],
        category=query["category"],
        min_age_days=query["age"],
        day=query["day"],
        include_resolved=query["status"] == "all",
    )
    rows = list_observations(db.session, current_user, wanted)
    areas_allowed = supervised_area_ids(current_user)
    area_query = select(Area).order_by(Area.name)
    if areas_allowed is not None:
        area_query = area_query.where(Area.id.in_(areas_allowed))
    return render_template(
        "summary/observations.html",
        rows=rows,
        history=follow_up_history(db.session, [record.id for record, _, _ in rows]),
        query=query,
        areas=db.session.execute(area_query).scalars().all(),
        categories=db.session.execute(select(Category).order_by(Category.position)).scalars(),
        severities=SEVERITIES,
        ages=AGES,
        zone=plant_clock(db.session).zone,
        may_follow_up=lambda record: may_follow_up(current_user, record),
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
    found = db.session.execute(select(Station).where(Station.code == code)).scalar_one_or_none()
    if found is None:
        abort(404, f"No station {code!r}.")
    until = parse_query(HistoryQuery())["until"] or plant_today()
    history = station_history(db.session, found, until)
    charts = [
        (series["metric"], history_chart(series["points"], series["metric"].unit))
        for series in history["series"]
        if any(p["value"] is not None or p["target"] is not None for p in series["points"])
    ]
    return render_template(
        "summary/station.html",
        station=found,
        history=history,
        charts=charts,
        can_follow_up=may_follow_up_at_all(current_user),
    )


# JSON API -----------------------------------------------------------------------------


@api_bp.get("/summary/<string(length=10):day>")
def api_summary(day: str):
    try:
        the_day = date.fromisoformat(day)
    except ValueError:
        raise ApiError(400, f"{day!r} is not a day: use YYYY-MM-DD.", "invalid") from None
    values = {key: value for key, value in request.args.items() if value != ""}
    try:
        query = SummaryQuery().load(values, unknown="exclude")
    except ValidationError as error:
        raise ApiError(400, f"Invalid request: {error.messages}", "invalid") from None
    if query["area"] is not None and db.session.get(Area, query["area"]) is None:
        raise ApiError(404, "No such area.")
    try:
        summary = daily_summary(db.session, the_day, current_user, query["area"], query["shift"])
    except SummaryError as error:
        raise ApiError(400, str(error), "invalid") from None
    return jsonify(summary)
