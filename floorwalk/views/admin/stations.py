"""Stations: their spec, and beside it their metric rows, their order and QR labels."""

from functools import wraps

from flask import Response, abort, current_app, flash, redirect, request, url_for
from marshmallow import ValidationError

from ... import catalog, labels
from ...catalog.schemas import StationForm, StationMetricForm, form_errors
from ...database import switch_to_writing
from ...extensions import db
from ...labels import label_png, label_sheet_pdf, label_svg, station_label, stations_for_labels
from ...models import Metric, Station
from ...settings import set_setting
from . import bp
from .crud import (
    Entity,
    actor,
    apply,
    filtered,
    find_or_404,
    move,
    or_404,
    read_form,
    register,
    render_form,
)


def station_context(station: Station | None) -> dict:
    return {
        "metric_form": {},
        "metric_errors": {},
        "area_names": catalog.area_names(db.session),
        "metrics": catalog.list_metrics(db.session),
        **label_context(),  # no label picture or download without a public URL
    }


def station_saved(station: Station, created: bool) -> str:
    if created:
        return f"Added station {station.code}; now list its metrics."
    return f"Saved station {station.code}."


STATIONS = register(
    bp,
    Entity(
        name="station",
        plural="stations",
        key="code",
        fixed=True,
        new_endpoint=True,
        find=catalog.station_by_code,
        schema=StationForm,
        save=catalog.save_station,
        values=catalog.station_values,
        listing=lambda: filtered("stations", catalog.list_stations, **label_context()),
        template="admin/station_form.html",
        context=station_context,
        saved=station_saved,
        next_url=lambda station, created: (
            STATIONS.edit_url(station) if created else STATIONS.list_url()
        ),
    ),
)


# A station's metrics ------------------------------------------------------------------


def metric_rows(station: Station, data: dict, find_metric) -> list[tuple]:
    """The metrics form of ``station`` as ``(entry, metric, values)`` steps in page order:
    ``values`` None removes ``entry``, otherwise sets the metric's target and min level.

    Raises ValidationError with every bad field (``target-KEY``, ``min_level-new``…), so
    that the form is saved all or nothing.
    """
    errors, steps = {}, []
    for entry in station.metrics:
        key = entry.metric.key
        if data.get(f"remove-{key}") == "yes":
            steps.append((entry, entry.metric, None))
        elif values := metric_row(data, key, key, errors):
            steps.append((entry, entry.metric, values))
    if data.get("metric-new"):
        values = metric_row(data, data["metric-new"], "new", errors)
        metric = find_metric(data["metric-new"])
        if metric is None:
            errors["metric-new"] = "Choose a metric."
        elif values:
            steps.append((None, metric, values))
    if errors:
        raise ValidationError(errors)
    return steps


def metric_row(data: dict, metric: str, suffix: str, errors: dict) -> dict | None:
    """One row's target and min level (fields ``target-SUFFIX``, ``min_level-SUFFIX``)."""
    row = {f: data.get(f"{f}-{suffix}", "") for f in ("target", "min_level")}
    try:
        return StationMetricForm().load({"metric": metric, **row})
    except ValidationError as error:
        errors.update({f"{name}-{suffix}": m for name, m in form_errors(error).items()})
        return None


def save_metric_rows(session, actor, station: Station, data: dict) -> Station:
    for entry, metric, values in metric_rows(
        station, data, lambda key: catalog.metric_by_key(session, key)
    ):
        if values is None:
            catalog.remove_station_metric(session, actor, entry)
        else:
            target, min_level = values["target"], values["min_level"]
            catalog.set_station_metric(session, actor, station, metric, target, min_level)
    return station


@bp.post("/stations/<code>/metrics")
def station_metrics(code: str):
    """Targets and min levels of the listed metrics, removals and one addition, all or none."""
    station = find_or_404(STATIONS, code)
    data = read_form()
    _, errors = apply(
        lambda: save_metric_rows(db.session, actor(), station, data),
        f"Saved the metrics of {station.code}.",
    )
    if not errors:
        return redirect(STATIONS.edit_url(station))
    values = catalog.station_values(station)
    return render_form(STATIONS, station, values, {}, 400, metric_form=data, metric_errors=errors)


@bp.post("/stations/<code>/metrics/<int:metric_id>/<any(up, down):direction>")
def station_metric_move(code: str, metric_id: int, direction: str):
    station = find_or_404(STATIONS, code)
    metric = or_404(db.session.get(Metric, metric_id))
    return move(
        direction,
        lambda step: catalog.move_station_metric(db.session, actor(), station, metric, step),
        STATIONS.edit_url(station) + f"#metric-{metric.key}",
    )


