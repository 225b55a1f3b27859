"""CSV import (upload, preview, confirm) and export of the catalog (DESIGN §5)."""

import base64
import binascii
from datetime import date

from flask import Response, abort, redirect, render_template, request, url_for

from ... import catalog
from ...catalog.csv_export import EXAMPLES, GUIDE, export_csv, template_csv
from ...catalog.csv_io import COLUMNS, KINDS, MATCHING, check_csv, import_csv
from ...extensions import db
from . import bp
from .crud import actor, apply

KIND_PAGES = {
    "metrics": "admin.metrics",
    "stations": "admin.stations",
    "targets": "admin.stations",
    "employees": "admin.employees",
    "categories": "admin.categories",
    "plan": "admin.plan",
}


def kind_or_404(kind: str) -> str:
    if kind not in KINDS:
        abort(404)
    return kind


@bp.route("/import/<kind>", methods=["GET", "POST"])
def import_kind(kind: str):
    """Upload, then a preview (new, updated, errors by line), then confirm."""
    kind_or_404(kind)
    context = {
        "kind": kind,
        "columns": COLUMNS[kind],
        "matching": MATCHING[kind],
        "guide": GUIDE[kind],
        "examples": EXAMPLES[kind],
        "back": url_for(KIND_PAGES[kind]),
    }
    if request.method == "GET":
        return render_template("admin/import.html", **context)
    if "content" in request.form:
        data, filename = decode_content(request.form["content"]), request.form.get("filename", "")
        report, _ = apply(
            lambda: import_csv(db.session, kind, data, actor()),
            lambda report: f"Imported {filename or kind}: {report.summary()}.",
            commit=lambda report: report.stored,
        )
        if report.stored:
            return redirect(after_import(kind, report) or context["back"])
    else:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return render_template(
                "admin/import.html", errors={"file": "Choose a CSV file."}, **context
            ), 400
        data, filename = upload.read(), upload.filename
        report, _ = apply(lambda: check_csv(db.session, kind, data), commit=False)
    return render_template(
        "admin/import.html",
        report=report,
        filename=filename,
        content=base64.b64encode(data).decode("ascii"),
        **context,
    ), (400 if report.errors else 200)


def after_import(kind: str, report) -> str | None:
    """After new stations, the page that offers them the plant's usual metrics."""
    new = [change.key for change in report.changes if change.status == "new"]
    if kind != "stations" or not new or not catalog.list_metrics(db.session):
        return None
    return url_for(".import_station_metrics", station=new)


@bp.route("/import/stations/metrics", methods=["GET", "POST"])
def import_station_metrics():
    """Add metrics to just-imported stations in one step (checked: those other stations
    list already)."""
    source = request.form if request.method == "POST" else request.args
    codes = source.getlist("station")
    if request.method == "POST":
        keys = request.form.getlist("metric")
        added, errors = apply(
            lambda: catalog.add_metrics_to_stations(db.session, actor(), codes, keys),
            lambda added: (
                f"Added {len(added)} station metrics. Set their targets next (Import targets)."
            ),
            flash_errors=True,
        )
        if not errors:
            return redirect(url_for(".stations"))
    return render_template(
        "admin/import_metrics.html",
        codes=codes,
        metrics=catalog.usual_metrics(db.session),
        chosen=set(request.form.getlist("metric")) if request.method == "POST" else None,
    ), (400 if request.method == "POST" else 200)


@bp.get("/import/<kind>/template.csv")
def import_template(kind: str):
    return csv_response(template_csv(kind_or_404(kind)), f"{kind}-template.csv")


def csv_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def decode_content(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        abort(400, "The file to import was garbled; upload it again.")


@bp.get("/export/<kind>.csv")
def export_kind(kind: str):
    kind_or_404(kind)
    day = None
    if kind == "plan":
        try:
            day = date.fromisoformat(request.args.get("day", ""))
        except ValueError:
            abort(400, "Give the plan's day as ?day=YYYY-MM-DD.")
    filename = f"plan-{day.isoformat()}.csv" if day else f"{kind}.csv"
    return csv_response(export_csv(db.session, kind, day), filename)