# Labels -------------------------------------------------------------------------------


def labels_base_url() -> str:
    """The public URL labels encode; LabelError without one (never the request's host)."""
    return labels.labels_base_url(db.session, current_app.config["PUBLIC_URL"])


def label_context() -> dict:
    """What the stations page says about labels: the URL they open, or why there is
    none, with the address this page was asked on offered (not stored) as the public URL."""
    try:
        return {"labels_base": labels_base_url(), "labels_problem": None}
    except labels.LabelError as error:
        return {
            "labels_base": "",
            "labels_problem": str(error),
            "suggested_url": request.host_url.rstrip("/"),
        }


def without_public_url(view):
    """Label routes print nothing without a public URL: back to the stations page,
    which says so and offers to set it."""

    @wraps(view)
    def guarded(*args, **kwargs):
        try:
            base = labels_base_url()
        except labels.LabelError as error:
            flash(f"{error} Set it under “Labels need a public URL” below, then print.", "error")
            return redirect(url_for(".stations"))
        return view(base, *args, **kwargs)

    return guarded


@bp.post("/stations/public-url")
def set_labels_url():
    """Store the public URL from the stations page's short form (the admin pressed Save)."""
    value = read_form().get("public_url", "")

    def save() -> None:
        try:
            set_setting(db.session, "public_url", value, actor())
        except ValueError as error:
            raise ValidationError({"public_url": str(error)}) from None

    apply(save, "Saved the public URL; labels now open it.", flash_errors=True)
    return redirect(url_for(".stations"))


def label_response(body, mimetype: str, filename: str, count: int = 1) -> Response:
    switch_to_writing(db.session)  # a GET that writes: the checklist's record of a print
    catalog.record_label_print(db.session, actor(), filename, count)
    db.session.commit()
    return inline_file(body, mimetype, filename)


def inline_file(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.get("/stations/<code>/label.png")
@without_public_url
def station_label_png(base: str, code: str):
    label = station_label(find_or_404(STATIONS, code), base)
    return label_response(label_png(label), "image/png", f"{code}.png")


@bp.get("/stations/<code>/label.svg")
@without_public_url
def station_label_svg(base: str, code: str):
    """The SVG label; ``?preview`` (the picture on the station's page) is no print, so
    opening a station does not tick "Labels printed" on the checklist."""
    label = station_label(find_or_404(STATIONS, code), base)
    if "preview" in request.args:
        return inline_file(label_svg(label), "image/svg+xml", f"{code}.svg")
    return label_response(label_svg(label), "image/svg+xml", f"{code}.svg")


def chosen_stations() -> list[Station]:
    """The stations the query string asks labels for (``station``, ``area``, ``route``)."""
    route_id = request.args.get("route")
    route = labels.route_for_labels(db.session, route_id=route_id) if route_id else None
    codes, area = request.args.getlist("station"), request.args.get("area") or None
    return stations_for_labels(db.session, codes, area, route)


def chosen_paper() -> str:
    paper = request.args.get("paper", "a4")
    if paper not in labels.PAPERS:
        abort(400, "Choose A4 or Letter paper.")
    return paper


def refused_labels():
    """Back to the page the sheet was asked from, where the flashed refusal shows."""
    return redirect(url_for(".routes" if request.args.get("route") else ".stations"))


@bp.get("/labels.pdf")
@without_public_url
def labels_pdf(base: str):
    paper = chosen_paper()

    def sheet() -> tuple[bytes, int]:
        chosen = chosen_stations()
        return label_sheet_pdf([station_label(s, base) for s in chosen], paper), len(chosen)

    made, errors = apply(sheet, flash_errors=True, commit=False)
    if errors:
        return refused_labels()
    return label_response(made[0], "application/pdf", "station-labels.pdf", made[1])


@bp.get("/labels/test.pdf")
@without_public_url
def labels_test_pdf(base: str):
    """One label and a 100 mm ruler: not a label print, so the checklist does not count it."""
    paper = chosen_paper()
    made, errors = apply(
        lambda: labels.scale_check_pdf(labels.scale_check_label(chosen_stations(), base), paper),
        flash_errors=True,
        commit=False,
    )
    if errors:
        return refused_labels()
    return inline_file(made, "application/pdf", "test-print.pdf")
